package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// AuditLog returns the audit log, oldest first, after seq, at most limit.
func (s *Operations) AuditLog(ctx context.Context, afterSeq int64, limit int) (entries []*domain.AuditEntry, err error) {
	defer domain.Wrap(&err, "app.Operations.AuditLog")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		entries, err = tx.Audit().List(ctx, afterSeq, limit)
		return err
	})
	return entries, err
}
