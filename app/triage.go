package app

import (
	"cmp"
	"context"
	"slices"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Fields of the triage filters and forms (issue #20).
const (
	FilterAwaiting = "awaiting"
	FilterAssignee = "assignee"
	FilterUrgent   = "urgent"
	FilterFlagged  = "flagged"
	// FieldStaffID is the assignment form's choice of member.
	FieldStaffID = "staff_id"
)

// Values of InteractionQuery.Assignee.
const (
	AssigneeMe   = "me"
	AssigneeNone = "none"
)

// TriageQuery narrows the list by triage; its fields are as typed into
// the list's filter form (awaiting=1, assignee=me|none, urgent=1,
// flagged=1).
type TriageQuery struct {
	Awaiting, Urgent, Flagged string
	Assignee                  string
}

// Set says whether any triage filter is set.
func (q TriageQuery) Set() bool {
	return q.Awaiting != "" || q.Urgent != "" || q.Flagged != "" || q.Assignee != ""
}

// triageFilter checks the triage filters of a query.
func triageFilter(q TriageQuery, v domain.Viewer) (ports.TriageFilter, domain.Problems) {
	var f ports.TriageFilter
	var problems domain.Problems
	flag := func(val, field string, to *bool) {
		switch val {
		case "":
		case "1":
			*to = true
		default:
			problems = append(problems, domain.FieldProblem{Field: field, Safe: domain.Say("Tick the box or leave it empty.")})
		}
	}
	flag(q.Awaiting, FilterAwaiting, &f.Awaiting)
	flag(q.Urgent, FilterUrgent, &f.Urgent)
	flag(q.Flagged, FilterFlagged, &f.Flagged)
	switch q.Assignee {
	case "":
	case AssigneeMe:
		me := v.StaffID
		f.Assignee = &me
	case AssigneeNone:
		f.Unassigned = true
	default:
		problems = append(problems, domain.FieldProblem{Field: FilterAssignee, Safe: domain.Say("Choose assigned to me, assigned to nobody or anyone.")})
	}
	return f, problems
}

// canSee says whether m, a member of the interaction's organisation, may
// see an interaction in inbox.
func canSee(m *domain.Staff, inbox domain.InboxID) bool {
	return m.RemovedAt == nil && (m.Role == domain.RoleAdmin || slices.Contains(m.InboxIDs, inbox))
}

// Assignee is a member an interaction may be assigned to.
type Assignee struct {
	ID   domain.StaffID
	Name string
}

// eligibleMembers are the members of the actor's organisation who may
// see an interaction in inbox, by name.
func eligibleMembers(ctx context.Context, tx ports.Tx, org domain.OrgID, inbox domain.InboxID) ([]*domain.Staff, error) {
	all, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(m *domain.Staff) bool { return !canSee(m, inbox) })
	slices.SortStableFunc(out, func(a, b *domain.Staff) int { return cmp.Compare(a.FullName(), b.FullName()) })
	return out, nil
}

// urgentRecipients are everyone an urgent interaction in inbox is told of
// at once: the inbox's notification addresses and every member who can
// see it, each in their own language. Unlike alertRecipients it is not
// cached and heeds no notification preference: urgent always goes.
func urgentRecipients(ctx context.Context, tx ports.Tx, org domain.OrgID, inbox *domain.Inbox) ([]domain.Recipient, error) {
	members, err := eligibleMembers(ctx, tx, org, inbox.ID)
	if err != nil {
		return nil, err
	}
	lang := map[string]domain.Language{}
	for _, m := range members {
		lang[m.Email] = m.Language
	}
	var out []domain.Recipient
	for _, to := range inbox.Notify {
		out = append(out, domain.Recipient{Address: to, Language: cmp.Or(lang[to], domain.English)})
	}
	for _, m := range members {
		out = append(out, domain.Recipient{Address: m.Email, Language: cmp.Or(m.Language, domain.English)})
	}
	return domain.Recipients(out), nil
}
