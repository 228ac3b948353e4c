package http

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	nethttp "net/http"
	"strconv"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/app"
)

// The exports hold what the staff member may see of each report and
// nothing else: app.Export builds its rows from the staff's case view,
// which has no channel, contact or meta data to give.

// exportColumns are the CSV's header, in order. Scripts rely on the names.
var exportColumns = []string{
	"ref", "status", "form", "inbox", "reporter", "flagged",
	"created_at", "last_activity_at", "closed_at", "messages",
}

func (s *Server) exportCSV(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	rows, err := s.app.Export(r.Context(), a)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(exportColumns); err != nil {
		return err
	}
	for _, row := range rows {
		closed := ""
		if row.ClosedAt != nil {
			closed = exportTime(*row.ClosedAt)
		}
		lines := make([]string, len(row.Messages))
		for i, m := range row.Messages {
			lines[i] = m.Author + " (" + exportTime(m.At) + "): " + m.Text
		}
		record := []string{
			string(row.Ref), string(row.Status), row.Form, row.Inbox, row.Reporter, strconv.FormatBool(row.Flagged),
			exportTime(row.CreatedAt), exportTime(row.LastActivityAt), closed, strings.Join(lines, "\n"),
		}
		for i := range record {
			record[i] = csvSafe(record[i])
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return s.sendExport(w, "text/csv; charset=utf-8", "csv", buf.Bytes())
}

// csvSafe keeps a spreadsheet from running a cell as a formula: a cell
// that begins like one is prefixed with a quote (OWASP's advice). Report
// text is typed by anyone, and the export is opened in Excel.
func csvSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// exportTime writes a time as RFC 3339 in UTC.
func exportTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// exportRow is one report in the JSON export.
type exportRow struct {
	Ref            string          `json:"ref"`
	Status         string          `json:"status"`
	Form           string          `json:"form"`
	Inbox          string          `json:"inbox"`
	Reporter       string          `json:"reporter"`
	Flagged        bool            `json:"flagged"`
	CreatedAt      time.Time       `json:"created_at"`
	LastActivityAt time.Time       `json:"last_activity_at"`
	ClosedAt       *time.Time      `json:"closed_at"`
	Messages       []exportMessage `json:"messages"`
}

// exportMessage is one turn of a conversation in the JSON export.
type exportMessage struct {
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	Text      string    `json:"text"`
}

func (s *Server) exportJSON(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	rows, err := s.app.Export(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]exportRow, len(rows))
	for i, row := range rows {
		out[i] = exportRow{
			Ref: string(row.Ref), Status: string(row.Status), Form: row.Form, Inbox: row.Inbox, Reporter: row.Reporter,
			Flagged: row.Flagged, CreatedAt: row.CreatedAt.UTC(), LastActivityAt: row.LastActivityAt.UTC(),
			Messages: make([]exportMessage, len(row.Messages)),
		}
		if row.ClosedAt != nil {
			closed := row.ClosedAt.UTC()
			out[i].ClosedAt = &closed
		}
		for j, m := range row.Messages {
			out[i].Messages[j] = exportMessage{Author: m.Author, CreatedAt: m.At.UTC(), Text: m.Text}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	return s.sendExport(w, "application/json; charset=utf-8", "json", buf.Bytes())
}

// sendExport hands the browser a file to save. It is personal data: no
// cache may keep it.
func (s *Server) sendExport(w nethttp.ResponseWriter, contentType, ext string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="whisper-export-`+s.cfg.Now().UTC().Format(time.DateOnly)+"."+ext+`"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(nethttp.StatusOK)
	if _, err := w.Write(body); err != nil {
		s.log.Debug("writing an export failed", slog.Any("error", err))
	}
	return nil
}
