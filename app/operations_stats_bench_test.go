package app_test

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// BenchmarkOperatorStats measures what `whisperctl stats` does without an
// --org: Operations.Stats over every organisation, here 50 of them with
// 10,000 interactions in all over 36 months, two in three by the web and
// one in five erased. SQLite always runs; PostgreSQL when
// WHISPER_TEST_DATABASE_URL is set:
//
//	WHISPER_TEST_DATABASE_URL=postgres://… go test -run '^$' -bench OperatorStats -benchtime 10x ./app
//
// Seeding is not timed. Besides time and allocations, it reports
// peak-heap-MB, the largest heap a sampler saw while the statistics ran:
// the store counts as it reads, so it should stay near the baseline
// (base-heap-MB) however many interactions there are, where holding every
// interaction of the range made it grow with them.
func BenchmarkOperatorStats(b *testing.B) {
	const orgs, n = 50, 10_000
	b.Run("sqlite", func(b *testing.B) { benchOperatorStats(b, storetest.OpenSQLite(b), orgs, n) })
	b.Run("postgres", func(b *testing.B) { benchOperatorStats(b, storetest.OpenPostgres(b), orgs, n) })
}

func benchOperatorStats(b *testing.B, st *store.Store, orgs, n int) {
	clock := &fixedClock{time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	svc := app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 1), PublicURL: "https://w.example"})
	forms := make([]*domain.Form, orgs)
	inboxes := make([][]*domain.Inbox, orgs)
	for o := range orgs {
		org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: fmt.Sprintf("School %d", o), RetentionMonths: 36})
		require.NoError(b, err)
		fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: fmt.Sprintf("School %d", o), Code: fmt.Sprintf("SCH%d", o)})
		require.NoError(b, err)
		ib, err := svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: fc.Form.ID, Name: "Online worries"})
		require.NoError(b, err)
		forms[o], inboxes[o] = fc.Form, []*domain.Inbox{fc.Inbox, ib}
	}
	rng := mrand.New(mrand.NewPCG(50, 10_000))
	from := clock.t.AddDate(-3, 0, 0)
	span := clock.t.Sub(from)
	seedInteractions(b, st, n, func(i int) seedRow {
		o := rng.IntN(orgs)
		at := from.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Microsecond)
		return seedRow{form: forms[o], inbox: inboxes[o][rng.IntN(2)], created: at, activity: at,
			sms: rng.IntN(3) == 0, erased: rng.IntN(5) == 0}
	})

	runtime.GC()
	base := heapBytes()
	var peak uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		stop := sampleHeap(&peak)
		rows, err := svc.Operations.Stats(ctx, nil, from, clock.t)
		stop()
		require.NoError(b, err)
		require.NotEmpty(b, rows)
	}
	b.ReportMetric(float64(base)/(1<<20), "base-heap-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// heapBytes is the memory that heap objects occupy now, live or not yet
// collected.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap raises *peak to the largest heap it sees, every millisecond,
// until the returned stop is called. It measures; it asserts nothing.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			*peak = max(*peak, heapBytes())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
