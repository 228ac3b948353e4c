package app_test

import (
	"crypto/rand"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// cachingService is a second service on the school's store that keeps
// what taking a report reads for keep, as whisperd does for
// app.IntakeCacheFor.
func (s school) cachingService(keep time.Duration) *app.App {
	return app.New(app.Deps{Store: s.store, Clock: s.clock, Random: rand.Reader, Hasher: s.hasher,
		PublicURL: "https://whisper.example.org", IntakeCacheFor: keep})
}

// closeBehindItsBack closes the form straight in the store, as another
// instance or whisperctl would.
func (s school) closeBehindItsBack(t *testing.T) {
	t.Helper()
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		form, err := tx.Forms().Get(ctx, s.form.ID)
		if err != nil {
			return err
		}
		form.Open = false
		return storetest.SaveForm(tx, form)
	}))
}

func TestACachedFormServesReportsUntilItIsStale(t *testing.T) {
	s := newSchool(t)
	report := app.SubmitReport{FormCode: "oak", Body: "Someone keeps taking my lunch"}

	cached := s.cachingService(time.Hour)
	_, err := cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err)
	s.closeBehindItsBack(t)
	_, err = cached.Reporting.SubmitReport(ctx, report)
	assert.NoError(t, err, "within its time the cached form still takes the report")
	rf, err := cached.Reporting.ReportForm(ctx, "OAK")
	require.NoError(t, err)
	assert.True(t, rf.Accepting, "and still shows as open")

	fresh := s.cachingService(time.Nanosecond)
	_, err = fresh.Reporting.SubmitReport(ctx, report)
	assert.ErrorIs(t, err, app.ErrNotAccepting, "a stale form is read again")
}

func TestChangesThroughTheServiceAreSeenAtOnce(t *testing.T) {
	s := newSchool(t)
	svc := s.cachingService(time.Hour)
	report := app.SubmitReport{FormCode: "OAK", Body: "Someone keeps taking my lunch"}
	_, err := svc.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err, "the form is now cached")

	inbox, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "Online worries"})
	require.NoError(t, err)
	_, err = svc.Reporting.SubmitReport(ctx, report)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "a second category must now be chosen")
	report.InboxID = string(inbox.ID)
	_, err = svc.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err, "the new category is known")

	_, err = svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, s.form.OrgID, domain.OrgSuspended, "test")
	require.NoError(t, err)
	_, err = svc.Reporting.SubmitReport(ctx, report)
	assert.ErrorIs(t, err, app.ErrNotAccepting, "a suspended school takes no reports")
}

// Reports and changes side by side: no data race, and the last change
// is what the next report sees.
func TestFormCacheUnderConcurrentReportsAndChanges(t *testing.T) {
	s := newSchool(t)
	svc := s.cachingService(time.Hour)
	report := app.SubmitReport{FormCode: "OAK", Body: "Someone keeps taking my lunch"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 5 {
				if i == 0 {
					_, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: fmt.Sprint("More ", j)})
					assert.NoError(t, err)
					continue
				}
				_, _ = svc.Reporting.ReportForm(ctx, "OAK")
			}
		})
	}
	wg.Wait()
	rf, err := svc.Reporting.ReportForm(ctx, "OAK")
	require.NoError(t, err)
	assert.Len(t, rf.Inboxes, 6, "the form's first inbox and the five added")
	_, err = svc.Reporting.SubmitReport(ctx, report)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "with several categories one must be chosen")
}

// alerted is who a report's staff alerts went to.
func (s school) alerted(t *testing.T, ref domain.Reference) []string {
	t.Helper()
	var to []string
	for _, d := range s.deliveries(t, ref) {
		if d.Kind == domain.DeliveryStaffNewReport {
			to = append(to, d.To)
		}
	}
	return to
}

// Whom a report alerts is never cached: a member added by another
// instance or by whisperctl a moment ago is alerted of the next report.
func TestStaffAssignedToAnInboxAreAlertedAtOnceWhateverTheCache(t *testing.T) {
	s := newSchool(t)
	report := app.SubmitReport{FormCode: "OAK", Body: "Someone keeps taking my lunch"}
	cached := s.cachingService(time.Hour)
	_, err := cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err, "the form is now cached")

	sam := app.CreateStaff{OrgID: s.form.OrgID, Email: "sam@oakfield.example", FirstName: "Sam", InboxIDs: []domain.InboxID{s.inbox.ID}}
	_, err = s.svc.Operations.CreateStaff(ctx, sam)
	require.NoError(t, err)
	rc, err := cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"dsl@oakfield.example", "alex@oakfield.example", "sam@oakfield.example"}, s.alerted(t, rc.Ref),
		"a member added by another instance is alerted while the form is cached")
}

func TestBlocksAreSeenAtOnceThroughTheServiceAndOnceStaleOtherwise(t *testing.T) {
	s := newSchool(t)
	troll := netip.MustParseAddr("198.51.100.66")
	report := app.SubmitReport{FormCode: "OAK", Body: "abuse", IP: troll}
	cached := s.cachingService(time.Hour)
	rc, err := cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err, "no block is in force, and the cache now knows it")

	_, err = cached.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref, Reason: "repeated abuse", Days: 30, IP: true})
	require.NoError(t, err)
	_, err = cached.Reporting.SubmitReport(ctx, report)
	assert.ErrorIs(t, err, app.ErrRefused, "a block through the same service holds at once")
	_, err = cached.Operations.Unblock(ctx, alice, rc.Ref, "appeal upheld")
	require.NoError(t, err)
	_, err = cached.Reporting.SubmitReport(ctx, report)
	require.NoError(t, err, "and so does lifting it")

	_, err = s.svc.Operations.Block(ctx, alice, app.Blocking{Ref: rc.Ref, Reason: "repeated abuse", Days: 30, IP: true})
	require.NoError(t, err)
	_, err = cached.Reporting.SubmitReport(ctx, report)
	assert.NoError(t, err, "a block by another instance or whisperctl waits for the cache to go stale")
	_, err = s.cachingService(time.Nanosecond).Reporting.SubmitReport(ctx, report)
	assert.ErrorIs(t, err, app.ErrRefused, "and then holds")
	_, err = s.cachingService(time.Nanosecond).Reporting.ReceiveText(ctx, app.InboundText{MessageUUID: "u1", From: "447700900123", Text: "OAK hello"})
	assert.NoError(t, err, "while only that sender is refused")
}
