package app

import (
	"context"
	"strconv"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Block stops the reporter of an interaction — their email, phone number
// and every IP address they wrote from — from opening new interactions,
// for days (zero: until lifted).
func (s *Operations) Block(ctx context.Context, op Operator, ref domain.Reference, reason string, days int) (blocked int, err error) {
	defer domain.Wrap(&err, "app.Operations.Block")
	if reason, err = requireReason(reason); err != nil {
		return 0, err
	}
	if days < 0 || days > 3650 {
		return 0, domain.Errorf(domain.KindInvalid, "--days is between 1 and 3650, or left out for no end")
	}
	now := s.now()
	var expires *time.Time
	if days > 0 {
		end := now.AddDate(0, 0, days)
		expires = &end
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditBlock, Ref: ref, Reason: reason,
		Details: map[string]string{"days": strconv.Itoa(days)}}
	defer s.intake.forget()
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		senders, org, err := reporterIdentities(ctx, tx, ref)
		if err != nil {
			return err
		}
		e.OrgID = org
		for _, b := range senders {
			id, err := domain.NewBlockID(s.random)
			if err != nil {
				return err
			}
			b.ID, b.Reason, b.ExpiresAt, b.CreatedAt = id, reason, expires, now
			if err := tx.Blocks().Create(ctx, b); err != nil {
				return err
			}
		}
		blocked = len(senders)
		e.Details["blocked"] = strconv.Itoa(blocked)
		return nil
	})
	return blocked, err
}
