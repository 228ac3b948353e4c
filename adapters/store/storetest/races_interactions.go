package storetest

import (
	"crypto/rand"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// interactionRaces race interaction requests against each other.
var interactionRaces = map[string]func(*testing.T, ports.Store){
	"StaleReplyNeverUndoesAnErasure": raceRepliesAgainstErasure,
	"HoldRacingThePurge":             raceHoldsAgainstPurge,
	"RectifyNeverUndoesAnErasure":    raceRectifyAgainstErasure,
}

// eraseRaceSchool is one organisation with a form, an admin to answer
// reports, and two services over the same store: one whose clock is when
// the reports come in, and one whose clock is years later, when every
// report is past its retention.
type eraseRaceSchool struct {
	st         ports.Store
	now, later *app.App
	admin      *app.Actor
	formCode   string
}

func newEraseRaceSchool(t *testing.T, st ports.Store) eraseRaceSchool {
	t.Helper()
	at := now
	service := func(at time.Time) *app.App {
		return app.New(app.Deps{Store: st, Clock: &raceClock{t: at}, Random: rand.Reader,
			Hasher: testHasher{}, PublicURL: "https://whisper.example.org/"})
	}
	s := eraseRaceSchool{st: st, now: service(at), later: service(at.AddDate(5, 0, 0)), formCode: "RACE"}
	org, err := s.now.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Raceway Primary", RetentionMonths: 6})
	require.NoError(t, err)
	_, err = s.now.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Raceway", Code: s.formCode})
	require.NoError(t, err)
	head, err := s.now.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: "head@raceway.example", FirstName: "Hana", Role: domain.RoleAdmin})
	require.NoError(t, err)
	s.admin = &app.Actor{Staff: head.Staff, Org: org, Viewer: domain.ViewerOf(head.Staff)}
	return s
}

// report submits n reports, each with a name, an email address and an IP
// address: personal data that erasure must remove.
func (s eraseRaceSchool) report(t *testing.T, n int) []app.Receipt {
	t.Helper()
	out := make([]app.Receipt, n)
	for i := range out {
		rc, err := s.now.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: s.formCode, Name: "Kim",
			Email: fmt.Sprintf("kid%d@example.org", i), Body: "Someone took my phone at break.",
			IP: netip.MustParseAddr("203.0.113.9")})
		require.NoError(t, err)
		out[i] = rc.Receipt
	}
	return out
}

// assertNothingPersonalLeft checks that the interaction is marked erased
// and that nothing personal is left of it: no name, link, contact data,
// message text, address or town, and no queued email or text.
func assertNothingPersonalLeft(t *testing.T, st ports.Store, rc app.Receipt) {
	t.Helper()
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, rc.Ref)
		require.NoError(t, err)
		assert.NotNil(t, ia.ErasedAt, "%s: erased, and the erasure never undone", rc.Ref)
		assert.Empty(t, ia.ReporterName, "%s: no reporter name", rc.Ref)
		_, err = tx.Interactions().GetByToken(ctx, rc.Token)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "%s: the link opens nothing", rc.Ref)
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.Contact{}, c, "%s: no contact data", rc.Ref)
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		for _, m := range msgs {
			assert.Empty(t, m.Body, "%s: message %s has no text", rc.Ref, m.ID)
			meta, err := tx.Messages().Meta(ctx, m.ID)
			require.NoError(t, err)
			assert.Empty(t, meta.IP, "%s: message %s has no IP address", rc.Ref, m.ID)
			assert.Empty(t, meta.Location, "%s: message %s has no town", rc.Ref, m.ID)
		}
		queued, err := tx.Outbox().List(ctx, ports.OutboxFilter{InteractionID: &ia.ID})
		require.NoError(t, err)
		assert.Empty(t, queued, "%s: no email or text waits or was kept", rc.Ref)
		return nil
	}))
}

// refusedOnlyAsErased passes on err unless it is how a reply is refused
// when the interaction it answers was erased under it: as an erased link
// or an erased case is, not found.
func refusedOnlyAsErased(err error) error {
	if domain.KindOf(err) == domain.KindNotFound {
		return nil
	}
	return err
}

