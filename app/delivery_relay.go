package app

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// RelayConfig tunes the delivery of queued mail and texts.
type RelayConfig struct {
	// Lease hides a claimed delivery from other workers while it is sent.
	// A send gets half of it (see sendTimeout), so the lease always
	// outlasts one send, timeouts included.
	Lease time.Duration
	// RetryMin and RetryMax bound the wait before a retry, which doubles
	// with each failed attempt.
	RetryMin, RetryMax time.Duration
	// MaxAttempts is when to give up on a delivery and mark it failed.
	MaxAttempts int
}

// Relayed counts what one pass did.
type Relayed struct {
	Sent, Retried, Failed int
	// Stale counts outcomes left unrecorded because another worker had
	// claimed the delivery after this one's lease ran out (or it was
	// erased meanwhile).
	Stale int
}

// Relay sends what the outbox holds through the mailer and the SMS sender.
// Delivery is at least once: a send whose outcome is lost (the process dies
// after the server accepted it) is sent again after the lease, under the
// same id. While instances are healthy each delivery is sent once: a relay
// claims one delivery at a time and bounds its send by a timeout shorter
// than the lease, so no lease runs out while its delivery waits or is sent.
type Relay struct {
	store  ports.Store
	clock  ports.Clock
	mailer ports.Mailer
	sms    ports.SMSSender
	cfg    RelayConfig
	log    *slog.Logger
	meter  ports.Meter
}

// NewRelay returns a relay over the service's store, clock and meter.
func (s *Delivery) NewRelay(mailer ports.Mailer, sms ports.SMSSender, cfg RelayConfig, log *slog.Logger) *Relay {
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	return &Relay{store: s.store, clock: s.clock, mailer: mailer, sms: sms, cfg: cfg, log: log, meter: s.meter}
}

// Pass sends every delivery due now and returns when none is left or ctx
// ends. It claims one delivery at a time, sends it, records the outcome,
// then claims the next: a batch claimed under one lease would see the
// lease of its later deliveries run out while the earlier ones were sent
// (ten seconds a mail adds up), and another instance would send them again.
func (r *Relay) Pass(ctx context.Context) (total Relayed, err error) {
	defer domain.Wrap(&err, "app.Relay.Pass")
	for ctx.Err() == nil {
		var claimed []*domain.Delivery
		now := r.clock.Now().UTC()
		err := r.store.InTx(ctx, func(tx ports.Tx) (err error) {
			claimed, err = tx.Outbox().Claim(ctx, now, r.cfg.Lease, 1)
			return err
		})
		if err != nil || len(claimed) == 0 {
			return total, err
		}
		d := claimed[0]
		// Sending happens outside any transaction: a slow mail server
		// must never hold a database lock.
		sendErr := r.send(ctx, d)
		if sendErr != nil && ctx.Err() != nil {
			// The send failed because the pass is stopping, not because
			// of the delivery: it goes again when its lease ends.
			return total, nil
		}
		outcome, err := r.record(ctx, d, sendErr)
		switch {
		case domain.KindOf(err) == domain.KindConflict:
			// Our lease ran out and another worker claimed the delivery
			// (and may have sent it): its outcome stands, not ours. Or the
			// delivery was erased with its interaction while it was sent.
			// Not an error that stops the pass; the warning shows a lease
			// too short for the sends, or an instance that stalled.
			total.Stale++
			r.log.Warn("delivery outcome not recorded: another worker claimed it after the lease ran out, or it was erased",
				slog.String("delivery", string(d.ID)), slog.String("kind", string(d.Kind)),
				slog.Int("attempt", d.Attempts), slog.String("outcome", string(outcome)))
		case err != nil:
			return total, err
		case outcome == domain.DeliverySent:
			total.Sent++
		case outcome == domain.DeliveryFailed:
			total.Failed++
		default:
			total.Retried++
		}
	}
	return total, nil
}

// sendTimeout bounds one send: half the lease, so a send that runs to its
// timeout still leaves half the lease to record its outcome before another
// worker may claim the delivery. NewRelay keeps the lease positive, so the
// timeout is always shorter than it.
func (r *Relay) sendTimeout() time.Duration { return r.cfg.Lease / 2 }

func (r *Relay) send(ctx context.Context, d *domain.Delivery) error {
	sendCtx, cancel := context.WithTimeout(ctx, r.sendTimeout())
	defer cancel()
	if d.Channel == domain.DeliverySMS {
		return r.sms.Send(sendCtx, d)
	}
	return r.mailer.Send(sendCtx, d)
}

// recordTimeout bounds recording an outcome once the pass is stopping.
const recordTimeout = 10 * time.Second

// record writes the outcome of one send, even when ctx has just ended: a
// message the server accepted, left claimed, would be sent again after the
// lease by whichever instance comes next. Logs name the delivery and its
// kind, never its recipient, link or words.
func (r *Relay) record(ctx context.Context, d *domain.Delivery, sendErr error) (domain.DeliveryStatus, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := r.clock.Now().UTC()
	outcome := domain.DeliverySent
	if sendErr != nil {
		outcome = domain.DeliveryPending
		// A delivery that can never go (a malformed address) is not
		// retried; anything else is, until MaxAttempts.
		if domain.KindOf(sendErr) == domain.KindInvalid || d.Attempts >= r.cfg.MaxAttempts {
			outcome = domain.DeliveryFailed
		}
	}
	r.meter.Delivered(d.Kind, outcome)
	err := r.store.InTx(ctx, func(tx ports.Tx) error {
		switch outcome {
		case domain.DeliverySent:
			return tx.Outbox().MarkSent(ctx, d.ID, d.Attempts, now)
		case domain.DeliveryFailed:
			return tx.Outbox().MarkFailed(ctx, d.ID, d.Attempts, now)
		default:
			return tx.Outbox().Retry(ctx, d.ID, d.Attempts, now.Add(r.backoff(d.Attempts)))
		}
	})
	if sendErr != nil {
		level := slog.LevelWarn
		if outcome == domain.DeliveryFailed {
			level = slog.LevelError
		}
		r.log.Log(ctx, level, "delivery attempt failed", slog.String("delivery", string(d.ID)),
			slog.String("kind", string(d.Kind)), slog.Int("attempt", d.Attempts),
			slog.Bool("gave_up", outcome == domain.DeliveryFailed), slog.String("reason", domain.SafeMessage(sendErr)))
	}
	return outcome, err
}

// backoff is the wait after the given attempt: RetryMin doubled for each
// attempt before it, capped at RetryMax, then reduced by up to a half at
// random so that a recovered server is not hit by every retry at once.
func (r *Relay) backoff(attempt int) time.Duration {
	wait := r.cfg.RetryMin
	for i := 1; i < attempt && wait < r.cfg.RetryMax; i++ {
		wait *= 2
	}
	wait = min(wait, r.cfg.RetryMax)
	return wait - time.Duration(rand.Int64N(int64(wait)/2+1))
}

// Run relays until ctx ends, a pass every interval.
func (r *Relay) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("outbox pass failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
