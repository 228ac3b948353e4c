package storetest

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// lostLinkRaces race requests for a fresh conversation link against each
// other and against erasure.
var lostLinkRaces = map[string]func(*testing.T, ports.Store){
	"RecoveriesLeaveOneLink":             raceRecoveries,
	"TextedRecoveriesLeaveOneLink":       raceTextedRecoveries,
	"RecoveryNeverLinksAnErasedReporter": raceRecoveryAgainstErasure,
}

// freshLinks are the tokens of the fresh links queued for interaction
// ref, and whether each opens it now.
func freshLinks(t *testing.T, st ports.Store, svc *app.App, ref domain.Reference) map[domain.Token]bool {
	t.Helper()
	out := map[domain.Token]bool{}
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		require.NoError(t, err)
		queued, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		require.NoError(t, err)
		for _, d := range queued {
			if d.Kind == domain.DeliveryReporterFreshLink {
				out[domain.Token(strings.TrimPrefix(d.Link, "https://whisper.example.org/t/"))] = false
			}
		}
		return nil
	}))
	for token := range out {
		_, err := svc.Reporting.Follow(ctx, string(token))
		out[token] = err == nil
	}
	return out
}

// assertOnlyTheLastLinkWorks checks that of the links ever given for an
// interaction (its first, and every fresh one queued) exactly one opens
// it, a fresh one, and that want fresh links were queued.
func assertOnlyTheLastLinkWorks(t *testing.T, st ports.Store, svc *app.App, rc app.Receipt, want int) {
	t.Helper()
	_, err := svc.Reporting.Follow(ctx, string(rc.Token))
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "the first link stopped working")
	links := freshLinks(t, st, svc, rc.Ref)
	assert.Len(t, links, want, "each recovery queued its own link")
	working := 0
	for _, ok := range links {
		if ok {
			working++
		}
	}
	assert.Equal(t, 1, working, "exactly one link, the last written, opens the conversation")
}

// raceRecoveries races two requests for fresh links to the same address.
// Both are emailed, and the one whose transaction came last is the only
// link that works.
func raceRecoveries(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	for round := range 5 {
		email := fmt.Sprintf("lost%s@example.org", randomDigits(t, 10))
		rc, err := w.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(w.form.Code), Email: email, Body: "Someone took my phone."})
		require.NoError(t, err)
		errs := make([]error, 2)
		race(2, func(i int) {
			errs[i] = w.svc.Reporting.RecoverLink(ctx, app.RecoverLink{Email: email,
				IP: netip.MustParseAddr(fmt.Sprintf("198.51.100.%d", 2*round+i+1))})
		})
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		assertOnlyTheLastLinkWorks(t, st, w.svc, rc.Receipt, 2)
	}
}

// raceTextedRecoveries races a texter's LINK texts: within the hour's
// limit each is texted a link, and only the last written works.
func raceTextedRecoveries(t *testing.T, st ports.Store) {
	w := newRaceSchool(t, st)
	phone := "+4477009" + randomDigits(t, 5)
	out, err := w.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "uuid-" + randomDigits(t, 12), From: phone,
		Text: string(w.form.Code) + " Someone keeps sending me horrible messages."})
	require.NoError(t, err)
	require.Equal(t, app.TextOpened, out)
	var rc app.Receipt
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().LatestByPhone(ctx, phone)
		rc.Ref = ia.Ref
		return err
	}))
	won := wins(t, func(i int) (bool, error) {
		out, err := w.svc.Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: fmt.Sprint("uuid-", randomDigits(t, 12), "-", i),
			From: phone, Text: "link"})
		return out == app.TextLinked, err
	})
	assert.Equal(t, app.LinkPerNumber, won, "exactly the hour's limit of fresh links")
	links := freshLinks(t, st, w.svc, rc.Ref)
	assert.Len(t, links, app.LinkPerNumber)
	working := 0
	for _, ok := range links {
		if ok {
			working++
		}
	}
	assert.Equal(t, 1, working, "exactly one texted link opens the conversation")
}

// raceRecoveryAgainstErasure races requests for fresh links against the
// erasure of the conversations they are for. An erased conversation is
// never given a link, nor is one left queued for it; one not erased keeps
// exactly one working link.
func raceRecoveryAgainstErasure(t *testing.T, st ports.Store) {
	s := newEraseRaceSchool(t, st)
	op := app.Operator{Name: "race"}
	type reporter struct {
		email string
		rc    app.Receipt
	}
	reporters := make([]reporter, 10)
	for i := range reporters {
		reporters[i].email = fmt.Sprintf("gone%s@example.org", randomDigits(t, 10))
		out, err := s.now.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: s.formCode, Email: reporters[i].email, Body: "Someone took my phone at break."})
		require.NoError(t, err)
		reporters[i].rc = out.Receipt
	}
	var fns []func() error
	for i, r := range reporters {
		fns = append(fns, func() error {
			return s.now.Reporting.RecoverLink(ctx, app.RecoverLink{Email: r.email, IP: netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", i+1))})
		})
		if i%2 == 0 {
			fns = append(fns, func() error { return s.now.Operations.Erase(ctx, op, r.rc.Ref, "the reporter asked") })
		}
	}
	errs := make([]error, len(fns))
	race(len(fns), func(i int) { errs[i] = fns[i]() })
	for _, err := range errs {
		require.NoError(t, err)
	}
	for i, r := range reporters {
		if i%2 == 0 {
			assertNothingPersonalLeft(t, st, r.rc)
			continue
		}
		assertOnlyTheLastLinkWorks(t, st, s.now, r.rc, 1)
	}
}