// raceRepliesAgainstErasure races replies from both sides against the
// erasure of the same interactions, half by an operator's erasure request
// and half by the retention purge. A reply that read the interaction
// before it was erased must not write its personal data back, clear the
// erasure, or leave a message text or queued delivery behind.
func raceRepliesAgainstErasure(t *testing.T, st ports.Store) {
	s := newEraseRaceSchool(t, st)
	op := app.Operator{Name: "race"}
	for round := range 3 {
		receipts := s.report(t, 12)
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		do := func(fn func() error) {
			wg.Go(func() {
				<-start
				errs <- fn()
			})
		}
		for i, rc := range receipts {
			for range 2 {
				do(func() error {
					_, err := s.now.Reporting.ReporterReply(ctx, app.ReporterReply{Token: string(rc.Token), Body: "It happened again today.", IP: netip.MustParseAddr("198.51.100.4")})
					return refusedOnlyAsErased(err)
				})
			}
			do(func() error {
				_, err := s.now.Portal.StaffReply(ctx, s.admin, string(rc.Ref), "Thank you, we are looking into it.", netip.MustParseAddr("192.0.2.1"))
				return refusedOnlyAsErased(err)
			})
			if i%2 == 0 {
				do(func() error { return s.now.Operations.Erase(ctx, op, rc.Ref, "the reporter asked") })
			}
		}
		// The purge erases every one of them: all are long past retention,
		// whatever the replies do, since they happen at the reports' time.
		do(func() error { _, err := s.later.Operations.Purge(ctx, app.Purge{Actor: "race", Batch: 4}); return err })
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err, "round %d", round)
		}
		// Every erasure succeeded, so one found unerased had it undone.
		for _, rc := range receipts {
			assertNothingPersonalLeft(t, st, rc)
		}
		if t.Failed() {
			return
		}
	}
}

// raceHoldsAgainstPurge sets legal holds on interactions, all past their
// retention, while two retention purges run. For each interaction, a
// SetHold(true) that succeeded and an erasure must not both happen, unless
// the erasure came first, and then SetHold must have failed: a hold set is
// a hold kept. And the purges count each erasure once.
func raceHoldsAgainstPurge(t *testing.T, st ports.Store) {
	s := newEraseRaceSchool(t, st)
	op := app.Operator{Name: "race"}
	for round := range 3 {
		receipts := s.report(t, 20)
		start := make(chan struct{})
		var wg sync.WaitGroup
		holdErrs := make([]error, len(receipts))
		eraseErrs := make(map[int]*error)
		var purged [2]app.PurgeResult
		var purgeErrs [2]error
		for i, rc := range receipts {
			wg.Go(func() {
				<-start
				holdErrs[i] = s.later.Operations.SetHold(ctx, op, rc.Ref, true, "a court order")
			})
			if i%3 == 0 {
				// An erasure request for some, too: it erases, or answers
				// that a hold came first.
				eraseErrs[i] = new(error)
				wg.Go(func() {
					<-start
					*eraseErrs[i] = s.later.Operations.Erase(ctx, op, rc.Ref, "the reporter asked")
				})
			}
		}
		for i := range purged {
			wg.Go(func() {
				<-start
				purged[i], purgeErrs[i] = s.later.Operations.Purge(ctx, app.Purge{Actor: "race", Batch: 3})
			})
		}
		close(start)
		wg.Wait()
		for _, err := range purgeErrs {
			require.NoError(t, err, "round %d", round)
		}
		erased, byPurgeOnly := 0, 0
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			for i, rc := range receipts {
				ia, err := tx.Interactions().GetByRef(ctx, rc.Ref)
				require.NoError(t, err)
				if holdErrs[i] == nil {
					assert.Nil(t, ia.ErasedAt, "round %d: %s: held successfully, yet erased", round, rc.Ref)
					assert.True(t, ia.LegalHold, "round %d: %s: held successfully, yet not held", round, rc.Ref)
				} else {
					assert.Equal(t, domain.KindConflict, domain.KindOf(holdErrs[i]), "round %d: %s: %v", round, rc.Ref, holdErrs[i])
					assert.NotNil(t, ia.ErasedAt, "round %d: %s: a hold refused, yet not erased", round, rc.Ref)
				}
				e, asked := eraseErrs[i]
				switch {
				case asked && *e == nil:
					assert.NotNil(t, ia.ErasedAt, "round %d: %s: an erasure request answered, yet not erased", round, rc.Ref)
				case asked:
					assert.ErrorIs(t, *e, app.ErrUnderHold, "round %d: %s", round, rc.Ref)
					assert.Nil(t, ia.ErasedAt, "round %d: %s: an erasure refused, yet erased", round, rc.Ref)
				}
				if ia.ErasedAt != nil {
					erased++
					if !asked {
						byPurgeOnly++
					}
				}
			}
			return nil
		}))
		// The purges count each erasure of theirs once: all those no
		// erasure request raced, and perhaps some of the others.
		byPurges := purged[0].Erased + purged[1].Erased
		assert.True(t, byPurgeOnly <= byPurges && byPurges <= erased, "round %d: the purges counted %d erasures; %d are theirs alone, %d in all", round, byPurges, byPurgeOnly, erased)
		if t.Failed() {
			return
		}
	}
}
