package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// caseRow is what the staff views read of an interaction. Its columns are
// chosen here, by name: the channel, the contact columns and the meta data
// of messages are not among them and cannot be asked for through this repo.
type caseRow struct {
	ID                 string     `bun:"id"`
	Ref                string     `bun:"ref"`
	FormID             string     `bun:"form_id"`
	FormName           string     `bun:"form_name"`
	InboxID            string     `bun:"inbox_id"`
	InboxName          string     `bun:"inbox_name"`
	Status             string     `bun:"status"`
	ReporterNameSealed []byte     `bun:"reporter_name_sealed"`
	Flagged            bool       `bun:"flagged"`
	CreatedAt          time.Time  `bun:"created_at"`
	LastActivityAt     time.Time  `bun:"last_activity_at"`
	ClosedAt           *time.Time `bun:"closed_at"`
	ReadAt             *time.Time `bun:"read_at"`
	triageRow
}

type staffView struct{ *tx }

// scoped selects the viewer's interactions that are not erased.
func (c staffView) scoped(v domain.Viewer) *bun.SelectQuery {
	q := c.db.NewSelect().TableExpr("interactions AS i").
		Where("i.org_id = ?", string(v.OrgID)).
		Where("i.erased_at IS NULL")
	if v.InboxIDs != nil {
		if len(v.InboxIDs) == 0 {
			return q.Where("1 = 0")
		}
		q = q.Where("i.inbox_id IN (?)", bun.List(inboxStrings(v.InboxIDs)))
	}
	return q
}

