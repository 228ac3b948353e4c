package http

import (
	nethttp "net/http"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// Internal notes on a report (issue #20): staff write them for one
// another; the reporter never sees them. Search is part of the list
// (caseList, ?q=).

// doneNoted confirms a note kept.
const doneNoted done = "noted"

func init() {
	confirmations[doneNoted] = "Your internal note has been added. The reporter does not see it."
}

// maxNoteFormBytes bounds the note form: a note is at most
// domain.MaxNote characters, each up to 4 bytes of UTF-8 and up to 9
// once form-encoded, with room to spare.
const maxNoteFormBytes = 512 << 10

// noteRoutes registers the note form of a report's page.
func (s *Server) noteRoutes(mux *nethttp.ServeMux) {
	mux.Handle("POST /staff/interactions/{ref}/notes", s.staffPage(s.caseNote))
}

func (s *Server) caseNote(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxNoteFormBytes)
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("That was too long to send. A note can be up to 10,000 characters."), Err: err}
	}
	note := r.PostFormValue("note")
	view, err := s.app.Casework.AddNote(r.Context(), a, r.PathValue("ref"), note)
	if problems := domain.ProblemsOf(err); problems != nil {
		// The report comes back with the note kept in its box.
		page := casePage{Staff: s.staffChrome(a, "cases"), View: view, Note: note, Problems: staffProblems(a, problems)}
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/interaction", page)
	}
	return s.afterInteractionAction(w, r, a, err, doneNoted)
}
