package app_test

import (
	"crypto/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// signedIn is the actor of a session opened for m.
func (s school) signedIn(t *testing.T, m *domain.Staff) *app.Actor {
	t.Helper()
	token, err := domain.NewToken(rand.Reader)
	require.NoError(t, err)
	now := s.clock.Now()
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now})
	}))
	a, err := s.svc.Portal.Authenticate(ctx, string(token))
	require.NoError(t, err)
	return a
}

// historyKinds is the kinds of a report's history, oldest first, read
// around the staff's view.
func (s school) historyKinds(t *testing.T, ref domain.Reference) []domain.HistoryKind {
	t.Helper()
	var out []domain.HistoryKind
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		lines, err := tx.History().List(ctx, ia.ID)
		for _, l := range lines {
			out = append(out, l.Kind)
		}
		return err
	}))
	return out
}

// A report's history records what staff did, in the same transaction, and
// goes when the report is erased, by the operator or by the retention
// purge, on both stores.
func TestHistoryIsWrittenAndErased(t *testing.T) {
	for name, open := range map[string]func(testing.TB) ports.Store{
		"sqlite":   func(t testing.TB) ports.Store { return storetest.OpenSQLite(t) },
		"postgres": func(t testing.TB) ports.Store { return storetest.OpenPostgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSchoolOn(t, newHarnessOn(t, open(t)))
			s.setRetention(t, domain.Retention6)
			t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
			erased, purged := s.reportAt(t, t0, "one"), s.reportAt(t, t0, "two")
			a := s.signedIn(t, s.staff)
			for _, ref := range []domain.Reference{erased, purged} {
				_, err := s.svc.Portal.ReadInteraction(ctx, a, string(ref))
				require.NoError(t, err)
				_, err = s.svc.Portal.StaffReply(ctx, a, string(ref), "We will talk to you today.", netip.Addr{})
				require.NoError(t, err)
				require.NoError(t, s.svc.Portal.SetInteractionStatus(ctx, a, string(ref), "closed"))
				rec, err := s.svc.Casework.Record(ctx, a, string(ref))
				require.NoError(t, err)
				assert.Equal(t, "Alex", rec.TakenBy)
			}
			_, err := exportAll(s.svc, a, "csv")
			require.NoError(t, err)
			want := []domain.HistoryKind{domain.HistoryRead, domain.HistoryReplied, domain.HistoryClosed, domain.HistoryPrinted, domain.HistoryExported}
			assert.Equal(t, want, s.historyKinds(t, erased))
			assert.Equal(t, want, s.historyKinds(t, purged))

			require.NoError(t, s.svc.Operations.Erase(ctx, app.Operator{Name: "alice"}, erased, "subject's request"))
			assert.Empty(t, s.historyKinds(t, erased), "erased by the operator")
			assert.Equal(t, want, s.historyKinds(t, purged), "the other kept")

			s.clock.t = t0.AddDate(1, 0, 0)
			res, err := s.svc.Operations.Purge(ctx, app.Purge{Actor: "test"})
			require.NoError(t, err)
			require.Equal(t, 1, res.Erased)
			assert.Empty(t, s.historyKinds(t, purged), "erased by the purge")
		})
	}
}
