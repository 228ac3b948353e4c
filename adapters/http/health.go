package http

import (
	nethttp "net/http"
)

// healthz says the process is alive; it touches nothing else, so a slow
// database never gets a live instance restarted.
func (s *Server) healthz(w nethttp.ResponseWriter, r *nethttp.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readyz says whether this instance can serve: its database answers.
func (s *Server) readyz(w nethttp.ResponseWriter, r *nethttp.Request) error {
	if err := s.app.Operations.Ready(r.Context()); err != nil {
		return err
	}
	return s.healthz(w, r)
}
