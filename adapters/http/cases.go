package http

import nethttp "net/http"

// caseRoutes registers the reports list, one report, export and statistics.
func (s *Server) caseRoutes(mux *nethttp.ServeMux) {}
