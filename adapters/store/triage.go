package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Triage (issue #20): the interaction's urgent mark and assignee, the
// list's triage filters, and the preview and waiting time the list shows.

type triage struct{ *tx }

func (t triage) SetUrgent(ctx context.Context, id domain.InteractionID, urgent bool) (bool, error) {
	res, err := t.db.NewUpdate().Table("interactions").Set("urgent = ?", urgent).
		Where("id = ?", string(id)).Where("erased_at IS NULL").Where("urgent <> ?", urgent).Exec(ctx)
	return affected(res, err)
}

func (t triage) SetAssignee(ctx context.Context, id domain.InteractionID, staff domain.StaffID) (bool, error) {
	q := t.db.NewUpdate().Table("interactions").Where("id = ?", string(id)).Where("erased_at IS NULL")
	if staff == "" {
		q = q.Set("assignee_id = NULL").Where("assignee_id IS NOT NULL")
	} else {
		q = q.Set("assignee_id = ?", string(staff)).Where("(assignee_id IS NULL OR assignee_id <> ?)", string(staff))
	}
	res, err := q.Exec(ctx)
	return affected(res, err)
}

func affected(res interface{ RowsAffected() (int64, error) }, err error) (bool, error) {
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n > 0, translate(err)
}

// assigneeGone is true of an interaction row i whose assignee may no
// longer see it: removed, or neither an admin nor assigned to its inbox.
const assigneeGone = `NOT EXISTS (SELECT 1 FROM staff AS s WHERE s.id = interactions.assignee_id AND s.removed_at IS NULL
	AND (s.role = 'admin' OR EXISTS (SELECT 1 FROM staff_inboxes AS si WHERE si.staff_id = s.id AND si.inbox_id = interactions.inbox_id)))`

// releaseStaff clears the assignments of a member who can no longer see
// them; staff.Change calls it after changing a member.
func releaseStaff(ctx context.Context, db bun.IDB, id domain.StaffID) error {
	_, err := db.NewUpdate().Table("interactions").Set("assignee_id = NULL").
		Where("assignee_id = ?", string(id)).Where(assigneeGone).Exec(ctx)
	return translate(err)
}

// releaseInteraction clears the assignment of an interaction its assignee
// can no longer see; interactions.Change calls it after a move.
func releaseInteraction(ctx context.Context, db bun.IDB, id domain.InteractionID) error {
	_, err := db.NewUpdate().Table("interactions").Set("assignee_id = NULL").
		Where("id = ?", string(id)).Where("assignee_id IS NOT NULL").Where(assigneeGone).Exec(ctx)
	return translate(err)
}

// triageFiltered applies the triage filters to the list's query.
func triageFiltered(q *bun.SelectQuery, f ports.TriageFilter) *bun.SelectQuery {
	if f.Awaiting {
		q = q.Where("i.status = ?", string(domain.StatusOpen)).Where(awaitingExists)
	}
	if f.Assignee != nil {
		q = q.Where("i.assignee_id = ?", string(*f.Assignee))
	}
	if f.Unassigned {
		q = q.Where("i.assignee_id IS NULL")
	}
	if f.Urgent {
		q = q.Where("i.urgent = ?", true)
	}
	if f.Flagged {
		q = q.Where("i.flagged = ?", true)
	}
	return q
}

// awaitingExists holds for an interaction i whose latest message (by
// time, then id, as the staff view orders them) is the reporter's, as its
// latest_author keeps it (reply_columns.go): a test of the row itself.
const awaitingExists = `i.latest_author = 'reporter'`

// withTriage fills in the preview of each interaction's latest message
// and, for open ones awaiting a reply, since when. It reads the latest
// message of each (two indexed statements for the whole page), and opens
// only their bodies.
func (c staffView) withTriage(ctx context.Context, list []*domain.StaffInteraction) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, cs := range list {
		ids[i] = string(cs.ID)
	}
	var latest []struct {
		ID            string    `bun:"id"`
		InteractionID string    `bun:"interaction_id"`
		BodySealed    []byte    `bun:"body_sealed"`
		CreatedAt     time.Time `bun:"created_at"`
	}
	err := c.db.NewSelect().TableExpr("messages AS m").
		ColumnExpr("m.id, m.interaction_id, m.body_sealed, m.created_at").
		Where("m.interaction_id IN (?)", bun.List(ids)).
		Where(`NOT EXISTS (SELECT 1 FROM messages AS n WHERE n.interaction_id = m.interaction_id
			AND (n.created_at > m.created_at OR (n.created_at = m.created_at AND n.id > m.id)))`).
		Scan(ctx, &latest)
	if err != nil {
		return translate(err)
	}
	var waiting []struct {
		InteractionID string    `bun:"interaction_id"`
		Since         time.Time `bun:"since"`
	}
	err = c.db.NewSelect().TableExpr("messages AS m").
		ColumnExpr("m.interaction_id, MIN(m.created_at) AS since").
		Where("m.interaction_id IN (?)", bun.List(ids)).Where("m.author = 'reporter'").
		Where(`NOT EXISTS (SELECT 1 FROM messages AS n WHERE n.interaction_id = m.interaction_id
			AND n.author <> 'reporter' AND n.created_at >= m.created_at)`).
		GroupExpr("m.interaction_id").Scan(ctx, &waiting)
	if err != nil {
		return translate(err)
	}
	byID := make(map[string]*domain.StaffInteraction, len(list))
	for _, cs := range list {
		byID[string(cs.ID)] = cs
	}
	for _, m := range latest {
		body, err := c.keys.Open(m.BodySealed, aad("messages.body", m.ID))
		if err != nil {
			return err
		}
		byID[m.InteractionID].Preview = domain.Preview(body, domain.PreviewLength)
	}
	for _, w := range waiting {
		cs := byID[w.InteractionID]
		if cs.Status == domain.StatusOpen {
			since := w.Since.UTC()
			cs.AwaitingSince = &since
		}
	}
	return nil
}

