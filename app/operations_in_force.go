package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InForce is what currently stops reporters or erasure: the blocks that
// have not expired (without their values) and the legal holds.
type InForce struct {
	Blocks []*domain.Block
	Holds  []ports.LegalHold
}

// InForce lists the blocks and legal holds in force at asOf (zero: now),
// so that an operator can also see which blocks will have ended by a date.
// Like the other lists it is a read and is not audited: it shows
// references, kinds and reasons, never an address or number.
func (s *Operations) InForce(ctx context.Context, asOf time.Time) (out InForce, err error) {
	defer domain.Wrap(&err, "app.Operations.InForce")
	now := asOf
	if now.IsZero() {
		now = s.now()
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Blocks, err = tx.Blocks().InForce(ctx, now); err != nil {
			return err
		}
		out.Holds, err = tx.Interactions().Held(ctx)
		return err
	})
	return out, err
}
