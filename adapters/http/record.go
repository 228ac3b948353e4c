package http

import (
	nethttp "net/http"

	"github.com/whisper-schools/whisper/app"
)

// recordRoutes registers a report's printable record (issue #20).
func (s *Server) recordRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/interactions/{ref}/record", s.staffPage(s.caseRecord))
}

// recordPage is a report's record for the school's safeguarding system:
// a page made to be printed or saved as PDF (whisper.css's print rules
// drop the portal's navigation and forms).
type recordPage struct {
	Staff  staffChrome
	Record app.CaseRecord
}

func (s *Server) caseRecord(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	rec, err := s.app.Casework.Record(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/record", recordPage{Staff: s.staffChrome(a, "cases"), Record: rec})
}
