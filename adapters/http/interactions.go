package http

import (
	nethttp "net/http"
	"net/url"
	"strconv"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// caseRoutes registers the reports list, one report, export and statistics.
func (s *Server) caseRoutes(mux *nethttp.ServeMux) {
	mux.Handle("GET /staff/{$}", s.staffPage(s.caseList))
	mux.Handle("GET /staff/interactions/{ref}", s.staffPage(s.caseShow))
	mux.Handle("POST /staff/interactions/{ref}/messages", s.staffPage(s.caseReply))
	mux.Handle("POST /staff/interactions/{ref}/status", s.staffPage(s.caseStatus))
	mux.Handle("POST /staff/interactions/{ref}/inbox", s.staffPage(s.caseMove))
	mux.Handle("GET /staff/export.csv", s.staffPage(s.exportCSV))
	mux.Handle("GET /staff/export.json", s.staffPage(s.exportJSON))
	mux.Handle("GET /staff/stats", s.staffPage(s.stats))
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
	res, err := s.app.Portal.ListInteractions(r.Context(), a, q)
	page := caseListPage{
		Staff: s.staffChrome(a, "cases"), Query: q, Result: res,
		Filtered: q.Status != "" || q.InboxID != "" || q.From != "" || q.To != "",
	}
	if problems := domain.ProblemsOf(err); problems != nil {
		page.Problems = staffProblems(problems)
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
	for key, val := range map[string]string{"status": q.Status, "inbox": q.InboxID, "from": q.From, "to": q.To} {
		if val != "" {
			v.Set(key, val)
		}
	}
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
}

// CanMove says whether there is anywhere to move the report to.
func (p casePage) CanMove() bool { return len(p.View.Inboxes) > 1 }

func (s *Server) caseShow(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	return s.renderInteraction(w, r, a, nethttp.StatusOK, "", nil)
}

// renderInteraction shows a report; with problems, the form that caused them is
// shown again with what was typed.
func (s *Server) renderInteraction(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, status int, reply string, problems domain.Problems) error {
	view, err := s.app.Portal.ReadInteraction(r.Context(), a, r.PathValue("ref"))
	if err != nil {
		return err
	}
	page := casePage{Staff: s.staffChrome(a, "cases"), View: view, Reply: reply, Problems: staffProblems(problems)}
	if problems == nil {
		page.Staff.Flash = s.takeFlash(w, r)
	}
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
	err := s.app.Portal.StaffReply(r.Context(), a, r.PathValue("ref"), body, clientIP(r, s.cfg.TrustedProxies))
	return s.afterInteractionAction(w, r, a, err, body, flashReplied)
}

func (s *Server) caseStatus(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	status := r.PostFormValue("status")
	err := s.app.Portal.SetInteractionStatus(r.Context(), a, r.PathValue("ref"), status)
	done := flashReopened
	if status == string(domain.StatusClosed) {
		done = flashClosed
	}
	return s.afterInteractionAction(w, r, a, err, "", done)
}

func (s *Server) caseMove(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	err := s.app.Portal.MoveInteraction(r.Context(), a, r.PathValue("ref"), r.PostFormValue("inbox"))
	return s.afterInteractionAction(w, r, a, err, "", flashMoved)
}

// afterInteractionAction answers a form on a report's page: problems show the
// page again (422) with what was typed; success goes back to the page.
func (s *Server) afterInteractionAction(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor, err error, reply, done string) error {
	if problems := domain.ProblemsOf(err); problems != nil {
		return s.renderInteraction(w, r, a, nethttp.StatusUnprocessableEntity, reply, problems)
	}
	if err != nil {
		return err
	}
	ref, err := domain.ParseReference(r.PathValue("ref"))
	if err != nil {
		return app.ErrNoSuchInteraction
	}
	s.setFlash(w, done)
	nethttp.Redirect(w, r, caseURL(ref), nethttp.StatusSeeOther)
	return nil
}

// tooLargeStaff turns an unreadable or oversized form into an error the
// staff error page explains.
func (s *Server) tooLargeStaff(err error) error {
	return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("That was too long to send. A reply can be up to 1,600 characters."), Err: err}
}

// Confirmations after an action on a report. The cookie carries only one
// of these codes, and the words come from this table, so a forged cookie
// can show nothing but them.
const (
	flashReplied  = "replied"
	flashClosed   = "closed"
	flashReopened = "reopened"
	flashMoved    = "moved"
)

var flashText = map[string]string{
	flashReplied:  "Your reply has been added to the conversation.",
	flashClosed:   "The report is closed.",
	flashReopened: "The report is open.",
	flashMoved:    "The report has been moved.",
}

// flashCookie names the cookie that carries a confirmation across the
// redirect after a POST, so the page can say what was done without the
// address changing.
func (s *Server) flashCookie() string {
	if s.secureCookies() {
		return "__Host-whisper_done"
	}
	return "whisper_done"
}

func (s *Server) setFlash(w nethttp.ResponseWriter, code string) {
	nethttp.SetCookie(w, &nethttp.Cookie{
		Name: s.flashCookie(), Value: code, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
	})
}

// takeFlash returns the confirmation waiting for this page, once.
func (s *Server) takeFlash(w nethttp.ResponseWriter, r *nethttp.Request) string {
	c, err := r.Cookie(s.flashCookie())
	if err != nil {
		return ""
	}
	nethttp.SetCookie(w, &nethttp.Cookie{
		Name: s.flashCookie(), Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
	})
	return flashText[c.Value]
}
