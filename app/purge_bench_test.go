package app_test

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"sync/atomic"
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

// BenchmarkPurge100k erases a backlog of 100,000 due interactions of one
// organisation, each with a message and contact data, on each store, and
// reports the erasures a second and the peak heap. The walk reads each
// batch from where the last one ended, so the rate does not fall as the
// backlog grows (it did when each batch read the whole backlog again).
// PostgreSQL's runs with a server:
//
//	WHISPER_TEST_DATABASE_URL=postgres://… go test -run '^$' -bench Purge100k -benchtime 1x ./app
func BenchmarkPurge100k(b *testing.B) {
	for _, store := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(store.name, func(b *testing.B) { benchmarkPurge(b, store.open, 100_000) })
	}
}

func benchmarkPurge(b *testing.B, open func(testing.TB) *store.Store, n int) {
	for range b.N {
		b.StopTimer()
		st := open(b)
		clock := &fixedClock{time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)}
		svc := app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 1), PublicURL: "https://w.example"})
		org, err := svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Big Trust", RetentionMonths: 6})
		require.NoError(b, err)
		fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Big", Code: "BIG"})
		require.NoError(b, err)
		fill(b, st, fc.Form, fc.Inbox, clock.t, n)

		clock.t = clock.t.AddDate(1, 0, 0)
		var peak atomic.Uint64
		stop := watchHeap(&peak)
		b.StartTimer()
		res, err := svc.Operations.Purge(ctx, app.Purge{Actor: "bench", Batch: 1000})
		b.StopTimer()
		stop()
		require.NoError(b, err)
		require.Equal(b, n, res.Erased)
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "erased/s")
	}
}

// fill stores n reports directly, a thousand to a transaction.
func fill(b *testing.B, st ports.Store, form *domain.Form, inbox *domain.Inbox, at time.Time, n int) {
	for done := 0; done < n; done += 1000 {
		require.NoError(b, st.InTx(ctx, func(tx ports.Tx) error {
			for i := range min(1000, n-done) {
				ids, err := drawIDs()
				if err != nil {
					return err
				}
				ia, msg, token, err := domain.OpenInteraction(ids, domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb,
					Name: "Reporter", Body: fmt.Sprintf("report %d about something that happened", done+i)}, at)
				if err != nil {
					return err
				}
				if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{Email: fmt.Sprintf("r%d@example.org", done+i)}); err != nil {
					return err
				}
				if err := tx.Messages().Add(ctx, msg, domain.Meta{IP: "192.0.2.1", Location: "Bristol, England, GB", Region: "England, GB"}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// watchHeap samples the heap until stopped, keeping the peak.
func watchHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// drawIDs draws everything a new interaction needs.
func drawIDs() (ids domain.IDs, err error) {
	if ids.Interaction, err = domain.NewInteractionID(rand.Reader); err != nil {
		return ids, err
	}
	if ids.Message, err = domain.NewMessageID(rand.Reader); err != nil {
		return ids, err
	}
	if ids.Ref, err = domain.NewReference(rand.Reader); err != nil {
		return ids, err
	}
	ids.Token, err = domain.NewToken(rand.Reader)
	return ids, err
}
