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
	core   *core // to tell an organisation's admins (see tellAdmins)
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
	return &Relay{core: s.core, store: s.store, clock: s.clock, mailer: mailer, sms: sms, cfg: cfg, log: log, meter: s.meter}
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

// Why a delivery is given up on, as counted (ports.Meter.DeliveryFailed).
const (
	failedPermanent = "permanent"
	failedAttempts  = "attempts"
)

// record writes the outcome of one send, even when ctx has just ended: a
// message the server accepted, left claimed, would be sent again after the
// lease by whichever instance comes next. Logs name the delivery, its kind
// and the server's answer (addresses redacted), never its recipient, link
// or words.
//
// A permanent refusal (a 5xx reply, an unusable address) is not retried:
// the delivery fails at once. When it was mail to staff, the
// organisation's admins are told by email in the same transaction, so
// they are told once whichever instance records it; the notice to admins
// is not mail to staff, so its own failure is only logged, and no notice
// ever begets another. When it was a reporter's, the log says so: no one
// at the school may learn a reporter's address.
func (r *Relay) record(ctx context.Context, d *domain.Delivery, sendErr error) (domain.DeliveryStatus, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := r.clock.Now().UTC()
	outcome, reason := domain.DeliverySent, ""
	why := domain.FailureOf(sendErr)
	if sendErr != nil && why == nil {
		// No server's answer (an SMS sender, a template that would not
		// render): the error's safe words, which name no one, say why.
		why = &domain.DeliveryFailure{Text: domain.SafeMessage(sendErr)}
	}
	if sendErr != nil {
		outcome = domain.DeliveryPending
		switch {
		case domain.IsPermanent(sendErr):
			outcome, reason = domain.DeliveryFailed, failedPermanent
		case d.Attempts >= r.cfg.MaxAttempts:
			outcome, reason = domain.DeliveryFailed, failedAttempts
		}
	}
	r.meter.Delivered(d.Kind, outcome)
	told := 0
	err := r.store.InTx(ctx, func(tx ports.Tx) (err error) {
		told = 0
		switch outcome {
		case domain.DeliverySent:
			return tx.Outbox().MarkSent(ctx, d.ID, d.Attempts, now)
		case domain.DeliveryFailed:
			if err := tx.Outbox().MarkFailed(ctx, d.ID, d.Attempts, now, why); err != nil {
				return err
			}
			if reason == failedPermanent && d.Kind.ToStaff() && d.OrgID != "" {
				told, err = r.tellAdmins(ctx, tx, d, sendErr, now)
			}
			return err
		default:
			return tx.Outbox().Retry(ctx, d.ID, d.Attempts, now.Add(r.backoff(d.Attempts)), why)
		}
	})
	if outcome == domain.DeliveryFailed && err == nil {
		// Counted by the worker whose outcome stood, so once.
		r.meter.DeliveryFailed(d.Kind, reason)
	}
	if sendErr != nil {
		r.logFailure(ctx, d, outcome, reason, sendErr, why, told, err)
	}
	return outcome, err
}

// logFailure writes one line for a failed attempt, and one more when a
// reporter's mail was refused for good, which only the operator hears of.
func (r *Relay) logFailure(ctx context.Context, d *domain.Delivery, outcome domain.DeliveryStatus, reason string, sendErr error,
	why *domain.DeliveryFailure, told int, recordErr error) {
	level := slog.LevelWarn
	if outcome == domain.DeliveryFailed {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("delivery", string(d.ID)), slog.String("kind", string(d.Kind)), slog.Int("attempt", d.Attempts),
		slog.Bool("gave_up", outcome == domain.DeliveryFailed), slog.String("reason", domain.SafeMessage(sendErr))}
	if why != nil {
		attrs = append(attrs, slog.Int("code", why.Code), slog.String("reply", why.Text))
	}
	if reason != "" {
		attrs = append(attrs, slog.String("failed", reason))
	}
	if told > 0 {
		attrs = append(attrs, slog.Int("admins_told", told))
	}
	r.log.LogAttrs(ctx, level, "delivery attempt failed", attrs...)
	if reason == failedPermanent && d.Kind.ToReporter() && recordErr == nil {
		code := 0
		if why != nil {
			code = why.Code
		}
		r.log.Warn("a reporter's message was refused for good and will not be sent again; the school is not told, as it may not know the reporter's address",
			slog.String("delivery", string(d.ID)), slog.String("kind", string(d.Kind)), slog.Int("code", code))
	}
}

// tellAdmins queues, to each admin of the delivery's organisation, a
// notice that the mail server refused, for good, an email to one of their
// staff: which address, and the server's answer. The address is one the
// organisation gave Whisper (a member's, or an inbox's alert address), so
// its admins may read it.
func (r *Relay) tellAdmins(ctx context.Context, tx ports.Tx, d *domain.Delivery, sendErr error, now time.Time) (int, error) {
	org, err := tx.Organisations().Get(ctx, d.OrgID)
	if err != nil {
		return 0, err
	}
	answer := domain.SafeMessage(sendErr)
	if why := domain.FailureOf(sendErr); why != nil {
		answer = why.Error()
	}
	return r.core.toAdmins(ctx, tx, org.ID, domain.Delivery{
		Kind: domain.DeliveryMailRefused, Link: r.core.links.Link("staff", ""), Body: d.To + "\n" + answer,
		Subject: org.Name, Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now,
	})
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
