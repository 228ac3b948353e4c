package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// reportAt submits a report at the given time and returns its reference.
func (s school) reportAt(t *testing.T, at time.Time, body string) domain.Reference {
	t.Helper()
	s.clock.t = at
	rc, err := s.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: "OAK", Body: body, Email: "kid@example.org", Name: "Kim"})
	require.NoError(t, err)
	return rc.Ref
}

func (s school) interaction(t *testing.T, ref domain.Reference) *domain.Interaction {
	t.Helper()
	var ia *domain.Interaction
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) (err error) {
		ia, err = tx.Interactions().GetByRef(ctx, ref)
		return err
	}))
	return ia
}

func (s school) setRetention(t *testing.T, r domain.Retention) {
	t.Helper()
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Organisations().Change(ctx, s.form.OrgID, func(org *domain.Organisation) error {
			org.Retention = r
			return nil
		})
		return err
	}))
}

func TestPurgeHonoursEachRetentionPeriod(t *testing.T) {
	for _, r := range []domain.Retention{domain.Retention6, domain.Retention12, domain.Retention24, domain.Retention36} {
		t.Run(r.String(), func(t *testing.T) {
			s := newSchool(t)
			s.setRetention(t, r)
			t0 := time.Date(2025, 8, 31, 10, 0, 0, 0, time.UTC)
			open := s.reportAt(t, t0, "open one")
			closed := s.reportAt(t, t0, "closed one")
			// The closed one is closed a month later: its clock starts then.
			require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
				ia, err := tx.Interactions().GetByRef(ctx, closed)
				if err != nil {
					return err
				}
				_, err = tx.Interactions().Change(ctx, ia.ID, func(ia *domain.Interaction) error {
					ia.Close(t0.AddDate(0, 1, 0))
					return nil
				})
				return err
			}))

			due := r.After(t0)
			s.clock.t = due.Add(-time.Second)
			res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
			require.NoError(t, err)
			assert.Zero(t, res.Erased, "a second early, nothing is due")

			s.clock.t = due
			res, err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
			require.NoError(t, err)
			assert.Equal(t, 1, res.Erased, "the open one, from its last activity")
			assert.NotNil(t, s.interaction(t, open).ErasedAt)
			assert.Nil(t, s.interaction(t, closed).ErasedAt)

			s.clock.t = r.After(t0.AddDate(0, 1, 0))
			res, err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
			require.NoError(t, err)
			assert.Equal(t, 1, res.Erased, "the closed one, from its closing")
		})
	}
}

func TestPurgeSkipsHoldsAndIsIdempotent(t *testing.T) {
	s := newSchool(t)
	s.setRetention(t, domain.Retention6)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	held := s.reportAt(t, t0, "held")
	free := s.reportAt(t, t0, "free")
	op := app.Operator{Name: "alice"}
	require.NoError(t, s.svc.Operations.SetHold(ctx, op, held, true, "court order 123"))

	s.clock.t = t0.AddDate(1, 0, 0)
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", Batch: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Erased)
	assert.Equal(t, 1, res.Held)
	assert.Nil(t, s.interaction(t, held).ErasedAt)
	assert.NotNil(t, s.interaction(t, free).ErasedAt)

	again, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Zero(t, again.Erased, "idempotent")

	err = s.svc.Operations.Erase(ctx, op, held, "subject's request")
	assert.ErrorIs(t, err, app.ErrUnderHold)
	require.NoError(t, s.svc.Operations.SetHold(ctx, op, held, false, "case closed"))
	res, err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Erased, "released, it goes at the next run")
}

func TestPurgeWorksInBoundedBatches(t *testing.T) {
	s := newSchool(t)
	s.setRetention(t, domain.Retention6)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	for range 7 {
		s.reportAt(t, t0, "old")
	}
	s.clock.t = t0.AddDate(0, 7, 0)
	dry, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", DryRun: true, Batch: 3})
	require.NoError(t, err)
	assert.Equal(t, 7, dry.Erased, "a dry run counts across batches")
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", Batch: 3})
	require.NoError(t, err)
	assert.Equal(t, 7, res.Erased)
}

