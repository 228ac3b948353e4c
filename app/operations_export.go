package app

import (
	"context"
	"strconv"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Export hands write an organisation's interactions that are not yet
// erased, as its staff would export them, for the end of its service, and
// returns how many it wrote. The audit entry, which counts them, is
// written with the reading of their ids, before write is first called;
// the interactions are then read a batch at a time (see Portal.Export).
func (s *Operations) Export(ctx context.Context, op Operator, org domain.OrgID, reason string, write func(domain.ExportRow) error) (n int, err error) {
	defer domain.Wrap(&err, "app.Operations.Export")
	if reason == "" {
		reason = "export for the organisation"
	}
	v := domain.Viewer{OrgID: org}
	var ids []domain.InteractionID
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditExport, OrgID: org, Reason: reason}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, org); err != nil {
			return err
		}
		ids, err = tx.StaffView().IDs(ctx, v, ports.StaffViewFilter{})
		e.Details = map[string]string{"interactions": strconv.Itoa(len(ids))}
		return err
	})
	if err != nil {
		return 0, err
	}
	return exportInteractions(ctx, s.store, v, ids, write)
}
