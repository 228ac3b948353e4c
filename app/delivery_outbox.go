package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// OutboxEntry is one delivery as the operator sees it in `whisperctl
// outbox list`: what it is, where it stands and what the server last
// answered. Never its recipient, link or words.
type OutboxEntry struct {
	ID       domain.DeliveryID
	Kind     domain.DeliveryKind
	Channel  domain.DeliveryChannel
	Status   domain.DeliveryStatus
	Attempts int
	// NextAttemptAt is when a pending delivery is next due, or when a
	// failed one was given up on.
	NextAttemptAt time.Time
	CreatedAt     time.Time
	// LastError is the server's answer to the latest failed attempt,
	// addresses redacted; nil when none failed.
	LastError *domain.DeliveryFailure
	// OrgID and Organisation are whom it concerns; empty for a help text
	// to an unknown number.
	OrgID        domain.OrgID
	Organisation string
}

// ListOutbox returns the oldest limit deliveries not yet sent, oldest
// first: those waiting and those given up on, or with failedOnly those
// given up on alone; and total, how many there are in all. limit keeps the
// read bounded when mail trouble has filled the outbox; it is 1 or more,
// else the answer is KindInvalid.
func (s *Delivery) ListOutbox(ctx context.Context, failedOnly bool, limit int) (out []OutboxEntry, total int, err error) {
	defer domain.Wrap(&err, "app.Delivery.ListOutbox")
	if limit < 1 {
		return nil, 0, domain.Errorf(domain.KindInvalid, "the limit is 1 or more, not %d", limit)
	}
	f := ports.OutboxFilter{Unsent: true}
	if failedOnly {
		failed := domain.DeliveryFailed
		f = ports.OutboxFilter{Status: &failed}
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		out = nil
		var err error
		if total, err = tx.Outbox().Count(ctx, f); err != nil {
			return err
		}
		f.Limit = limit
		list, err := tx.Outbox().List(ctx, f)
		if err != nil {
			return err
		}
		names := map[domain.OrgID]string{}
		for _, d := range list {
			e := OutboxEntry{ID: d.ID, Kind: d.Kind, Channel: d.Channel, Status: d.Status, Attempts: d.Attempts,
				NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, LastError: d.LastError, OrgID: d.OrgID}
			if d.OrgID != "" {
				name, seen := names[d.OrgID]
				if !seen {
					org, err := tx.Organisations().Get(ctx, d.OrgID)
					if err != nil {
						return err
					}
					name, names[d.OrgID] = org.Name, org.Name
				}
				e.Organisation = name
			}
			out = append(out, e)
		}
		return nil
	})
	return out, total, err
}

// RetryDelivery makes one waiting or failed delivery due now, so the next
// relay pass sends it: after the operator mended what made it fail (the
// mail server's relay settings, a mistyped address). Its attempts go on
// counting, so a failed delivery that fails again fails at once. It
// returns KindNotFound for no such delivery and KindConflict for one
// already sent, one being sent at this moment, or one that failed so long
// ago that its content is forgotten. The audit log records the delivery's
// kind and status, never its recipient.
func (s *Delivery) RetryDelivery(ctx context.Context, op Operator, id domain.DeliveryID, reason string) (err error) {
	defer domain.Wrap(&err, "app.Delivery.RetryDelivery")
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditOutboxRetry, Reason: reason,
		Details: map[string]string{"delivery": string(id)}}
	return s.audited(ctx, e, func(tx ports.Tx) error {
		list, err := tx.Outbox().List(ctx, ports.OutboxFilter{ID: &id})
		if err != nil {
			return err
		}
		if len(list) == 1 {
			d := list[0]
			e.OrgID, e.Details["kind"], e.Details["was"] = d.OrgID, string(d.Kind), string(d.Status)
		}
		// Requeue decides, in one statement, and says why not.
		return tx.Outbox().Requeue(ctx, id, e.At)
	})
}
