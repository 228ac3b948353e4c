package store

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

// The portal's statistics. They count erased interactions too (erasure
// keeps dates, inboxes and the times of messages), so they select from the
// viewer's interactions without scoped's erased_at condition, and they
// read no sealed column.

// statsScope selects the viewer's interactions, erased ones included.
func (c staffView) statsScope(v domain.Viewer) (*bun.SelectQuery, bool) {
	q := c.db.NewSelect().TableExpr("interactions AS i").
		Join("JOIN inboxes AS b ON b.id = i.inbox_id").
		Where("i.org_id = ?", string(v.OrgID))
	if v.InboxIDs != nil {
		if len(v.InboxIDs) == 0 {
			return q, false
		}
		q = q.Where("i.inbox_id IN (?)", bun.List(inboxStrings(v.InboxIDs)))
	}
	return q, true
}

// Stats puts each interaction in its month by comparing its time with the
// months' boundaries, given as instants: the months are on the local clock,
// which SQLite cannot convert to, and instants compare the same on both
// databases. The expression reads "CASE WHEN created_at < end of the first
// month THEN the first month WHEN … < end of the second THEN the second …
// END", and the WHERE keeps what is from the first month's start to the
// last's end.
func (c staffView) Stats(ctx context.Context, v domain.Viewer, months []domain.StatsMonth) ([]domain.InteractionCount, error) {
	q, some := c.statsScope(v)
	if !some || len(months) == 0 {
		return nil, nil
	}
	month, args := monthCase(months)
	q = q.ColumnExpr(month+" AS month", args...).
		ColumnExpr("i.inbox_id, b.name AS inbox_name, COUNT(*) AS count").
		Where("i.created_at >= ?", months[0].Start.UTC()).Where("i.created_at < ?", months[len(months)-1].End.UTC()).
		GroupExpr("1, i.inbox_id, b.name").OrderExpr("1, b.name")
	var rows []struct {
		Month     string `bun:"month"`
		InboxID   string `bun:"inbox_id"`
		InboxName string `bun:"inbox_name"`
		Count     int    `bun:"count"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, translate(err)
	}
	out := make([]domain.InteractionCount, len(rows))
	for i, r := range rows {
		out[i] = domain.InteractionCount{Month: r.Month, InboxID: domain.InboxID(r.InboxID), InboxName: r.InboxName, Count: r.Count}
	}
	return out, nil
}

// monthCase is the expression that names the month of months an
// interaction's created_at falls in, and its arguments: every instant
// before the first month's end is the first month's, none from the last
// month's end on has one. It halves the months at each step, "CASE WHEN
// created_at < start of the middle month THEN (the first half's) ELSE (the
// second half's) END", so that a row is compared about log2(months) times
// rather than once for each month before its own: over ten years, 7
// comparisons rather than 60 on average, which was most of the statistics
// page's time on a large organisation.
func monthCase(months []domain.StatsMonth) (string, []any) {
	var month strings.Builder
	args := make([]any, 0, 2*len(months))
	var half func(lo, hi int)
	half = func(lo, hi int) {
		if hi-lo == 1 {
			m := months[lo]
			if hi < len(months) {
				month.WriteString("?")
				args = append(args, m.Month)
				return
			}
			month.WriteString("CASE WHEN i.created_at < ? THEN ? END")
			args = append(args, m.End.UTC(), m.Month)
			return
		}
		mid := (lo + hi) / 2
		month.WriteString("CASE WHEN i.created_at < ? THEN ")
		args = append(args, months[mid].Start.UTC())
		half(lo, mid)
		month.WriteString(" ELSE ")
		half(mid, hi)
		month.WriteString(" END")
	}
	if len(months) > 0 {
		half(0, len(months))
	}
	return month.String(), args
}

// FirstReplies reads each interaction's first_staff_reply_at, kept with
// every message (reply_columns.go): one small row per interaction of the
// range, without reading messages. The medians stay in the app, which
// takes them per inbox and month.
func (c staffView) FirstReplies(ctx context.Context, v domain.Viewer, from, to time.Time) ([]domain.FirstReply, error) {
	q, some := c.statsScope(v)
	if !some {
		return nil, nil
	}
	var rows []struct {
		CreatedAt time.Time  `bun:"created_at"`
		InboxID   string     `bun:"inbox_id"`
		InboxName string     `bun:"inbox_name"`
		RepliedAt *time.Time `bun:"replied_at"`
	}
	err := q.ColumnExpr("i.created_at, i.inbox_id, b.name AS inbox_name, i.first_staff_reply_at AS replied_at").
		Where("i.created_at >= ?", from.UTC()).Where("i.created_at < ?", to.UTC()).
		Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.FirstReply, len(rows))
	for i, r := range rows {
		out[i] = domain.FirstReply{CreatedAt: r.CreatedAt.UTC(), InboxID: domain.InboxID(r.InboxID), InboxName: r.InboxName}
		if r.RepliedAt != nil {
			out[i].RepliedAt = r.RepliedAt.UTC()
		}
	}
	return out, nil
}

// OpenAges bands by comparing the arrival with now less each band's
// bound: an interaction is younger than a bound exactly when it arrived
// after now - bound.
func (c staffView) OpenAges(ctx context.Context, v domain.Viewer, now time.Time) ([]domain.AgeCount, error) {
	q, some := c.statsScope(v)
	if !some {
		return nil, nil
	}
	var band strings.Builder
	var args []any
	band.WriteString("CASE")
	for i, bound := range domain.AgeBands[1:] {
		band.WriteString(" WHEN i.created_at > ? THEN ?")
		args = append(args, now.UTC().Add(-bound), i)
	}
	band.WriteString(" ELSE ? END")
	args = append(args, len(domain.AgeBands)-1)
	var rows []struct {
		InboxID   string `bun:"inbox_id"`
		InboxName string `bun:"inbox_name"`
		Band      int    `bun:"band"`
		Count     int    `bun:"count"`
	}
	err := q.ColumnExpr(band.String()+" AS band", args...).
		ColumnExpr("i.inbox_id, b.name AS inbox_name, COUNT(*) AS count").
		Where("i.status = ?", string(domain.StatusOpen)).Where("i.erased_at IS NULL").
		GroupExpr("1, i.inbox_id, b.name").OrderExpr("b.name, 1").
		Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.AgeCount, len(rows))
	for i, r := range rows {
		out[i] = domain.AgeCount{InboxID: domain.InboxID(r.InboxID), InboxName: r.InboxName, Band: r.Band, Count: r.Count}
	}
	return out, nil
}
