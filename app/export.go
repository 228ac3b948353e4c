package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ExportRow is one report in a staff export. It is built from the staff's
// case view alone, so it holds what the portal shows and nothing more: no
// channel, no contact data, no meta data.
type ExportRow struct {
	Ref    domain.Reference
	Status domain.Status
	Form   string
	Inbox  string
	// Reporter is the name the reporter gave, or [Anonymous].
	Reporter       string
	Flagged        bool
	CreatedAt      time.Time
	LastActivityAt time.Time
	ClosedAt       *time.Time
	Messages       []ExportMessage
}

// ExportMessage is one turn of a report's conversation in an export.
type ExportMessage struct {
	// Author is "reporter", or the full name of the staff member who wrote.
	Author string
	At     time.Time
	// Text is the message itself. Sensitive: the export is personal data.
	Text string
}

// ExportAuthorReporter is how an export names the reporter's messages.
const ExportAuthorReporter = "reporter"

// Export returns every report the actor may see, most recent activity
// first, with its conversation: what a school keeps when it must (before
// erasure, or at the end of its subscription). format ("csv" or "json")
// is what the audit log records; nothing is returned unless the export
// is recorded. The reading runs apart from the recording, so that a large
// export holds no write lock while it reads.
func (s *Service) Export(ctx context.Context, a *Actor, format string) (rows []ExportRow, err error) {
	defer domain.Wrap(&err, "app.Export")
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		rows, err = exportCases(ctx, tx, a.Viewer)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		return s.record(ctx, tx, byStaff(a, domain.AuditExport, map[string]string{"format": format, "interactions": howMany(rows)}))
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// exportCases reads every case the viewer may see, with its messages.
func exportCases(ctx context.Context, tx ports.Tx, v domain.Viewer) ([]ExportRow, error) {
	cases, err := tx.Cases().List(ctx, v, ports.CaseFilter{})
	if err != nil {
		return nil, err
	}
	rows := make([]ExportRow, 0, len(cases))
	for _, cs := range cases {
		msgs, err := tx.Cases().Messages(ctx, v, cs.Ref)
		if err != nil {
			return nil, err
		}
		rows = append(rows, exportRow(cs, msgs))
	}
	return rows, nil
}

func exportRow(cs *domain.Case, msgs []*domain.CaseMessage) ExportRow {
	row := ExportRow{
		Ref: cs.Ref, Status: cs.Status, Form: cs.FormName, Inbox: cs.InboxName, Reporter: cs.DisplayName(),
		Flagged: cs.Flagged, CreatedAt: cs.CreatedAt, LastActivityAt: cs.LastActivityAt, ClosedAt: cs.ClosedAt,
		Messages: make([]ExportMessage, len(msgs)),
	}
	for i, m := range msgs {
		author := ExportAuthorReporter
		if !m.FromReporter {
			author = m.StaffName
			if author == "" {
				author = "staff"
			}
		}
		row.Messages[i] = ExportMessage{Author: author, At: m.CreatedAt, Text: m.Body}
	}
	return row
}