// Triage returns the triage repository.
func (t *tx) Triage() ports.TriageRepo { return triage{t} }

// triageRow is what the staff views read of an interaction's triage.
type triageRow struct {
	Urgent              bool    `bun:"urgent"`
	AssigneeID          *string `bun:"assignee_id"`
	AssigneeFirstSealed []byte  `bun:"assignee_first_sealed"`
	AssigneeLastSealed  []byte  `bun:"assignee_last_sealed"`
	ResponseTargetHours int     `bun:"response_target_hours"`
}

// selectTriage adds the triage columns to the staff views' query.
func selectTriage(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("i.urgent, i.assignee_id, f.response_target_hours").
		ColumnExpr("asg.first_name_sealed AS assignee_first_sealed, asg.last_name_sealed AS assignee_last_sealed").
		Join("LEFT JOIN staff AS asg ON asg.id = i.assignee_id")
}

// triageOf reads a row's triage; the preview and waiting time come later
// (withTriage).
func (c staffView) triageOf(r *triageRow) (domain.Triage, error) {
	t := domain.Triage{Urgent: r.Urgent, ResponseTarget: time.Duration(r.ResponseTargetHours) * time.Hour}
	if r.AssigneeID != nil {
		m := &domain.Staff{}
		if err := openFields(c.keys, *r.AssigneeID,
			sealedField{&m.FirstName, r.AssigneeFirstSealed, "staff.first_name"},
			sealedField{&m.LastName, r.AssigneeLastSealed, "staff.last_name"},
		); err != nil {
			return t, err
		}
		t.AssigneeID, t.AssigneeName = domain.StaffID(*r.AssigneeID), m.FullName()
	}
	return t, nil
}

// urgentFirst reads a page of the list: urgent interactions first, then
// the rest, each by latest activity. It reads the two apart, so that each
// is served in order by one index (interactions_list_covering, which
// starts with the mark) rather than sorting every match; a page
// that straddles them reads the end of one and the start of the other.
func (c staffView) urgentFirst(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter) ([]*domain.StaffInteraction, error) {
	if f.Urgent {
		return c.page(ctx, v, f, nil, f.Limit, f.Offset)
	}
	yes, no := true, false
	if f.Limit == 0 {
		urgent, err := c.page(ctx, v, f, &yes, 0, 0)
		if err != nil {
			return nil, err
		}
		rest, err := c.page(ctx, v, f, &no, 0, 0)
		return append(urgent, rest...), err
	}
	// Few are urgent: interactions_list_covering finds them by
	// organisation and mark (Count's hint for the whole list would walk
	// every case).
	uf := f
	uf.Urgent = true
	count, err := filtered(c.scoped(v), uf).ColumnExpr("i.id").Count(ctx)
	if err != nil {
		return nil, translate(err)
	}
	n := int(count)
	var out []*domain.StaffInteraction
	if f.Offset < n {
		if out, err = c.page(ctx, v, f, &yes, f.Limit, f.Offset); err != nil {
			return nil, err
		}
	}
	if rest := f.Limit - len(out); rest > 0 {
		more, err := c.page(ctx, v, f, &no, rest, max(0, f.Offset-n))
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
