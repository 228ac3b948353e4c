package storetest

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

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// outboxRaces race outbox requests against each other.
var outboxRaces = map[string]func(*testing.T, ports.Store){
	"TwoRelaysWithSlowSendsSendEachOnce": func(t *testing.T, st ports.Store) { TwoRelaysWithSlowSends(t, st, st) },
}

// slowMailer is an SMTP server that takes 10 s to accept each message, on
// the shared clock, and counts what it was sent.
// slowSend is how far one send moves the test's clock. The clock is
// shared, so a relay that the scheduler keeps waiting between its claim and
// its send sees the other's sends move time on; short sends make that take
// 40 of them (a real stall far beyond the lease), not 12, which a loaded
// machine running -race managed.
const slowSend = 3 * time.Second

type slowMailer struct {
	clock *raceClock
	mu    sync.Mutex
	sends map[domain.DeliveryID]int
}

func (m *slowMailer) Send(_ context.Context, d *domain.Delivery) error {
	// A real pause too, so that the other relay runs while this one sends.
	time.Sleep(time.Millisecond)
	m.clock.advance(slowSend)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sends[d.ID]++
	return nil
}

func (m *slowMailer) count(id domain.DeliveryID) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sends[id]
}

// TwoRelaysWithSlowSends plays two healthy instances, a relay over each
// store, whose mail server takes slowSend a message, with a two-minute
// lease: each of 60 deliveries (three minutes of sending) goes out once and
// ends marked sent, however long the queue takes to send. The two stores
// may be one: on PostgreSQL two relays over one store are already two
// instances, as claims skip each other's rows; app's PostgreSQL tests pass
// two stores (two pools) too.
func TwoRelaysWithSlowSends(t *testing.T, first, second ports.Store) {
	clock := &raceClock{t: now}
	mailer := &slowMailer{clock: clock, sends: map[domain.DeliveryID]int{}}
	cfg := app.RelayConfig{Lease: 2 * time.Minute, RetryMin: 10 * time.Second, RetryMax: time.Hour, MaxAttempts: 5}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var relays []*app.Relay
	for _, st := range []ports.Store{first, second} {
		svc := app.New(app.Deps{Store: st, Clock: clock, Random: rand.Reader, Hasher: testHasher{},
			PublicURL: "https://whisper.example.org/"})
		relays = append(relays, svc.Delivery.NewRelay(mailer, nil, cfg, quiet))
	}
	st := first

	pending := func() int {
		status := domain.DeliveryPending
		var n int
		require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
			list, err := tx.Outbox().List(ctx, ports.OutboxFilter{Status: &status})
			n = len(list)
			return err
		}))
		return n
	}

	for round := range 3 {
		queued := queue(t, st, 60, clock.Now())
		runCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		var mu sync.Mutex
		var total app.Relayed
		begin := make(chan struct{})
		var wg sync.WaitGroup
		for _, relay := range relays {
			wg.Go(func() {
				<-begin
				// Each instance polls until the outbox is empty, as
				// Relay.Run does, only without the wait between passes.
				for runCtx.Err() == nil {
					got, err := relay.Pass(runCtx)
					if !assert.NoError(t, err) {
						return
					}
					mu.Lock()
					total.Sent += got.Sent
					total.Retried += got.Retried
					total.Failed += got.Failed
					mu.Unlock()
					if pending() == 0 {
						return
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
		close(begin)
		wg.Wait()
		require.NoError(t, runCtx.Err(), "round %d: the outbox was emptied in time", round)
		cancel()

		for _, d := range queued {
			assert.Equal(t, 1, mailer.count(d.ID), "round %d: delivery %s sent %d times", round, d.ID, mailer.count(d.ID))
		}
		assert.Equal(t, app.Relayed{Sent: len(queued)}, total, "round %d: the relays' counts", round)
		status := domain.DeliverySent
		var sent []*domain.Delivery
		require.NoError(t, st.View(ctx, func(tx ports.Tx) (err error) {
			sent, err = tx.Outbox().List(ctx, ports.OutboxFilter{Status: &status, InteractionID: &queued[0].InteractionID})
			return err
		}))
		assert.Len(t, sent, len(queued), "round %d: every delivery ends marked sent", round)
	}
}
