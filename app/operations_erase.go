package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ErrUnderHold refuses to erase an interaction on legal hold.
var ErrUnderHold = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("this interaction is under a legal hold; release the hold first")}

// Erase erases one interaction now, for a data subject's erasure request.
func (s *Operations) Erase(ctx context.Context, op Operator, ref domain.Reference, reason string) (err error) {
	defer domain.Wrap(&err, "app.Operations.Erase")
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditErase, Ref: ref, Reason: reason}
	return s.audited(ctx, e, func(tx ports.Tx) error {
		ia, err := tx.Interactions().GetByRef(ctx, ref)
		if err != nil {
			return err
		}
		if ia.LegalHold {
			return ErrUnderHold
		}
		e.OrgID = ia.OrgID
		if ia.ErasedAt != nil {
			return nil // erasing again changes nothing
		}
		// The erasing statement checks the hold itself: one set since the
		// read above leaves the interaction as it is.
		erased, err := tx.Interactions().Erase(ctx, s.now(), ia.ID)
		if err != nil || len(erased) > 0 {
			return err
		}
		if ia, err = tx.Interactions().Get(ctx, ia.ID); err != nil {
			return err
		}
		if ia.LegalHold {
			return ErrUnderHold
		}
		return nil // another erasure came first
	})
}
