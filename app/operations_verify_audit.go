package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ErrAuditBroken is returned when the audit log's hash chain does not hold,
// or when an entry an operator saved as a head is gone or different.
var ErrAuditBroken = &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("the audit log has been altered")}

// VerifyAudit recomputes the audit log's keyed hash chain and returns what
// it found. When an entry was altered, removed or reordered, the error
// names the first that does not follow. With head (one printed earlier by
// AuditHead and kept elsewhere), the entry it names must still be there,
// unchanged: a chain whose newest entries were deleted still holds, and
// only a head saved before the deletion shows it.
func (s *Operations) VerifyAudit(ctx context.Context, head *domain.AuditHead) (check domain.AuditCheck, err error) {
	defer domain.Wrap(&err, "app.Operations.VerifyAudit")
	var named []*domain.AuditEntry
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if check, err = tx.Audit().Verify(ctx); err != nil || head == nil {
			return err
		}
		named, err = tx.Audit().List(ctx, head.Seq-1, 1)
		return err
	})
	if err != nil {
		return check, err
	}
	if bad := check.Broken; bad != nil {
		return check, &domain.Error{Kind: domain.KindConflict,
			Safe: domain.Say("the audit log has been altered: entry %d (%s, %s) does not follow the one before it", bad.Seq, bad.Action, bad.At.Format(time.RFC3339)),
			Err:  ErrAuditBroken}
	}
	if head == nil {
		return check, nil
	}
	switch {
	case len(named) == 0 || named[0].Seq != head.Seq:
		return check, &domain.Error{Kind: domain.KindConflict,
			Safe: domain.Say("the audit log has been cut short: entry %d of the saved head is missing, and the log now ends at entry %d", head.Seq, check.Head.Seq),
			Err:  ErrAuditBroken}
	case named[0].Hash != head.Hash:
		return check, &domain.Error{Kind: domain.KindConflict,
			Safe: domain.Say("the audit log has been altered: entry %d is not the one the saved head names", head.Seq),
			Err:  ErrAuditBroken}
	}
	return check, nil
}
