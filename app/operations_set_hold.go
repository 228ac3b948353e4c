package app

import (
	"context"
	"errors"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetHold sets or releases a legal hold, which stops erasure.
func (s *Operations) SetHold(ctx context.Context, op Operator, ref domain.Reference, hold bool, reason string) (err error) {
	defer domain.Wrap(&err, "app.Operations.SetHold")
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	action := domain.AuditHoldRelease
	if hold {
		action = domain.AuditHoldSet
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: action, Ref: ref, Reason: reason}
	return s.audited(ctx, e, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		e.OrgID = ia.OrgID
		// Under the row's lock: a hold set here is one no erasure has
		// overtaken, and one that a later erasure will see.
		_, err = tx.Interactions().Change(ctx, ia.ID, func(ia *domain.Interaction) error {
			ia.LegalHold = hold
			return nil
		})
		switch {
		case errors.Is(err, domain.ErrErased) && hold:
			return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("this interaction is already erased; there is nothing left to hold"), Err: err}
		case errors.Is(err, domain.ErrErased):
			return nil // erased, so not held: there is nothing to release
		}
		return err
	})
}
