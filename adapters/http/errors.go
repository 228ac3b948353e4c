package http

import (
	"log/slog"
	nethttp "net/http"

	"github.com/whisper-schools/whisper/domain"
)

// statusOf is the one table from error kinds to HTTP statuses. Reporter
// pages answer 404 for Forbidden too, so that a link that exists and one
// that does not look the same; they map that themselves before rendering.
func statusOf(err error) int {
	switch domain.KindOf(err) {
	case domain.KindInvalid:
		return nethttp.StatusBadRequest
	case domain.KindNotFound:
		return nethttp.StatusNotFound
	case domain.KindConflict:
		return nethttp.StatusConflict
	case domain.KindForbidden:
		return nethttp.StatusForbidden
	case domain.KindUnavailable:
		return nethttp.StatusServiceUnavailable
	default:
		return nethttp.StatusInternalServerError
	}
}

// renderError answers with the status of err's kind and its safe message.
// Only server-side failures are logged, and then with the route, never the
// URL: a conversation link's token is in its path.
func (s *Server) renderError(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", slog.String("route", r.Pattern), slog.Int("status", status), slog.Any("error", err))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(domain.SafeMessage(err) + "\n"))
}
