package http

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// Triage (issue #20): assigning a report, marking it urgent, and what the
// list shows of both.

// triageRoutes registers the triage forms of a report's page.
func (s *Server) triageRoutes(mux *nethttp.ServeMux) {
	mux.Handle("POST /staff/interactions/{ref}/assignee", s.staffPage(s.caseAssign))
	mux.Handle("POST /staff/interactions/{ref}/urgent", s.staffPage(s.caseUrgent))
}

// The confirmations of triage.
const (
	doneAssigned   done = "assigned"
	doneUnassigned done = "unassigned"
	doneUrgent     done = "urgent"
	doneNotUrgent  done = "not-urgent"
	doneUnchanged  done = "unchanged"
)

func init() {
	confirmations[doneAssigned] = "The report has been assigned. They have been emailed a link to it."
	confirmations[doneUnassigned] = "The report is now assigned to nobody."
	confirmations[doneUrgent] = "The report is marked urgent. Everyone who looks after its inbox has been emailed."
	confirmations[doneNotUrgent] = "The report is no longer marked urgent."
	confirmations[doneUnchanged] = "Nothing needed changing."
}

func (s *Server) caseAssign(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	to := r.PostFormValue(app.FieldStaffID)
	changed, err := s.app.Casework.Assign(r.Context(), a, r.PathValue("ref"), to)
	what := doneAssigned
	switch {
	case !changed:
		what = doneUnchanged
	case to == "":
		what = doneUnassigned
	}
	return s.afterInteractionAction(w, r, a, err, what)
}

func (s *Server) caseUrgent(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	urgent := r.PostFormValue(app.FilterUrgent)
	changed, err := s.app.Casework.SetUrgent(r.Context(), a, r.PathValue("ref"), urgent)
	what := doneNotUrgent
	switch {
	case !changed:
		what = doneUnchanged
	case urgent == app.UrgentOn:
		what = doneUrgent
	}
	return s.afterInteractionAction(w, r, a, err, what)
}

// triageQuery reads the list's triage filters from its address.
func triageQuery(v url.Values) app.TriageQuery {
	return app.TriageQuery{Awaiting: v.Get(app.FilterAwaiting), Urgent: v.Get(app.FilterUrgent),
		Flagged: v.Get(app.FilterFlagged), Assignee: v.Get(app.FilterAssignee)}
}

// setTriageQuery keeps the triage filters in a link to another page.
func setTriageQuery(v url.Values, q app.TriageQuery) {
	for key, val := range map[string]string{app.FilterAwaiting: q.Awaiting, app.FilterUrgent: q.Urgent,
		app.FilterFlagged: q.Flagged, app.FilterAssignee: q.Assignee} {
		if val != "" {
			v.Set(key, val)
		}
	}
}

// waited is how long a reporter has waited, in the largest whole unit
// that fits: the list says "2 days", "3 hours" or "5 minutes".
type waited struct {
	Days, Hours, Minutes int
	// Overdue is set when that is past the form's response target.
	Overdue bool
}

// Waiting is how long the reporter of c has waited for a reply as the
// list was read; nil when they are not waiting.
func (p caseListPage) Waiting(c *domain.StaffInteraction) *waited {
	if !c.Awaiting() {
		return nil
	}
	d := c.Waited(p.Result.Now)
	w := &waited{Overdue: c.Overdue(p.Result.Now)}
	switch {
	case d >= 24*time.Hour:
		w.Days = int(d / (24 * time.Hour))
	case d >= time.Hour:
		w.Hours = int(d / time.Hour)
	default:
		w.Minutes = int(d / time.Minute)
	}
	return w
}

// triagePanel is what a report's page shows and offers of its triage.
type triagePanel struct {
	// Assignees are the members it may be assigned to.
	Assignees []app.Assignee
}

// loadTriage reads what the report's page needs of its triage.
func (s *Server) loadTriage(r *nethttp.Request, a *app.Actor, ref domain.Reference) (triagePanel, error) {
	members, err := s.app.Casework.Assignees(r.Context(), a, string(ref))
	return triagePanel{Assignees: members}, err
}

// TriageErrors are the ids of the triage checkboxes' error messages, for
// their fieldset's aria-describedby; "" when there are none.
func (p caseListPage) TriageErrors() string {
	var ids []string
	for _, field := range []string{app.FilterAwaiting, app.FilterUrgent, app.FilterFlagged} {
		if p.Problems.Of(field) != "" {
			ids = append(ids, field+"-error")
		}
	}
	return strings.Join(ids, " ")
}
