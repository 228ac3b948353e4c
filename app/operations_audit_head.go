package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// AuditHead returns the newest entry's sequence number and hash, for an
// operator to keep somewhere the database's users cannot reach. It returns
// KindNotFound when the log is empty.
func (s *Operations) AuditHead(ctx context.Context) (head domain.AuditHead, err error) {
	defer domain.Wrap(&err, "app.Operations.AuditHead")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		last, err := tx.Audit().Last(ctx)
		if domain.KindOf(err) == domain.KindNotFound {
			return domain.Errorf(domain.KindNotFound, "the audit log holds no entries yet")
		}
		if err == nil {
			head = domain.HeadOf(last)
		}
		return err
	})
	return head, err
}
