package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// factKey is one combination FactCounts counts.
type factKey struct {
	month, inbox, channel, region string
}

// FactCounts counts in SQL what SQL can see and in Go what only the keys
// open. The month (on the service zone's clock, by the instants of
// monthCase), the inbox and the channel are plain columns, but the region
// is sealed with the message's id in its associated data, so that no two
// equal regions seal alike and SQL cannot group by it. The query therefore
// names each interaction's month, inbox, channel and first message's
// sealed region, and the rows are read one at a time from the open cursor
// and added to a map of counts: memory holds one row and the counts
// (months × combinations), never the interactions of the range. Time is
// linear in the interactions of the range, one index lookup and one
// opening each. No ORDER BY: sorting the whole range is work the counts do
// not need.
func (i interactions) FactCounts(ctx context.Context, org *domain.OrgID, from, to time.Time, months []domain.StatsMonth) ([]domain.FactCount, error) {
	if len(months) == 0 || !from.Before(to) {
		return nil, nil
	}
	month, args := monthCase(months)
	q := i.db.NewSelect().TableExpr("interactions AS i").
		ColumnExpr(month+" AS month", args...).
		ColumnExpr("b.name AS inbox_name, i.channel, m.id AS message_id, m.region_sealed").
		Join("JOIN inboxes AS b ON b.id = i.inbox_id").
		Join("LEFT JOIN messages AS m ON m.id = (SELECT m1.id FROM messages AS m1 WHERE m1.interaction_id = i.id ORDER BY m1.created_at, m1.id LIMIT 1)").
		Where("i.created_at >= ?", from.UTC()).Where("i.created_at < ?", to.UTC())
	if org != nil {
		q = q.Where("i.org_id = ?", string(*org))
	}
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	counts := map[factKey]int{}
	for rows.Next() {
		var (
			k         factKey
			monthName sql.NullString
			messageID sql.NullString
			sealed    []byte
		)
		if err := rows.Scan(&monthName, &k.inbox, &k.channel, &messageID, &sealed); err != nil {
			return nil, translate(err)
		}
		if !monthName.Valid {
			// monthCase names every instant before the last month's end,
			// and the WHERE keeps nothing later, unless months do not
			// cover [from, to): the caller's mistake, not the data's.
			return nil, &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: statistics' months do not cover the range")}
		}
		k.month = monthName.String
		if messageID.Valid {
			if k.region, err = i.keys.Open(sealed, aad("messages.region", messageID.String)); err != nil {
				return nil, err
			}
		}
		counts[k]++
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	out := make([]domain.FactCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, domain.FactCount{Month: k.month, InboxName: k.inbox, Channel: domain.Channel(k.channel), Region: k.region, Count: n})
	}
	slices.SortFunc(out, func(a, b domain.FactCount) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.InboxName, b.InboxName),
			cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Region, b.Region))
	})
	return out, nil
}
