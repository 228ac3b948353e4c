package app

import (
	"context"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InteractionsPerPage is how many reports one page of the list shows.
const InteractionsPerPage = 25

// Fields of the staff's report forms that problems may name (the reply
// box is FieldMessage).
const (
	FilterStatus = "status"
	FilterInbox  = "inbox"
	FilterFrom   = "from"
	FilterTo     = "to"
)

// InteractionQuery narrows the list of reports. Its fields are as typed into the
// list's filter form; ListInteractions checks them.
type InteractionQuery struct {
	// Status is "open", "closed" or "" for both.
	Status string
	// InboxID is one of the actor's inboxes, or "" for all of them.
	InboxID string
	// From and To bound the day a report arrived, both included, as
	// YYYY-MM-DD in UTC; "" leaves that end open.
	From, To string
	// Page counts from 1; out of range is brought back into it.
	Page int
	// TriageQuery holds the triage filters (app/triage.go).
	TriageQuery

	// Search is what was typed in the search box: a reference or words
	// of the messages and notes (casework_search.go). Sensitive: never
	// logged.
	Search string
}

// InteractionPage is one page of the actor's reports.
type InteractionPage struct {
	Interactions []*domain.StaffInteraction
	// Total counts every report that matches the query, on all pages.
	Total       int
	Page, Pages int
	// Inboxes are those the actor may filter by: every inbox of the
	// organisation for admins, their assigned ones for staff.
	Inboxes []VisibleInbox
	// Now is when the list was read: how long a reporter has waited,
	// and whether that is overdue, are as of then.
	Now time.Time
}

// ListInteractions returns a page of the reports the actor may see, most recent
// activity first. Bad filters come back as domain.Problems, with the page's
// Inboxes still filled so the filter form can be shown again.
func (s *Portal) ListInteractions(ctx context.Context, a *Actor, q InteractionQuery) (out InteractionPage, err error) {
	defer domain.Wrap(&err, "app.Portal.ListInteractions")
	out.Now = s.now()
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Inboxes, err = actorInboxes(ctx, tx, a); err != nil {
			return err
		}
		f, problems := interactionFilter(q, out.Inboxes)
		var triageProblems domain.Problems
		f.TriageFilter, triageProblems = triageFilter(q.TriageQuery, a.Viewer)
		problems = append(problems, triageProblems...)
		search, searchIssues := searchProblems(q.Search)
		problems = append(problems, searchIssues...)
		if err := problems.Invalid(); err != nil {
			return err
		}
		if err := searchFilter(ctx, tx, a, &f, search); err != nil {
			return err
		}
		if out.Total, err = tx.StaffView().Count(ctx, a.Viewer, f); err != nil {
			return err
		}
		out.Pages = max(1, (out.Total+InteractionsPerPage-1)/InteractionsPerPage)
		out.Page = min(max(q.Page, 1), out.Pages)
		f.Limit, f.Offset = InteractionsPerPage, (out.Page-1)*InteractionsPerPage
		out.Interactions, err = tx.StaffView().List(ctx, a.Viewer, f)
		return err
	})
	return out, err
}

// interactionFilter checks a query against the inboxes the actor may see.
func interactionFilter(q InteractionQuery, inboxes []VisibleInbox) (ports.StaffViewFilter, domain.Problems) {
	var f ports.StaffViewFilter
	var problems domain.Problems
	if q.Status != "" {
		if st, err := domain.ParseStatus(q.Status); err != nil {
			problems = append(problems, domain.FieldProblem{Field: FilterStatus, Safe: domain.Say("Choose open, closed or any status.")})
		} else {
			f.Status = &st
		}
	}
	if q.InboxID != "" {
		i := slices.IndexFunc(inboxes, func(ib VisibleInbox) bool { return string(ib.ID) == q.InboxID })
		if i < 0 {
			problems = append(problems, domain.FieldProblem{Field: FilterInbox, Safe: domain.Say("Choose one of the inboxes offered.")})
		} else {
			f.InboxID = &inboxes[i].ID
		}
	}
	from, okFrom := parseDay(q.From)
	to, okTo := parseDay(q.To)
	if !okFrom {
		problems = append(problems, domain.FieldProblem{Field: FilterFrom, Safe: domain.Say("Enter the start date as year, month and day, for example 2026-10-05.")})
	}
	if !okTo {
		problems = append(problems, domain.FieldProblem{Field: FilterTo, Safe: domain.Say("Enter the end date as year, month and day, for example 2026-10-31.")})
	}
	if from != nil && to != nil && to.Before(*from) {
		problems = append(problems, domain.FieldProblem{Field: FilterTo, Safe: domain.Say("The end date is before the start date.")})
	}
	if from != nil {
		f.From = from
	}
	if to != nil {
		// The end day is included: the bound is the midnight after it.
		end := to.AddDate(0, 0, 1)
		f.To = &end
	}
	return f, problems
}

// parseDay reads a YYYY-MM-DD date as midnight UTC; "" is no date.
func parseDay(s string) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil, false
	}
	return &t, true
}
