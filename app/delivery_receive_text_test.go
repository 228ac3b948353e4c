package app_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func TestAnOperatorsTextTakesTheWebhooksPath(t *testing.T) {
	s := newSchool(t)
	op := app.Operator{Name: "alice"}
	// A national number, read in the service's region, as whisperctl's
	// --from may be typed.
	in := app.InboundText{MessageUUID: "op-1", From: "07700 900123", Text: "oak Someone took my phone at lunch"}
	opened, err := s.svc.Delivery.ReceiveText(ctx, op, in)
	require.NoError(t, err)
	assert.Equal(t, app.TextOpened, opened.Outcome)
	require.NotEmpty(t, opened.Ref)
	require.Len(t, opened.Replies, 1, "the conversation link, and not the staff alerts")
	assert.Equal(t, domain.DeliveryReporterLink, opened.Replies[0].Kind)
	assert.Equal(t, "+447700900123", opened.Replies[0].To)
	list := s.smsInteractions(t)
	require.Len(t, list, 1)
	assert.Equal(t, opened.Ref, list[0].Ref, "the report staff see")

	again, err := s.svc.Delivery.ReceiveText(ctx, op, in)
	require.NoError(t, err)
	assert.Equal(t, app.TextDuplicate, again.Outcome, "the same message id is handled once")
	assert.Empty(t, again.Replies)

	cont, err := s.svc.Delivery.ReceiveText(ctx, op, app.InboundText{MessageUUID: "op-2", From: "+447700900123", Text: "It was in the changing room"})
	require.NoError(t, err)
	assert.Equal(t, app.TextContinued, cont.Outcome)
	assert.Equal(t, opened.Ref, cont.Ref)
	assert.Empty(t, cont.Replies)

	help, err := s.svc.Delivery.ReceiveText(ctx, op, app.InboundText{MessageUUID: "op-3", From: "+447700900999", Text: "hello?"})
	require.NoError(t, err)
	assert.Equal(t, app.TextHelped, help.Outcome)
	assert.Empty(t, help.Ref)
	require.Len(t, help.Replies, 1)
	assert.Equal(t, domain.DeliverySMSHelp, help.Replies[0].Kind)

	entries, err := s.svc.Operations.AuditLog(ctx, 0, 100)
	require.NoError(t, err)
	var received []*domain.AuditEntry
	for _, e := range entries {
		if e.Action == domain.AuditSMSReceive {
			received = append(received, e)
		}
	}
	require.Len(t, received, 4, "each act, even one that changed nothing")
	assert.Equal(t, "os:alice", received[0].Actor)
	assert.Equal(t, opened.Ref, received[0].Ref)
	assert.Equal(t, s.form.OrgID, received[0].OrgID)
	assert.Equal(t, map[string]string{"outcome": "opened", "replies": "1"}, received[0].Details)
	assert.Equal(t, map[string]string{"outcome": "helped", "replies": "1"}, received[3].Details)

	_, err = s.svc.Delivery.ReceiveText(ctx, op, app.InboundText{MessageUUID: "op-4", From: "not a number", Text: "oak hi"})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
}

// Operators' texts raced on both stores: each is told its own outcome and
// only the texts queued for it, and one message id opens one report
// however many hand it in at once.
func TestOperatorsTextsRacing(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) ports.Store{
		"sqlite":   func(t *testing.T) ports.Store { return storetest.OpenSQLite(t) },
		"postgres": func(t *testing.T) ports.Store { return storetest.OpenPostgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSchoolOn(t, newHarnessOn(t, open(t)))
			op := app.Operator{Name: "alice"}
			const n = 12
			var wg sync.WaitGroup
			got := make([]app.ReceivedText, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					got[i], errs[i] = s.svc.Delivery.ReceiveText(ctx, op, app.InboundText{
						MessageUUID: fmt.Sprintf("race-%d", i), From: fmt.Sprintf("+4477009001%02d", i), Text: "oak It happened again"})
				})
			}
			wg.Wait()
			refs := map[domain.Reference]bool{}
			for i := range n {
				require.NoError(t, errs[i])
				assert.Equal(t, app.TextOpened, got[i].Outcome)
				refs[got[i].Ref] = true
				require.Len(t, got[i].Replies, 1)
				assert.Equal(t, fmt.Sprintf("+4477009001%02d", i), got[i].Replies[0].To, "its own link, no one else's")
			}
			assert.Len(t, refs, n)

			same := make([]app.ReceivedText, n)
			for i := range n {
				wg.Go(func() {
					same[i], errs[i] = s.svc.Delivery.ReceiveText(ctx, op, app.InboundText{
						MessageUUID: "race-same", From: "+447700900200", Text: "oak Once only"})
				})
			}
			wg.Wait()
			opened, replies := 0, 0
			for i := range n {
				require.NoError(t, errs[i])
				if same[i].Outcome == app.TextOpened {
					opened++
				} else {
					assert.Equal(t, app.TextDuplicate, same[i].Outcome)
				}
				replies += len(same[i].Replies)
			}
			assert.Equal(t, 1, opened)
			assert.Equal(t, 1, replies, "the one link is told once")
		})
	}
}
