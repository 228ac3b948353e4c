package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain"
)

func TestDeliveryFailures(t *testing.T) {
	refused := &domain.DeliveryFailure{Code: 550, Text: "5.7.1 Relaying denied", Permanent: true}
	busy := &domain.DeliveryFailure{Code: 451, Text: "4.3.0 try later"}
	for name, tc := range map[string]struct {
		err       error
		failure   *domain.DeliveryFailure
		permanent bool
	}{
		"a 550, wrapped":       {&domain.Error{Kind: domain.KindInvalid, Err: refused}, refused, true},
		"a 451":                {&domain.Error{Kind: domain.KindUnavailable, Err: busy}, busy, false},
		"an unusable address":  {domain.Errorf(domain.KindInvalid, "the recipient's address is not usable"), nil, true},
		"a server down":        {&domain.Error{Kind: domain.KindUnavailable, Err: errors.New("dial tcp: refused")}, nil, false},
		"wrapped with %w":      {fmt.Errorf("relay: %w", refused), refused, true},
		"no error of its kind": {errors.New("boom"), nil, false},
	} {
		assert.Equal(t, tc.failure, domain.FailureOf(tc.err), name)
		assert.Equal(t, tc.permanent, domain.IsPermanent(tc.err), name)
	}
	assert.Equal(t, "550 5.7.1 Relaying denied", refused.Error())
	assert.Equal(t, "dial tcp: refused", (&domain.DeliveryFailure{Text: "dial tcp: refused"}).Error(), "no code, no number")
}

func TestWhoADeliveryKindGoesTo(t *testing.T) {
	for kind, want := range map[domain.DeliveryKind][2]bool{
		domain.DeliveryStaffNewReport:     {true, false},
		domain.DeliveryStaffInvite:        {true, false},
		domain.DeliveryStaffPasswordReset: {true, false},
		domain.DeliveryReporterLink:       {false, true},
		domain.DeliveryReporterSMS:        {false, true},
		domain.DeliverySMSHelp:            {false, true},
		domain.DeliveryMailRefused:        {false, false},
		domain.DeliveryErasureWarning:     {false, false},
		domain.DeliveryOperatorNotice:     {false, false},
	} {
		assert.Equal(t, want, [2]bool{kind.ToStaff(), kind.ToReporter()}, kind)
	}
}
