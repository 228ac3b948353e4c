package app

import (
	"context"
	"strconv"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Export returns an organisation's interactions that are not yet
// erased, as its staff would export them, for the end of its service.
func (s *Operations) Export(ctx context.Context, op Operator, org domain.OrgID, reason string) (rows []domain.ExportRow, err error) {
	defer domain.Wrap(&err, "app.Operations.Export")
	if reason == "" {
		reason = "export for the organisation"
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditExport, OrgID: org, Reason: reason}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, org); err != nil {
			return err
		}
		rows, err = exportInteractions(ctx, tx, domain.Viewer{OrgID: org})
		e.Details = map[string]string{"interactions": strconv.Itoa(len(rows))}
		return err
	})
	return rows, err
}