func inboxStrings(ids []domain.InboxID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

func (c staffView) selectInteractions(v domain.Viewer) *bun.SelectQuery {
	return c.withColumns(c.scoped(v), v)
}

// withColumns selects what the staff views read of the interactions i
// that q selects, for viewer v.
func (c staffView) withColumns(q *bun.SelectQuery, v domain.Viewer) *bun.SelectQuery {
	return q.
		ColumnExpr("i.id, i.ref, i.form_id, f.name AS form_name, i.inbox_id, b.name AS inbox_name").
		ColumnExpr("i.status, i.reporter_name_sealed, i.flagged, i.created_at, i.last_activity_at, i.closed_at").
		ColumnExpr("r.read_at").
		Join("JOIN forms AS f ON f.id = i.form_id").
		Join("JOIN inboxes AS b ON b.id = i.inbox_id").
		Join("LEFT JOIN case_reads AS r ON r.interaction_id = i.id AND r.staff_id = ?", string(v.StaffID)).
		Apply(selectTriage)
}

func filtered(q *bun.SelectQuery, f ports.StaffViewFilter) *bun.SelectQuery {
	if f.Status != nil {
		q = q.Where("i.status = ?", string(*f.Status))
	}
	if f.InboxID != nil {
		q = q.Where("i.inbox_id = ?", string(*f.InboxID))
	}
	if f.From != nil {
		q = q.Where("i.created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("i.created_at < ?", *f.To)
	}
	return triageFiltered(searchFiltered(q, f), f.TriageFilter)
}

// searchFiltered keeps what a search found (search.go).
func searchFiltered(q *bun.SelectQuery, f ports.StaffViewFilter) *bun.SelectQuery {
	switch {
	case f.IDs == nil:
		return q
	case len(f.IDs) == 0:
		return q.Where("1 = 0")
	}
	return q.Where("i.id IN (?)", bun.List(f.IDs))
}

func (c staffView) fromRow(r *caseRow) (*domain.StaffInteraction, error) {
	name, err := c.keys.Open(r.ReporterNameSealed, aad("interactions.reporter_name", r.ID))
	if err != nil {
		return nil, err
	}
	triage, err := c.triageOf(&r.triageRow)
	if err != nil {
		return nil, err
	}
	return &domain.StaffInteraction{
		ID: domain.InteractionID(r.ID), Ref: domain.Reference(r.Ref),
		FormID: domain.FormID(r.FormID), FormName: r.FormName, InboxID: domain.InboxID(r.InboxID), InboxName: r.InboxName,
		Status: domain.Status(r.Status), ReporterName: name, Flagged: r.Flagged,
		CreatedAt: r.CreatedAt.UTC(), LastActivityAt: r.LastActivityAt.UTC(), ClosedAt: utcPtr(r.ClosedAt),
		Unread: r.ReadAt == nil || r.ReadAt.Before(r.LastActivityAt),
		Triage: triage,
	}, nil
}

func (c staffView) List(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter) ([]*domain.StaffInteraction, error) {
	list, err := c.urgentFirst(ctx, v, f)
	if err != nil {
		return nil, err
	}
	return list, c.withTriage(ctx, list)
}

// listOrder is the list's order within urgent and not: latest activity
// first.
const listOrder = "i.last_activity_at DESC, i.id DESC"

// page reads one page of the viewer's interactions that match f, by
// latest activity; urgent, when set, keeps only those (not) urgent.
//
// A page is chosen first, by identifier alone, and only its rows are then
// joined to their form, inbox, assignee and read mark: joining every
// match and then skipping all but the page's made a deep page of a large
// organisation's list cost as much as reading the whole list (the whole
// organisation's rows joined and sorted, issue #23). Choosing the page
// reads interactions_list_covering alone, in order, its filters
// included (migrations 43 and 53).
func (c staffView) page(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter, urgent *bool, limit, offset int) ([]*domain.StaffInteraction, error) {
	var rows []caseRow
	var q *bun.SelectQuery
	if limit > 0 {
		ids := filtered(c.scoped(v), f).ColumnExpr("i.id").OrderExpr(listOrder).Limit(int64(limit)).Offset(int64(offset))
		if urgent != nil {
			ids = ids.Where("i.urgent = ?", *urgent)
		}
		// The page's rows are then found by id alone: the choice holds
		// the viewer's scope, and repeating it here would let SQLite walk
		// the organisation's rows, testing each against the page.
		q = c.withColumns(c.db.NewSelect().TableExpr("interactions AS i"), v).Where("i.id IN (?)", ids).OrderExpr(listOrder)
	} else {
		q = filtered(c.selectInteractions(v).OrderExpr(listOrder), f)
		if urgent != nil {
			q = q.Where("i.urgent = ?", *urgent)
		}
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, c.fromRow)
}

// IDs orders as List: urgent ones first (true sorts after false on both
// databases), each part by latest activity.
func (c staffView) IDs(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter) ([]domain.InteractionID, error) {
	f.Limit, f.Offset = 0, 0
	var ids []string
	err := filtered(c.scoped(v), f).ColumnExpr("i.id").
		OrderExpr("i.urgent DESC, i.last_activity_at DESC, i.id DESC").Scan(ctx, &ids)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.InteractionID, len(ids))
	for i, id := range ids {
		out[i] = domain.InteractionID(id)
	}
	return out, nil
}

// caseStatuses are every status an interaction may have (the table's CHECK
// constraint holds it to them).
var caseStatuses = []string{string(domain.StatusOpen), string(domain.StatusClosed)}

func (c staffView) Count(ctx context.Context, v domain.Viewer, f ports.StaffViewFilter) (int, error) {
	q := filtered(c.scoped(v), f)
	// Each hint below changes nothing counted, but lets the count read
	// one index alone rather than every matching row.
	switch {
	case f.IDs != nil:
		// A search's results: found by id.
	case f.Awaiting:
		// Open ones only: interactions_cases seeks to them.
	case f.TriageFilter != (ports.TriageFilter{}) || f.From != nil || f.To != nil:
		// Naming both marks lets it seek interactions_list_covering
		// (org_id, urgent, …), which holds every column a filter tests:
		// without it SQLite chose interactions_cases and read each row
		// to test it (90 ms for a 60,000-report organisation).
		q = q.Where("i.urgent IN (TRUE, FALSE)")
	case f.Status == nil:
		// Naming every status lets it seek to the viewer's inboxes
		// within each status in interactions_cases (org_id, status,
		// inbox_id), rather than walk all of the organisation's.
		q = q.Where("i.status IN (?)", bun.List(caseStatuses))
	}
	n, err := q.ColumnExpr("i.id").Count(ctx)
	return int(n), translate(err)
}

func (c staffView) Get(ctx context.Context, v domain.Viewer, ref domain.Reference) (*domain.StaffInteraction, error) {
	var row caseRow
	if err := c.selectInteractions(v).Where("i.ref = ?", string(ref)).Scan(ctx, &row); err != nil {
		return nil, notFound(err, "report")
	}
	cs, err := c.fromRow(&row)
	if err != nil {
		return nil, err
	}
	return cs, c.withTriage(ctx, []*domain.StaffInteraction{cs})
}

type caseMessageRow struct {
	ID              string    `bun:"id"`
	Author          string    `bun:"author"`
	BodySealed      []byte    `bun:"body_sealed"`
	CreatedAt       time.Time `bun:"created_at"`
	StaffID         *string   `bun:"staff_id"`
	FirstNameSealed []byte    `bun:"first_name_sealed"`
	LastNameSealed  []byte    `bun:"last_name_sealed"`
}

func (c staffView) Messages(ctx context.Context, v domain.Viewer, ref domain.Reference) ([]*domain.StaffMessage, error) {
	cs, err := c.Get(ctx, v, ref)
	if err != nil {
		return nil, err
	}
	var rows []caseMessageRow
	err = c.db.NewSelect().TableExpr("messages AS m").
		ColumnExpr("m.id, m.author, m.body_sealed, m.created_at, m.staff_id, s.first_name_sealed, s.last_name_sealed").
		Join("LEFT JOIN staff AS s ON s.id = m.staff_id").
		Where("m.interaction_id = ?", string(cs.ID)).
		OrderExpr("m.created_at, m.id").Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.StaffMessage, len(rows))
	for i, r := range rows {
		m := &domain.StaffMessage{ID: domain.MessageID(r.ID), FromReporter: r.Author == string(domain.AuthorReporter), CreatedAt: r.CreatedAt.UTC()}
		fields := []sealedField{{&m.Body, r.BodySealed, "messages.body"}}
		if err := openFields(c.keys, r.ID, fields...); err != nil {
			return nil, err
		}
		if r.StaffID != nil {
			staff := &domain.Staff{}
			if err := openFields(c.keys, *r.StaffID,
				sealedField{&staff.FirstName, r.FirstNameSealed, "staff.first_name"},
				sealedField{&staff.LastName, r.LastNameSealed, "staff.last_name"},
			); err != nil {
				return nil, err
			}
			m.StaffName = staff.FullName()
		}
		out[i] = m
	}
	return out, nil
}

type caseReadRow struct {
	bun.BaseModel `bun:"table:case_reads"`

	StaffID       string    `bun:"staff_id,pk"`
	InteractionID string    `bun:"interaction_id,pk"`
	ReadAt        time.Time `bun:"read_at"`
}

func (c staffView) MarkRead(ctx context.Context, v domain.Viewer, id domain.InteractionID, now time.Time) error {
	_, err := c.db.NewInsert().Model(&caseReadRow{StaffID: string(v.StaffID), InteractionID: string(id), ReadAt: now}).
		On("CONFLICT (staff_id, interaction_id) DO UPDATE").
		Set("read_at = EXCLUDED.read_at").
		Exec(ctx)
	return translate(err)
}
