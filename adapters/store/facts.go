package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

// factKey is one combination FactCounts counts.
type factKey struct {
	month, inbox, channel, region string
}

// regionSamplesBatch is how many regions' representatives one query opens.
const regionSamplesBatch = 500

// FactCounts counts in SQL. The month (on the service zone's clock, by the
// instants of monthCase), the inbox and the channel are plain columns; the
// region is the blind index interactions.region_index of the first
// message's region (interactions.go's setRegion), so SQL groups by it too
// and returns one row per group, read one at a time from the open cursor.
// Each distinct index is then named by opening the sealed region of one
// interaction that has it: a few dozen openings, not one per interaction.
// During a key rotation one region has two indexes; both open to the same
// name and their counts are added together here.
//
// Interactions written before the index existed (migration 49) have
// region_index NULL and are counted the old way: their first message's
// sealed region is opened for each one. Time is one scan of the range in
// SQL (two queries, one per kind of row, each by created_at), plus one
// opening per old row; memory is the groups, never the interactions. No
// ORDER BY: sorting the whole range is work the counts do not need.
func (i interactions) FactCounts(ctx context.Context, org *domain.OrgID, from, to time.Time, months []domain.StatsMonth) ([]domain.FactCount, error) {
	if len(months) == 0 || !from.Before(to) {
		return nil, nil
	}
	counts := map[factKey]int{}
	if err := i.groupedFacts(ctx, org, from, to, months, counts); err != nil {
		return nil, err
	}
	if err := i.openedFacts(ctx, org, from, to, months, counts); err != nil {
		return nil, err
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

// factsOf selects the interactions of the range (of org, when set) with
// their month and inbox name.
func (i interactions) factsOf(org *domain.OrgID, from, to time.Time, months []domain.StatsMonth) *bun.SelectQuery {
	month, args := monthCase(months)
	q := i.db.NewSelect().TableExpr("interactions AS i").
		ColumnExpr(month+" AS month", args...).
		ColumnExpr("b.name AS inbox_name, i.channel").
		Join("JOIN inboxes AS b ON b.id = i.inbox_id").
		Where("i.created_at >= ?", from.UTC()).Where("i.created_at < ?", to.UTC())
	if org != nil {
		q = q.Where("i.org_id = ?", string(*org))
	}
	return q
}

// errMonthsShort is a row monthCase names no month: months do not cover
// [from, to), the caller's mistake, not the data's.
var errMonthsShort = &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: statistics' months do not cover the range")}

// regionGroup is one row of groupedFacts' query.
type regionGroup struct {
	factKey
	index string
	n     int
}

// groupedFacts adds the counts of the interactions that carry their
// region's blind index, grouped in SQL.
func (i interactions) groupedFacts(ctx context.Context, org *domain.OrgID, from, to time.Time, months []domain.StatsMonth, counts map[factKey]int) error {
	q := i.factsOf(org, from, to, months).
		ColumnExpr("i.region_index, COUNT(*) AS n, MIN(i.id) AS sample").
		Where("i.region_index IS NOT NULL").
		GroupExpr("1, 2, 3, 4")
	rows, err := q.Rows(ctx)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	var groups []regionGroup
	samples := map[string]string{} // region index → one interaction id that has it
	for rows.Next() {
		var (
			g         regionGroup
			monthName sql.NullString
			sample    string
		)
		if err := rows.Scan(&monthName, &g.inbox, &g.channel, &g.index, &g.n, &sample); err != nil {
			return translate(err)
		}
		if !monthName.Valid {
			return errMonthsShort
		}
		g.month = monthName.String
		groups = append(groups, g)
		if _, ok := samples[g.index]; !ok {
			samples[g.index] = sample
		}
	}
	if err := rows.Err(); err != nil {
		return translate(err)
	}
	if err := rows.Close(); err != nil {
		return translate(err)
	}
	names, err := i.regionNames(ctx, samples)
	if err != nil {
		return err
	}
	for _, g := range groups {
		g.region = names[g.index]
		counts[g.factKey] += g.n
	}
	return nil
}

// regionNames opens the sealed region of each sample interaction, by the
// region index it stands for.
func (i interactions) regionNames(ctx context.Context, samples map[string]string) (map[string]string, error) {
	byID := make(map[string]string, len(samples))
	ids := make([]string, 0, len(samples))
	for ix, id := range samples {
		byID[id] = ix
		ids = append(ids, id)
	}
	names := make(map[string]string, len(samples))
	for batch := range slices.Chunk(ids, regionSamplesBatch) {
		var rows []interactionRow
		if err := i.db.NewSelect().Model(&rows).Column("id", "region_sealed").
			Where("id IN (?)", bun.List(batch)).Scan(ctx); err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			region, err := i.keys.Open(r.RegionSealed, aad(regionKind, r.ID))
			if err != nil {
				return nil, err
			}
			names[byID[r.ID]] = region
		}
	}
	return names, nil
}

// openedFacts adds the counts of the interactions written before the
// region index, one row each, opening each first message's region.
func (i interactions) openedFacts(ctx context.Context, org *domain.OrgID, from, to time.Time, months []domain.StatsMonth, counts map[factKey]int) error {
	q := i.factsOf(org, from, to, months).
		ColumnExpr("m.id AS message_id, m.region_sealed").
		Join("LEFT JOIN messages AS m ON m.id = (SELECT m1.id FROM messages AS m1 WHERE m1.interaction_id = i.id ORDER BY m1.created_at, m1.id LIMIT 1)").
		Where("i.region_index IS NULL")
	rows, err := q.Rows(ctx)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k         factKey
			monthName sql.NullString
			messageID sql.NullString
			sealed    []byte
		)
		if err := rows.Scan(&monthName, &k.inbox, &k.channel, &messageID, &sealed); err != nil {
			return translate(err)
		}
		if !monthName.Valid {
			return errMonthsShort
		}
		k.month = monthName.String
		if messageID.Valid {
			if k.region, err = i.keys.Open(sealed, aad("messages.region", messageID.String)); err != nil {
				return err
			}
		}
		counts[k]++
	}
	return translate(rows.Err())
}

