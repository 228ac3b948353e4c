package http

import nethttp "net/http"

// authRoutes registers sign-in, sign-out, set-password and account routes.
func (s *Server) authRoutes(mux *nethttp.ServeMux) {}
