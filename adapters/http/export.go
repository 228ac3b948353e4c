package http

import (
	"log/slog"
	nethttp "net/http"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/export"
)

func (s *Server) exportCSV(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	out := s.exportFile(w, "text/csv; charset=utf-8", s.exportName("export", "csv"))
	c := export.NewCSV(out, s.app.Zone)
	return s.streamExport(r, a, "csv", out, c.Write, c.Close)
}

func (s *Server) exportJSON(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	out := s.exportFile(w, "application/json; charset=utf-8", s.exportName("export", "json"))
	j := export.NewJSON(out, s.app.Zone)
	return s.streamExport(r, a, "json", out, j.Write, j.Close)
}

// streamExport writes the export row by row as the app reads it, so that
// no export, however large, is held whole. Until the first byte goes out
// an error is an ordinary error page; after it the status is sent, and
// the only honest thing left is to break the connection, so that the
// browser reports a failed download rather than keep a truncated file
// that looks whole.
func (s *Server) streamExport(r *nethttp.Request, a *app.Actor, format string, out *exportFile, write func(domain.ExportRow) error, end func() error) error {
	_, err := s.app.Portal.Export(r.Context(), a, format, write)
	if err == nil {
		err = end()
	}
	if err != nil && out.started {
		s.log.Debug("an export failed after it began", slog.Any("error", err))
		panic(nethttp.ErrAbortHandler)
	}
	return err
}

// exportName names a file to save: whisper-<what>-<today>.<ext>.
func (s *Server) exportName(what, ext string) string {
	return "whisper-" + what + "-" + s.cfg.Now().UTC().Format(time.DateOnly) + "." + ext
}

// exportFile hands the browser a file to save, sending the headers with
// its first byte. It may be personal data: no cache may keep it.
type exportFile struct {
	w                     nethttp.ResponseWriter
	contentType, filename string
	started               bool
}

func (s *Server) exportFile(w nethttp.ResponseWriter, contentType, filename string) *exportFile {
	return &exportFile{w: w, contentType: contentType, filename: filename}
}

// exportWriteWindow is how long each write of an export may take. The
// server's WriteTimeout (30 s) counts from the request, and a large
// export is read and written for longer than that; so each write moves
// the deadline on instead, and only a reader that stalls is cut off.
const exportWriteWindow = 30 * time.Second

func (f *exportFile) Write(p []byte) (int, error) {
	// Not every ResponseWriter can (a test's recorder cannot): then the
	// server's own timeout stands.
	_ = nethttp.NewResponseController(f.w).SetWriteDeadline(time.Now().Add(exportWriteWindow))
	if !f.started {
		f.started = true
		h := f.w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Disposition", `attachment; filename="`+f.filename+`"`)
		h.Set("Cache-Control", "no-store")
		f.w.WriteHeader(nethttp.StatusOK)
	}
	return f.w.Write(p)
}

// sendExport hands the browser a file to save whole: the statistics'
// tables, which are small.
func (s *Server) sendExport(w nethttp.ResponseWriter, contentType, filename string, body []byte) error {
	if _, err := s.exportFile(w, contentType, filename).Write(body); err != nil {
		s.log.Debug("writing an export failed", slog.Any("error", err))
	}
	return nil
}