// FillRegions gives interactions written before migration 49 their first
// message's region, sealed and indexed as setRegion does, up to limit of
// them in id order, their rows locked first so that a first message
// being added (regionOfFirst) waits or is waited for. Interactions with
// no message keep NULL: FactCounts counts them cheaply, with no region,
// and a first message added later gives them theirs.
func (i interactions) FillRegions(ctx context.Context, limit int) (int, error) {
	var ids []string
	if err := i.lockedSelect().TableExpr("interactions AS i").ColumnExpr("i.id").
		Where("i.region_index IS NULL").
		Where("EXISTS (SELECT 1 FROM messages AS m WHERE m.interaction_id = i.id)").
		OrderExpr("i.id").Limit(int64(limit)).Scan(ctx, &ids); err != nil {
		return 0, translate(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var firsts []messageRow
	if err := i.db.NewSelect().TableExpr("interactions AS i").
		ColumnExpr("m.id, m.interaction_id, m.region_sealed").
		Join("JOIN messages AS m ON m.id = (SELECT m1.id FROM messages AS m1 WHERE m1.interaction_id = i.id ORDER BY m1.created_at, m1.id LIMIT 1)").
		Where("i.id IN (?)", bun.List(ids)).Scan(ctx, &firsts); err != nil {
		return 0, translate(err)
	}
	// One statement for the batch: a statement a row made filling a
	// national database's two million rows take hours.
	u := rowsUpdate{table: "interactions", key: "id", where: "interactions.region_index IS NULL",
		columns: []updatedColumn{{name: "region_sealed", blob: true}, {name: "region_index"}}}
	for _, m := range firsts {
		region, err := i.keys.Open(m.RegionSealed, aad("messages.region", m.ID))
		if err != nil {
			return 0, err
		}
		row := &interactionRow{ID: m.InteractionID}
		i.setRegion(row, region)
		u.rows = append(u.rows, []any{row.ID, row.RegionSealed, *row.RegionIndex})
	}
	if err := u.exec(ctx, i.db, i.postgres); err != nil {
		return 0, err
	}
	return len(ids), nil
}
