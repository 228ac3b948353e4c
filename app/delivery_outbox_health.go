package app

import (
	"context"

	"github.com/whisper-schools/whisper/ports"
)

// OutboxHealth summarises the outbox, for monitoring.
func (s *Delivery) OutboxHealth(ctx context.Context) (h ports.OutboxHealth, err error) {
	err = s.store.View(ctx, func(tx ports.Tx) error {
		h, err = tx.Outbox().Health(ctx)
		return err
	})
	return h, err
}
