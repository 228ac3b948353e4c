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
	j := NewJSON(w, z)
	for _, row := range rows {
		if err := j.Write(row); err != nil {
			return err
		}
	}
	return j.Close()
}

// JSON writes rows one at a time as one JSON array, so that an export
// of any size holds one row in memory. It writes nothing before the
// first row or Close, so a caller may still fail cleanly until then.
type JSON struct {
	w       io.Writer
	z       domain.Zone
	started bool
}

// NewJSON returns a JSON export to w, times in the zone z.
func NewJSON(w io.Writer, z domain.Zone) *JSON { return &JSON{w: w, z: z} }

// Write adds one row to the array, laid out as json.Encoder with an
// indent of two spaces lays out the whole array, which scripts have read.
func (j *JSON) Write(row domain.ExportRow) error {
	out := rowJSON{
		Ref: string(row.Ref), Status: string(row.Status), Form: row.Form, Inbox: row.Inbox, Reporter: row.Reporter,
		Flagged: row.Flagged, CreatedAt: j.z.ISO(row.CreatedAt), LastActivityAt: j.z.ISO(row.LastActivityAt),
		Messages:      make([]messageJSON, len(row.Messages)),
		InternalNotes: make([]noteJSON, len(row.Notes)),
	}
	for i, n := range row.Notes {
		out.InternalNotes[i] = noteJSON{Internal: true, Label: InternalNote, Author: n.Author, CreatedAt: j.z.ISO(n.At), Text: n.Text}
	}
	if row.ClosedAt != nil {
		closed := j.z.ISO(*row.ClosedAt)
		out.ClosedAt = &closed
	}
	for i, m := range row.Messages {
		out.Messages[i] = messageJSON{Author: m.Author, CreatedAt: j.z.ISO(m.At), Text: m.Text}
	}
	b, err := json.MarshalIndent(out, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if !j.started {
		sep, j.started = "[\n  ", true
	}
	if _, err := io.WriteString(j.w, sep); err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

// Close ends the array: "[]" when no row was written.
func (j *JSON) Close() error {
	end := "\n]\n"
	if !j.started {
		end = "[]\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

// WriteCSV writes rows as CSV with a header, times in the zone z,
// defusing formula-like cells.
func WriteCSV(w io.Writer, rows []domain.ExportRow, z domain.Zone) error {
	c := NewCSV(w, z)
	for _, row := range rows {
		if err := c.Write(row); err != nil {
			return err
		}
	}
	return c.Close()
}

// CSV writes rows one at a time as CSV with a header, so that an export
// of any size holds one row in memory (and csv.Writer's buffer). It
// writes nothing before the buffer fills or Close, so a caller may still
// fail cleanly until then.
type CSV struct {
	cw      *csv.Writer
	z       domain.Zone
	started bool
}

// NewCSV returns a CSV export to w, times in the zone z.
func NewCSV(w io.Writer, z domain.Zone) *CSV { return &CSV{cw: csv.NewWriter(w), z: z} }

func (c *CSV) header() error {
	if c.started {
		return nil
	}
	c.started = true
	return c.cw.Write(Columns)
}

// Write adds one row, defusing formula-like cells.
func (c *CSV) Write(row domain.ExportRow) error {
	if err := c.header(); err != nil {
		return err
	}
	z := c.z
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
	return c.cw.Write(record)
}

// Close writes the header if no row did, and flushes.
func (c *CSV) Close() error {
	if err := c.header(); err != nil {
		return err
	}
	c.cw.Flush()
	return c.cw.Error()
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
