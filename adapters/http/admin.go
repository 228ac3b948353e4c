package http

import nethttp "net/http"

// adminRoutes registers the admin pages under /staff/admin/.
func (s *Server) adminRoutes(mux *nethttp.ServeMux) {}
