package http

import (
	"bytes"
	"log/slog"
	nethttp "net/http"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/export"
)

func (s *Server) exportCSV(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	rows, err := s.app.Portal.Export(r.Context(), a, "csv")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, rows, s.app.Zone); err != nil {
		return err
	}
	return s.sendExport(w, "text/csv; charset=utf-8", s.exportName("export", "csv"), buf.Bytes())
}

func (s *Server) exportJSON(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	rows, err := s.app.Portal.Export(r.Context(), a, "json")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := export.WriteJSON(&buf, rows, s.app.Zone); err != nil {
		return err
	}
	return s.sendExport(w, "application/json; charset=utf-8", s.exportName("export", "json"), buf.Bytes())
}

// exportName names a file to save: whisper-<what>-<today>.<ext>.
func (s *Server) exportName(what, ext string) string {
	return "whisper-" + what + "-" + s.cfg.Now().UTC().Format(time.DateOnly) + "." + ext
}

// sendExport hands the browser a file to save. It may be personal data: no
// cache may keep it.
func (s *Server) sendExport(w nethttp.ResponseWriter, contentType, filename string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(nethttp.StatusOK)
	if _, err := w.Write(body); err != nil {
		s.log.Debug("writing an export failed", slog.Any("error", err))
	}
	return nil
}
