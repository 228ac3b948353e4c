package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ExportBatch is how many interactions an export reads at a time, with
// their messages and notes: what an export holds in memory besides the
// list of ids it goes through.
const ExportBatch = 100

// Export hands write every report the actor may see, urgent ones first
// and then by most recent activity, with its conversation: what a school
// keeps when it must (before erasure, or at the end of its subscription).
// format ("csv" or "json") is what the audit log records; write is called
// only once the export is recorded, so that nothing leaves unrecorded,
// and it returns how many rows it wrote. The export reads its ids first,
// records them (its history says each was exported) and then reads the
// interactions a batch at a time, each batch in a View of its own: the
// ids fix what is exported, each row is read whole in one View, and no
// transaction stays open while a slow reader takes the file. One erased
// in between is left out, as it must be.
func (s *Portal) Export(ctx context.Context, a *Actor, format string, write func(domain.ExportRow) error) (n int, err error) {
	defer domain.Wrap(&err, "app.Portal.Export")
	var ids []domain.InteractionID
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		ids, err = tx.StaffView().IDs(ctx, a.Viewer, ports.StaffViewFilter{})
		return err
	})
	if err != nil {
		return 0, err
	}
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		// Each interaction's history says it was exported, in a few
		// batched statements; one erased since it was read gets no line.
		if err := recordEvents(ctx, tx, a, ids, domain.HistoryExported, format, now); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditExport, map[string]string{"format": format, "interactions": howMany(ids)}))
	})
	if err != nil {
		return 0, err
	}
	return exportInteractions(ctx, s.store, a.Viewer, ids, write)
}

// exportInteractions reads the interactions ids of those the viewer may
// see, with their messages and notes, ExportBatch at a time, and hands
// each to write in the order of ids. It returns how many it wrote.
func exportInteractions(ctx context.Context, st ports.Store, v domain.Viewer, ids []domain.InteractionID, write func(domain.ExportRow) error) (n int, err error) {
	for len(ids) > 0 {
		batch := ids[:min(ExportBatch, len(ids))]
		ids = ids[len(batch):]
		var rows []domain.ExportRow
		err := st.View(ctx, func(tx ports.Tx) (err error) {
			rows, err = exportBatch(ctx, tx, v, batch)
			return err
		})
		if err != nil {
			return n, err
		}
		for _, row := range rows {
			if err := write(row); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// exportBatch reads the interactions ids, in that order, leaving out
// those no longer there.
func exportBatch(ctx context.Context, tx ports.Tx, v domain.Viewer, ids []domain.InteractionID) ([]domain.ExportRow, error) {
	cases, err := tx.StaffView().List(ctx, v, ports.StaffViewFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := make(map[domain.InteractionID]*domain.StaffInteraction, len(cases))
	for _, cs := range cases {
		byID[cs.ID] = cs
	}
	rows := make([]domain.ExportRow, 0, len(cases))
	for _, id := range ids {
		cs, ok := byID[id]
		if !ok {
			continue
		}
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