func TestPurgeWalksOrganisationsInBatchesAcrossThem(t *testing.T) {
	h := newHarness(t)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	report := func(code string, at time.Time) domain.Reference {
		h.clock.t = at
		rc, err := h.svc.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: code, Body: "a worry", Email: "kid@example.org"})
		require.NoError(t, err)
		return rc.Ref
	}
	var due, spared []domain.Reference
	// Each school's due ones fall due before the last one's of the school
	// walked before it, and each keeps one that a batch reads but that is
	// not yet due (within the days the purge's cutoff allows for months'
	// lengths), so a walk that carried its place from one school to the
	// next, or stopped at what is not due, would miss some.
	for n, school := range []struct {
		code string
		due  int
	}{{"ASH", 4}, {"BEECH", 0}, {"CEDAR", 3}} {
		org, err := h.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: school.code, RetentionMonths: 6})
		require.NoError(t, err)
		_, err = h.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: school.code, Code: school.code})
		require.NoError(t, err)
		for i := range school.due {
			due = append(due, report(school.code, t0.Add(time.Duration(i*10-n)*time.Hour)))
		}
		spared = append(spared, report(school.code, t0.AddDate(0, 1, 2)))
	}
	asOf := t0.AddDate(0, 7, 0)
	h.clock.t = asOf
	dry, err := h.svc.Operations.Purge(ctx, app.Purge{Actor: "test", DryRun: true, Batch: 2})
	require.NoError(t, err)
	assert.Equal(t, len(due), dry.Erased, "a dry run counts across batches and schools")
	res, err := h.svc.Operations.Purge(ctx, app.Purge{Actor: "test", Batch: 2})
	require.NoError(t, err)
	assert.Equal(t, len(due), res.Erased)
	s := school{harness: h}
	for _, ref := range due {
		assert.NotNil(t, s.interaction(t, ref).ErasedAt, "due: %s", ref)
	}
	for _, ref := range spared {
		assert.Nil(t, s.interaction(t, ref).ErasedAt, "not due: %s", ref)
	}
}

func TestDryRunChangesNothingAndAsOfNeedsIt(t *testing.T) {
	s := newSchool(t)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	ref := s.reportAt(t, t0, "old")
	future := t0.AddDate(5, 0, 0)
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", DryRun: true, AsOf: &future})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Erased)
	assert.Nil(t, s.interaction(t, ref).ErasedAt)
	_, err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", AsOf: &future})
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
}

func TestStatisticsSurviveErasure(t *testing.T) {
	s := newSchool(t)
	s.setRetention(t, domain.Retention6)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	for range 6 {
		s.reportAt(t, t0, "report")
	}
	org := s.form.OrgID
	from, to := t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0)
	before, err := s.svc.Operations.Stats(ctx, &org, from, to)
	require.NoError(t, err)
	s.clock.t = t0.AddDate(1, 0, 0)
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	require.Equal(t, 6, res.Erased)
	after, err := s.svc.Operations.Stats(ctx, &org, from, to)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	web := app.OperatorStatsRow{Inbox: "General", Channel: domain.ChannelWeb, Region: "unknown"}
	cell, combination := web, web
	cell.Month, cell.Count = "2026-01", 6
	combination.Total, combination.Count = true, 6
	assert.Equal(t, []app.OperatorStatsRow{
		{Month: "2025-12", Total: true},
		cell,
		{Month: "2026-01", Total: true, Count: 6},
		{Month: "2026-02", Total: true},
		combination,
		{Total: true, Count: 6},
	}, after)
}

func TestAdminsAreWarnedOnceBeforeErasure(t *testing.T) {
	s := newSchool(t)
	s.setRetention(t, domain.Retention6)
	_, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "head@oakfield.example", FirstName: "Hana", Role: domain.RoleAdmin})
	require.NoError(t, err)
	// Due at 23:30 UTC on 10 July: already 11 July on the school's clock.
	t0 := time.Date(2026, 1, 10, 23, 30, 0, 0, time.UTC)
	ref := s.reportAt(t, t0, "soon gone")
	warnings := func() []*domain.Delivery {
		var out []*domain.Delivery
		require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
			all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
			for _, d := range all {
				if d.Kind == domain.DeliveryErasureWarning {
					out = append(out, d)
				}
			}
			return err
		}))
		return out
	}
	s.clock.t = domain.Retention6.After(t0).Add(-15 * 24 * time.Hour)
	_, err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Empty(t, warnings(), "not yet within fourteen days")

	s.clock.t = domain.Retention6.After(t0).Add(-13 * 24 * time.Hour)
	res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Warned)
	got := warnings()
	require.Len(t, got, 1, "one email, to the one admin")
	assert.Equal(t, "head@oakfield.example", got[0].To)
	// The day on the school's clock, which the email names in its
	// reader's language (adapters/mail).
	assert.Contains(t, got[0].Body, string(ref)+" 2026-07-11", "the day in Europe/London")
	assert.Equal(t, domain.English, got[0].Language, "the admin's own language")
	assert.Equal(t, 1, got[0].Count)
	assert.NotContains(t, got[0].Body, "soon gone")
	assert.NotContains(t, got[0].Body, "Kim")

	s.clock.t = s.clock.t.Add(24 * time.Hour)
	res, err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
	require.NoError(t, err)
	assert.Zero(t, res.Warned, "once per interaction")
	assert.Len(t, warnings(), 1)
}
