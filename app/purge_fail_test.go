package app_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

func TestPurgeErasesARowThatCannotBeDecrypted(t *testing.T) {
	s := newSchool(t)
	s.setRetention(t, domain.Retention6)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	refs := []domain.Reference{s.reportAt(t, t0, "first"), s.reportAt(t, t0, "second"), s.reportAt(t, t0, "third")}
	// The second's sealed name is damaged: a ciphertext sealed for another
	// column fails to open.
	_, err := s.store.(*store.Store).DB().NewRaw("UPDATE interactions SET reporter_name_sealed = email_sealed WHERE ref = ?", string(refs[1])).Exec(ctx)
	require.NoError(t, err)

	s.clock.t = t0.AddDate(1, 0, 0)
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", Batch: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Erased, "the damaged one too, and the rest")
	for _, ref := range refs {
		assert.NotNil(t, s.interaction(t, ref).ErasedAt, ref)
	}
}

// candidatesFail is a store whose reads of the purge's candidates fail.
type candidatesFail struct{ ports.Store }

func (c candidatesFail) View(ctx2 context.Context, fn func(tx ports.Tx) error) error {
	return c.Store.View(ctx2, func(tx ports.Tx) error { return fn(failingTx{tx}) })
}

type failingTx struct{ ports.Tx }

func (f failingTx) Interactions() ports.InteractionRepo {
	return failingCandidates{f.Tx.Interactions()}
}

type failingCandidates struct{ ports.InteractionRepo }

var errDiskOnFire = errors.New("disk on fire")

func (failingCandidates) DueCandidates(context.Context, ports.DueQuery) ([]*domain.Interaction, error) {
	return nil, errDiskOnFire
}

func TestAPurgeThatCannotReadItsCandidatesFails(t *testing.T) {
	s := newSchool(t)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	ref := s.reportAt(t, t0, "old")
	svc := app.New(app.Deps{Store: candidatesFail{s.store}, Clock: &fixedClock{t0.AddDate(5, 0, 0)}, Random: rand.Reader, Hasher: s.hasher})
	_, err := svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	assert.ErrorIs(t, err, errDiskOnFire, "the failure is reported, not taken for nothing to do")
	assert.Nil(t, s.interaction(t, ref).ErasedAt)
}

// countingMeter counts failed purges and nothing else.
type countingMeter struct {
	ports.Meter
	failed int
}

func (m *countingMeter) Purged(int, int) {}
func (m *countingMeter) PurgeFailed()    { m.failed++ }

func TestAFailedPurgeIsCounted(t *testing.T) {
	s := newSchool(t)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	s.reportAt(t, t0, "old")
	meter := &countingMeter{}
	deps := app.Deps{Clock: &fixedClock{t0.AddDate(5, 0, 0)}, Random: rand.Reader, Hasher: s.hasher, Meter: meter}
	deps.Store = candidatesFail{s.store}
	_, err := app.New(deps).Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.Error(t, err)
	assert.Equal(t, 1, meter.failed)
	deps.Store = s.store
	_, err = app.New(deps).Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Equal(t, 1, meter.failed, "a run that succeeds is not a failure")
}

func TestAStaffRowThatCannotBeDecryptedStopsOnlyTheWarning(t *testing.T) {
	s := newSchool(t)
	s.setRetention(t, domain.Retention6)
	admin, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "head@oakfield.example", FirstName: "Hana", Role: domain.RoleAdmin})
	require.NoError(t, err)
	_, err = s.store.(*store.Store).DB().NewRaw("UPDATE staff SET email_sealed = first_name_sealed WHERE id = ?", string(admin.Staff.ID)).Exec(ctx)
	require.NoError(t, err)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	gone := s.reportAt(t, t0, "due now")
	soon := s.reportAt(t, t0.AddDate(0, 0, 10), "due in ten days")

	s.clock.t = domain.Retention6.After(t0)
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Erased, "erasure goes on")
	assert.NotNil(t, s.interaction(t, gone).ErasedAt)
	assert.Zero(t, res.Warned)
	require.Len(t, res.Unwarned, 1)
	assert.Contains(t, res.Unwarned[0].Error(), string(admin.Staff.ID), "the row is named")
	assert.Contains(t, res.Unwarned[0].Error(), string(s.form.OrgID))
	assert.Nil(t, s.interaction(t, soon).ErasedAt)
}
