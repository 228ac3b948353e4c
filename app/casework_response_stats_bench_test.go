package app_test

import (
	"crypto/rand"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// BenchmarkStatsPage measures the statistics page's two reads
// (Portal.Stats, the counts; Casework.ResponseStats, the first replies and
// the open interactions' ages) for an organisation with 10,000
// interactions, all in the year the page shows by default, four in five
// answered by staff, spread over four inboxes. Its first replies read one
// row per interaction, where the counts read one per month and inbox, so
// it is the heavier. SQLite always runs; PostgreSQL when
// WHISPER_TEST_DATABASE_URL is set:
//
//	WHISPER_TEST_DATABASE_URL=postgres://… go test -run '^$' -bench StatsPage -benchtime 20x ./app
//
// Seeding is not timed. Each variant reports the median and 95th
// percentile of its iterations (p50-ms, p95-ms).
func BenchmarkStatsPage(b *testing.B) {
	const n = 10_000
	b.Run("sqlite", func(b *testing.B) { benchStatsPage(b, storetest.OpenSQLite(b), n) })
	b.Run("postgres", func(b *testing.B) { benchStatsPage(b, storetest.OpenPostgres(b), n) })
}

func benchStatsPage(b *testing.B, st *store.Store, n int) {
	clock := &fixedClock{time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	svc := app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 1), PublicURL: "https://w.example"})
	org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield High", RetentionMonths: 36})
	require.NoError(b, err)
	fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Oakfield High", Code: "OAKH"})
	require.NoError(b, err)
	inboxes := []*domain.Inbox{fc.Inbox}
	for _, name := range []string{"Bullying", "Online worries", "At home"} {
		ib, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: fc.Form.ID, Name: name})
		require.NoError(b, err)
		inboxes = append(inboxes, ib)
	}
	admin, err := svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: org.ID, Email: "head@oakfield.example", FirstName: "Hana", Role: domain.RoleAdmin, Password: "correct horse battery staple"})
	require.NoError(b, err)

	rng := mrand.New(mrand.NewPCG(20, 10_000))
	// From 1 December 2025: the year to November 2026 the page shows.
	span := clock.t.Sub(time.Date(2025, 12, 1, 1, 0, 0, 0, time.UTC))
	var answered []domain.InteractionID
	var created []time.Time
	seedInteractions(b, st, n, func(i int) seedRow {
		at := clock.t.Add(-span + time.Duration(float64(span)*float64(i)/float64(n))).Truncate(time.Microsecond)
		r := seedRow{form: fc.Form, inbox: inboxes[rng.IntN(len(inboxes))], created: at, activity: at}
		r.closed = rng.IntN(100) < 70 && clock.t.Sub(at) > 7*24*time.Hour
		return r
	})
	// Four in five answered, after up to two days.
	require.NoError(b, st.View(ctx, func(tx ports.Tx) error {
		list, err := tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &org.ID})
		for _, ia := range list {
			if rng.IntN(5) > 0 {
				answered, created = append(answered, ia.ID), append(created, ia.CreatedAt)
			}
		}
		return err
	}))
	for done := 0; done < len(answered); done += 1000 {
		require.NoError(b, st.InTx(ctx, func(tx ports.Tx) error {
			for i := done; i < min(done+1000, len(answered)); i++ {
				id, err := domain.NewMessageID(rand.Reader)
				if err != nil {
					return err
				}
				reply := &domain.Message{ID: id, InteractionID: answered[i], Author: domain.AuthorStaff, StaffID: admin.Staff.ID,
					Body: "Thank you for telling us.", CreatedAt: created[i].Add(time.Duration(rng.IntN(48*3600)) * time.Second)}
				if err := tx.Messages().Add(ctx, reply, domain.Meta{}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	actor := &app.Actor{Staff: admin.Staff, Viewer: domain.ViewerOf(admin.Staff)}
	for _, v := range []struct {
		name string
		read func() error
	}{
		{"counts", func() error {
			counts, err := svc.Portal.Stats(ctx, actor, "", "")
			if err == nil && counts.Total.Count != n {
				b.Fatalf("counted %v", counts.Total)
			}
			return err
		}},
		{"store/first-replies", func() error {
			return st.View(ctx, func(tx ports.Tx) error {
				_, err := tx.StaffView().FirstReplies(ctx, actor.Viewer, clock.t.AddDate(-1, 0, 0), clock.t)
				return err
			})
		}},
		{"store/open-ages", func() error {
			return st.View(ctx, func(tx ports.Tx) error {
				_, err := tx.StaffView().OpenAges(ctx, actor.Viewer, clock.t)
				return err
			})
		}},
		{"responses", func() error {
			rep, err := svc.Casework.ResponseStats(ctx, actor, "", "")
			if err == nil && (rep.Median.None || rep.Median.Suppressed) {
				b.Fatalf("median %v", rep.Median)
			}
			return err
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				began := time.Now()
				if err := v.read(); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(began))
			}
			b.StopTimer()
			reportPercentiles(b, times)
		})
	}
}
