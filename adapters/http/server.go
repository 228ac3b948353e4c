// Package http is Whisper's web edge: reporter pages, the staff portal,
// carrier webhooks, health and metrics. It translates requests into use
// cases of package app and errors into statuses (see errors.go); it holds no
// rules of its own.
package http

import (
	"log/slog"
	nethttp "net/http"

	"github.com/whisper-schools/whisper/app"
)

// Config is what the web edge needs to know about its deployment.
type Config struct {
	// PublicURL is the external base URL, e.g. https://whisper.example.org.
	PublicURL string
}

// Server routes requests to the use cases.
type Server struct {
	cfg Config
	app *app.Service
	log *slog.Logger
}

// New returns the handler for every route Whisper serves.
func New(cfg Config, svc *app.Service, log *slog.Logger) nethttp.Handler {
	s := &Server{cfg: cfg, app: svc, log: log}
	mux := nethttp.NewServeMux()
	mux.Handle("GET /healthz", s.handle(s.healthz))
	mux.Handle("GET /readyz", s.handle(s.readyz))
	return securityHeaders(mux)
}

// handlerFunc is a handler that returns its error for one place to render.
type handlerFunc func(w nethttp.ResponseWriter, r *nethttp.Request) error

func (s *Server) handle(h handlerFunc) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// securityHeaders sets the headers every response carries. Pages that show
// report content add Cache-Control: no-store themselves; the policy here is
// the strictest, and pages loosen it only as far as they need.
func securityHeaders(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
