package app_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// countingMailer records how often each delivery was sent.
type countingMailer struct {
	mu    sync.Mutex
	sends map[domain.DeliveryID]int
}

func (m *countingMailer) Send(_ context.Context, d *domain.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sends[d.ID]++
	return nil
}

// twoInstances plays two whisperd instances: two stores (two connection
// pools) with one key on one PostgreSQL database.
func twoInstances(t *testing.T) []*store.Store {
	url := pgtest.NewDatabase(t)
	keys := storetest.Keys(t)
	var stores []*store.Store
	for range 2 {
		st, err := store.Open(context.Background(), url, keys)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		stores = append(stores, st)
	}
	return stores
}

// TestTwoRelaysOnOnePostgresSendEachDeliveryOnce plays two whisperd
// instances: two stores (two connection pools) on one PostgreSQL database,
// each with its own relay, racing over the same outbox.
func TestTwoRelaysOnOnePostgresSendEachDeliveryOnce(t *testing.T) {
	stores := twoInstances(t)
	clock := &fixedClock{start}
	newService := func(st ports.Store) *app.App {
		return app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, Hasher: passhash.New(passhash.TestParams(), 1), PublicURL: "https://whisper.example.org"})
	}
	first := newService(stores[0])
	org, err := first.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield"})
	require.NoError(t, err)
	fc, err := first.Operations.CreateForm(ctx, app.CreateForm{OrgID: org.ID, Name: "Oakfield", Code: "OAK"})
	require.NoError(t, err)

	// 150 reports with an email each: 150 link emails to send.
	const reports = 150
	for range reports {
		_, err := first.Reporting.SubmitReport(ctx, app.SubmitReport{FormCode: string(fc.Form.Code), Body: "hello", Email: "kid@example.org"})
		require.NoError(t, err)
	}

	mailer := &countingMailer{sends: map[domain.DeliveryID]int{}}
	cfg := app.RelayConfig{Lease: time.Minute, RetryMin: time.Second, RetryMax: time.Minute, MaxAttempts: 5}
	var wg sync.WaitGroup
	for _, st := range stores {
		relay := newService(st).Delivery.NewRelay(mailer, nil, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		wg.Go(func() {
			_, err := relay.Pass(ctx)
			assert.NoError(t, err)
		})
	}
	wg.Wait()

	require.Len(t, mailer.sends, reports, "every delivery was sent")
	for id, n := range mailer.sends {
		assert.Equal(t, 1, n, "delivery %s sent %d times", id, n)
	}
}

// TestTwoRelaysOnOnePostgresSendSlowMailOnce is the store contract suite's
// race of two relays with 10 s sends (storetest.TwoRelaysWithSlowSends),
// played by two instances.
func TestTwoRelaysOnOnePostgresSendSlowMailOnce(t *testing.T) {
	stores := twoInstances(t)
	storetest.TwoRelaysWithSlowSends(t, stores[0], stores[1])
}
