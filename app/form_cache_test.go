package app_test

import (
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// cachingService is a second service on the school's store that keeps
// report forms for keep, as whisperd does for app.FormCacheFor.
func (s school) cachingService(keep time.Duration) *app.Service {
	return app.New(app.Deps{Store: s.store, Clock: s.clock, Random: rand.Reader, Hasher: s.hasher,
		PublicURL: "https://whisper.example.org", FormCacheFor: keep})
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
		return tx.Forms().Update(ctx, form)
	}))
}

func TestACachedFormServesReportsUntilItIsStale(t *testing.T) {
	s := newSchool(t)
	report := app.SubmitReport{FormCode: "oak", Body: "Someone keeps taking my lunch"}

	cached := s.cachingService(time.Hour)
	_, err := cached.SubmitReport(ctx, report)
	require.NoError(t, err)
	s.closeBehindItsBack(t)
	_, err = cached.SubmitReport(ctx, report)
	assert.NoError(t, err, "within its time the cached form still takes the report")
	rf, err := cached.ReportForm(ctx, "OAK")
	require.NoError(t, err)
	assert.True(t, rf.Accepting, "and still shows as open")

	fresh := s.cachingService(time.Nanosecond)
	_, err = fresh.SubmitReport(ctx, report)
	assert.ErrorIs(t, err, app.ErrNotAccepting, "a stale form is read again")
}

func TestChangesThroughTheServiceAreSeenAtOnce(t *testing.T) {
	s := newSchool(t)
	svc := s.cachingService(time.Hour)
	report := app.SubmitReport{FormCode: "OAK", Body: "Someone keeps taking my lunch"}
	_, err := svc.SubmitReport(ctx, report)
	require.NoError(t, err, "the form is now cached")

	inbox, err := svc.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "Online worries"})
	require.NoError(t, err)
	_, err = svc.SubmitReport(ctx, report)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "a second category must now be chosen")
	report.InboxID = string(inbox.ID)
	_, err = svc.SubmitReport(ctx, report)
	require.NoError(t, err, "the new category is known")

	_, err = svc.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, s.form.OrgID, domain.OrgSuspended)
	require.NoError(t, err)
	_, err = svc.SubmitReport(ctx, report)
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
			for range 5 {
				if i == 0 {
					_, err := svc.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "More"})
					assert.NoError(t, err)
					continue
				}
				_, _ = svc.ReportForm(ctx, "OAK")
			}
		})
	}
	wg.Wait()
	rf, err := svc.ReportForm(ctx, "OAK")
	require.NoError(t, err)
	assert.Len(t, rf.Inboxes, 6, "the form's first inbox and the five added")
	_, err = svc.SubmitReport(ctx, report)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err), "with several categories one must be chosen")
}
