package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Export returns every report the actor may see, most recent activity
// first, with its conversation: what a school keeps when it must (before
// erasure, or at the end of its subscription). format ("csv" or "json")
// is what the audit log records; nothing is returned unless the export
// is recorded. The reading runs apart from the recording, so that a large
// export holds no write lock while it reads.
func (s *Portal) Export(ctx context.Context, a *Actor, format string) (rows []domain.ExportRow, err error) {
	defer domain.Wrap(&err, "app.Portal.Export")
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		rows, err = exportInteractions(ctx, tx, a.Viewer)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	ids := make([]domain.InteractionID, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		// Each interaction's history says it was exported, in a few
		// batched statements; one erased since it was read gets no line.
		if err := recordEvents(ctx, tx, a, ids, domain.HistoryExported, format, now); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditExport, map[string]string{"format": format, "interactions": howMany(rows)}))
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// exportInteractions reads every interaction the viewer may see, with its messages.
func exportInteractions(ctx context.Context, tx ports.Tx, v domain.Viewer) ([]domain.ExportRow, error) {
	cases, err := tx.StaffView().List(ctx, v, ports.StaffViewFilter{})
	if err != nil {
		return nil, err
	}
	rows := make([]domain.ExportRow, 0, len(cases))
	for _, cs := range cases {
		msgs, err := tx.StaffView().Messages(ctx, v, cs.Ref)
		if err != nil {
			return nil, err
		}
		row := exportRow(cs, msgs)
		if row.Notes, err = exportNotes(ctx, tx, v, cs.Ref); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func exportRow(cs *domain.StaffInteraction, msgs []*domain.StaffMessage) domain.ExportRow {
	row := domain.ExportRow{
		ID: cs.ID, Ref: cs.Ref, Status: cs.Status, Form: cs.FormName, Inbox: cs.InboxName, Reporter: cs.DisplayName(),
		Flagged: cs.Flagged, CreatedAt: cs.CreatedAt, LastActivityAt: cs.LastActivityAt, ClosedAt: cs.ClosedAt,
		Messages: make([]domain.ExportMessage, len(msgs)),
	}
	for i, m := range msgs {
		author := domain.ExportAuthorReporter
		if !m.FromReporter {
			author = m.StaffName
			if author == "" {
				author = "staff"
			}
		}
		row.Messages[i] = domain.ExportMessage{Author: author, At: m.CreatedAt, Text: m.Body}
	}
	return row
}

// exportNotes are a report's internal notes, for the export, which marks
// them internal.
func exportNotes(ctx context.Context, tx ports.Tx, v domain.Viewer, ref domain.Reference) ([]domain.ExportNote, error) {
	notes, err := tx.Notes().List(ctx, v, ref)
	if err != nil || len(notes) == 0 {
		return nil, err
	}
	out := make([]domain.ExportNote, len(notes))
	for i, n := range notes {
		out[i] = domain.ExportNote{Author: n.StaffName, At: n.CreatedAt, Text: n.Body}
	}
	return out, nil
}
