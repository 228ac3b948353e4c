// Package export writes interactions as staff may export them — CSV or
// JSON, one row or object per interaction with its messages — the formats
// the staff portal and whisperctl share and scripts rely on. The rows come
// from the staff view of interactions, so they hold no channel, contact or meta
// data. Times are ISO 8601 with the offset of the service's time zone
// (2026-10-08T14:03:00+01:00), so a spreadsheet or script reads the
// school's clock and still knows the moment. It also writes the portal's
// anonymised statistics as CSV.
package export

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/whisper-schools/whisper/domain"
)

// Columns are the CSV export's header, in order. Scripts rely on the
// names.
var Columns = []string{
	"ref", "status", "form", "inbox", "reporter", "flagged",
	"created_at", "last_activity_at", "closed_at", "messages",
	"internal_notes",
}

// InternalNote begins each internal note in the exports: staff who open an
// export must not mistake a note for something the reporter saw.
const InternalNote = "INTERNAL NOTE, not shown to the reporter"

// rowJSON is one interaction in the JSON export, shaped as the staff
// portal's export.
type rowJSON struct {
	Ref            string        `json:"ref"`
	Status         string        `json:"status"`
	Form           string        `json:"form"`
	Inbox          string        `json:"inbox"`
	Reporter       string        `json:"reporter"`
	Flagged        bool          `json:"flagged"`
	CreatedAt      string        `json:"created_at"`
	LastActivityAt string        `json:"last_activity_at"`
	ClosedAt       *string       `json:"closed_at"`
	Messages       []messageJSON `json:"messages"`
	InternalNotes  []noteJSON    `json:"internal_notes"`
}

// noteJSON is one internal note in the JSON export, marked internal.
type noteJSON struct {
	Internal  bool   `json:"internal"`
	Label     string `json:"label"`
	Author    string `json:"author"`
	CreatedAt string `json:"created_at"`
	Text      string `json:"text"`
}

// messageJSON is one turn of a conversation in the JSON export.
type messageJSON struct {
	Author    string `json:"author"`
	CreatedAt string `json:"created_at"`
	Text      string `json:"text"`
}

// WriteJSON writes rows as one JSON array, times in the zone z.
func WriteJSON(w io.Writer, rows []domain.ExportRow, z domain.Zone) error {
	out := make([]rowJSON, len(rows))
	for i, row := range rows {
		out[i] = rowJSON{
			Ref: string(row.Ref), Status: string(row.Status), Form: row.Form, Inbox: row.Inbox, Reporter: row.Reporter,
			Flagged: row.Flagged, CreatedAt: z.ISO(row.CreatedAt), LastActivityAt: z.ISO(row.LastActivityAt),
			Messages:      make([]messageJSON, len(row.Messages)),
			InternalNotes: make([]noteJSON, len(row.Notes)),
		}
		for j, n := range row.Notes {
			out[i].InternalNotes[j] = noteJSON{Internal: true, Label: InternalNote, Author: n.Author, CreatedAt: z.ISO(n.At), Text: n.Text}
		}
		if row.ClosedAt != nil {
			closed := z.ISO(*row.ClosedAt)
			out[i].ClosedAt = &closed
		}
		for j, m := range row.Messages {
			out[i].Messages[j] = messageJSON{Author: m.Author, CreatedAt: z.ISO(m.At), Text: m.Text}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteCSV writes rows as CSV with a header, times in the zone z,
// defusing formula-like cells.
func WriteCSV(w io.Writer, rows []domain.ExportRow, z domain.Zone) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, row := range rows {
		closed := ""
		if row.ClosedAt != nil {
			closed = z.ISO(*row.ClosedAt)
		}
		lines := make([]string, len(row.Messages))
		for i, m := range row.Messages {
			lines[i] = m.Author + " (" + z.ISO(m.At) + "): " + m.Text
		}
		notes := make([]string, len(row.Notes))
		for i, n := range row.Notes {
			notes[i] = "[" + InternalNote + "] " + n.Author + " (" + z.ISO(n.At) + "): " + n.Text
		}
		record := []string{
			string(row.Ref), string(row.Status), row.Form, row.Inbox, row.Reporter, strconv.FormatBool(row.Flagged),
			z.ISO(row.CreatedAt), z.ISO(row.LastActivityAt), closed, strings.Join(lines, "\n"),
			strings.Join(notes, "\n"),
		}
		for i := range record {
			record[i] = csvSafe(record[i])
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula: a cell
// that begins like one is prefixed with a quote (OWASP's advice). Report
// text and names are typed by anyone, and the export is opened in Excel.
func csvSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
