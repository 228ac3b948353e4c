package app_test

import (
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

// TestPurgesAtOnceEraseAndWarnEachOnce runs purges at once without
// app.PurgeLock, which whisperd and whisperctl take, to show the purge
// itself never erases or warns of an interaction twice: between them
// they erase each due one once and warn of each soon-due one in one email.
func TestPurgesAtOnceEraseAndWarnEachOnce(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) ports.Store{
		"sqlite":   func(t *testing.T) ports.Store { return storetest.OpenSQLite(t) },
		"postgres": func(t *testing.T) ports.Store { return storetest.OpenPostgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSchoolOn(t, newHarnessOn(t, open(t)))
			s.setRetention(t, domain.Retention6)
			_, err := s.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.form.OrgID, Email: "head@oakfield.example", FirstName: "Hana", Role: domain.RoleAdmin})
			require.NoError(t, err)
			t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
			for n := range 6 {
				s.reportAt(t, t0, "old")
				s.reportAt(t, t0.AddDate(0, 0, 15+n), "soon")
			}
			s.clock.t = domain.Retention6.After(t0).Add(10 * 24 * time.Hour)

			const purges = 8
			results := make([]app.PurgeResult, purges)
			var wg sync.WaitGroup
			for n := range purges {
				wg.Go(func() {
					var err error
					results[n], err = s.svc.Operations.Purge(ctx, app.Purge{Actor: "test", Batch: 2})
					assert.NoError(t, err)
				})
			}
			wg.Wait()
			erased, warned := 0, 0
			for _, r := range results {
				erased += r.Erased
				warned += r.Warned
			}
			assert.Equal(t, 6, erased, "each due one erased once")
			assert.Equal(t, 6, warned, "each soon-due one warned of once")
			var emails, lines int
			require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
				all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
				for _, d := range all {
					if d.Kind == domain.DeliveryErasureWarning {
						emails++
						lines += d.Count
					}
				}
				return err
			}))
			assert.Equal(t, 6, lines, "the emails name each one once")
			assert.LessOrEqual(t, emails, purges)
		})
	}
}
