package http

import (
	nethttp "net/http"
	"net/url"
	"strconv"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// interactionRoutes registers the reports list, one report, export and statistics.
func (s *Server) interactionRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/{$}", s.staffPage(s.caseList))
	mux.Handle("GET /staff/interactions/{ref}", s.staffPage(s.caseShow))
	mux.Handle("POST /staff/interactions/{ref}/messages", s.staffPage(s.caseReply))
	mux.Handle("POST /staff/interactions/{ref}/status", s.staffPage(s.caseStatus))
	mux.Handle("POST /staff/interactions/{ref}/inbox", s.staffPage(s.caseMove))
	mux.Handle("GET /staff/export.csv", s.staffPage(s.exportCSV))
	mux.Handle("GET /staff/export.json", s.staffPage(s.exportJSON))
	mux.Handle("GET /staff/stats", s.staffPage(s.stats))
	mux.Handle("GET /staff/stats.csv", s.staffPage(s.statsCSV))
}

// caseListPage is the list of reports with its filters.
type caseListPage struct {
	Staff    staffChrome
	Query    app.InteractionQuery
	Result   app.InteractionPage
	Problems fieldProblems
	// Filtered says whether any filter is set, to offer clearing them.
	Filtered bool
	// Prev and Next link to the neighbouring pages, "" at either end.
	Prev, Next string
}

// Category is how the list names a report's inbox: as in the filter, so
// that inboxes of two forms can be told apart.
func (p caseListPage) Category(c *domain.StaffInteraction) string {
	for _, ib := range p.Result.Inboxes {
		if ib.ID == c.InboxID {
			return ib.Label
		}
	}
	return c.InboxName
}

func (s *Server) caseList(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	v := r.URL.Query()
	q := app.InteractionQuery{Status: v.Get("status"), InboxID: v.Get("inbox"), From: v.Get("from"), To: v.Get("to")}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.TriageQuery = triageQuery(v)
	q.Search = v.Get("q")
	res, err := s.app.Portal.ListInteractions(r.Context(), a, q)
	page := caseListPage{
		Staff: s.staffChrome(a, "cases"), Query: q, Result: res,
		Filtered: q.Status != "" || q.InboxID != "" || q.From != "" || q.To != "" || q.TriageQuery.Set() || q.Search != "",
	}
	if problems := domain.ProblemsOf(err); problems != nil {
		page.Problems = staffProblems(a, problems)
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/list", page)
	}
	if err != nil {
		return err
	}
	if res.Page > 1 {
		page.Prev = listURL(q, res.Page-1)
	}
	if res.Page < res.Pages {
		page.Next = listURL(q, res.Page+1)
	}
	return s.render(w, nethttp.StatusOK, "staff/list", page)
}

// listURL is the list with the same filters on another page.
func listURL(q app.InteractionQuery, page int) string {
	v := url.Values{}
	for key, val := range map[string]string{"status": q.Status, "inbox": q.InboxID, "from": q.From, "to": q.To, "q": q.Search} {
		if val != "" {
			v.Set(key, val)
		}
	}
	setTriageQuery(v, q.TriageQuery)
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/staff/"
	}
	return "/staff/?" + v.Encode()
}

// casePage is one report: its thread and the forms that act on it.
type casePage struct {
	Staff staffChrome
	View  app.InteractionView
	// Reply is what was typed in the reply box, kept when it comes back.
	Reply    string
	Problems fieldProblems
	// Triage is the report's assignment and urgency forms (triage.go).
	Triage triagePanel
	// Note is what was typed in the note box, kept when it comes back.
	Note string
}

// CanMove says whether there is anywhere to move the report to.
func (p casePage) CanMove() bool { return len(p.View.Inboxes) > 1 }

func (s *Server) caseShow(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	view, err := s.app.Portal.ReadInteraction(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.renderInteraction(w, r, a, nethttp.StatusOK, view, "", nil)
}

// renderInteraction shows a report; with problems, the form that caused
// them is shown again with what was typed.
func (s *Server) renderInteraction(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, status int, view app.InteractionView, reply string, problems domain.Problems) error {
	page := casePage{Staff: s.staffChrome(a, "cases"), View: view, Reply: reply, Problems: staffProblems(a, problems)}
	var err error
	if page.Triage, err = s.loadTriage(r, a, view.Interaction.Ref); err != nil {
		return err
	}
	page.Staff.Flash = s.flash(r)
	return s.render(w, status, "staff/interaction", page)
}

// caseURL is where a report's page is; its reference needs no escaping,
// but the staff's own links are built one way.
func caseURL(ref domain.Reference) string {
	return "/staff/interactions/" + url.PathEscape(string(ref))
}

func (s *Server) caseReply(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	body := r.PostFormValue("message")
	view, err := s.app.Portal.StaffReply(r.Context(), a, r.PathValue("ref"), body, clientIP(r, s.cfg.TrustedProxies))
	if problems := domain.ProblemsOf(err); problems != nil {
		// The refusal brings the report back, for its page with the
		// reply kept in the box.
		return s.renderInteraction(w, r, a, nethttp.StatusUnprocessableEntity, view, body, problems)
	}
	return s.afterInteractionAction(w, r, a, err, doneReplied)
}

func (s *Server) caseStatus(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	status := r.PostFormValue("status")
	err := s.app.Portal.SetInteractionStatus(r.Context(), a, r.PathValue("ref"), status)
	what := doneReopened
	if status == string(domain.StatusClosed) {
		what = doneClosed
	}
	return s.afterInteractionAction(w, r, a, err, what)
}

func (s *Server) caseMove(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	err := s.app.Portal.MoveInteraction(r.Context(), a, r.PathValue("ref"), r.PostFormValue("inbox"))
	return s.afterInteractionAction(w, r, a, err, doneMoved)
}

// afterInteractionAction answers a form on a report's page: success goes
// back to the page, confirming what was done. Problems show the page
// again (422), read afresh: the status and move forms offer only choices
// that work, so only a forged or stale form has problems, and their use
// cases need not bring the page back as a reply's does.
func (s *Server) afterInteractionAction(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, err error, what done) error {
	if problems := domain.ProblemsOf(err); problems != nil {
		view, err := s.app.Portal.ReadInteraction(r.Context(), a, r.PathValue("ref"))
		if err != nil {
			return err
		}
		return s.renderInteraction(w, r, a, nethttp.StatusUnprocessableEntity, view, "", problems)
	}
	if err != nil {
		return err
	}
	// The reference as the app reads it, whatever case it was typed in.
	ref, err := domain.ParseReference(r.PathValue("ref"))
	if err != nil {
		return app.ErrNoSuchInteraction
	}
	return s.redirectDone(w, r, caseURL(ref), what)
}

// tooLargeStaff turns an unreadable or oversized form into an error the
// staff error page explains.
func (s *Server) tooLargeStaff(err error) error {
	return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("That was too long to send. A reply can be up to 1,600 characters."), Err: err}
}
