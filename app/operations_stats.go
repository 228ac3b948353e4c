package app

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// OperatorStatsRow is one figure of the operator's statistics: a cell (a
// month and a combination of inbox, channel and region) or a total. A
// total leaves empty what it adds up over: a month's total has no inbox,
// channel or region; a combination's total over the range has no month;
// the grand total has neither.
type OperatorStatsRow struct {
	Month   string
	Inbox   string
	Channel domain.Channel
	Region  string
	Total   bool
	// Count is zero and Suppressed set when the figure is hidden by
	// domain.AnonymiseCounts, so that no interaction can be singled out.
	Count      int
	Suppressed bool
}

// statsKey is a combination counted: a column of the operator's table.
type statsKey struct {
	inbox   string
	channel domain.Channel
	region  string
}

// Stats counts interactions, erased ones included, for one organisation
// or all, in [from, to) (the store counts them, so that memory holds the
// table and never the interactions): a table of months (on the clock of the service's
// zone, time_zone) by combinations of inbox,
// channel and region, anonymised by domain.AnonymiseCounts as the portal's
// is. It returns, month by month, the cells that are not zero and the
// month's total (every month of the range, even an empty one); then each
// combination's total and the grand total.
func (s *Operations) Stats(ctx context.Context, org *domain.OrgID, from, to time.Time) (rows []OperatorStatsRow, err error) {
	defer domain.Wrap(&err, "app.Operations.Stats")
	if !from.Before(to) {
		return nil, domain.Errorf(domain.KindInvalid, "--from must be before --to")
	}
	// Months are the service zone's (time_zone), as the portal's are.
	spans := s.zone.Months(s.zone.In(from), s.zone.In(to.Add(-time.Nanosecond)))
	var facts []domain.FactCount
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		if org != nil {
			if _, err := tx.Organisations().Get(ctx, *org); err != nil {
				return err
			}
		}
		facts, err = tx.Interactions().FactCounts(ctx, org, from.UTC(), to.UTC(), spans)
		return err
	})
	if err != nil {
		return nil, err
	}

	months := make([]string, len(spans))
	row := make(map[string]int, len(spans))
	for i, m := range spans {
		months[i] = m.Month
		row[m.Month] = i
	}
	var keys []statsKey
	for _, f := range facts {
		keys = append(keys, factKey(f))
	}
	slices.SortFunc(keys, func(a, b statsKey) int {
		return cmp.Or(cmp.Compare(a.inbox, b.inbox), cmp.Compare(a.channel, b.channel), cmp.Compare(a.region, b.region))
	})
	keys = slices.Compact(keys)
	column := make(map[statsKey]int, len(keys))
	for j, k := range keys {
		column[k] = j
	}
	counts := make([][]int, len(months))
	for i := range counts {
		counts[i] = make([]int, len(keys))
	}
	for _, f := range facts {
		// An empty region and "unknown" are one column, so add.
		counts[row[f.Month]][column[factKey(f)]] += f.Count
	}

	table := domain.AnonymiseCounts(counts, len(keys))
	figure := func(r OperatorStatsRow, c domain.StatsCell) OperatorStatsRow {
		r.Count, r.Suppressed = c.Count, c.Suppressed
		return r
	}
	for i, month := range months {
		for j, k := range keys {
			if counts[i][j] > 0 {
				rows = append(rows, figure(OperatorStatsRow{Month: month, Inbox: k.inbox, Channel: k.channel, Region: k.region}, table.Cells[i][j]))
			}
		}
		rows = append(rows, figure(OperatorStatsRow{Month: month, Total: true}, table.RowTotals[i]))
	}
	for j, k := range keys {
		rows = append(rows, figure(OperatorStatsRow{Inbox: k.inbox, Channel: k.channel, Region: k.region, Total: true}, table.ColumnTotals[j]))
	}
	return append(rows, figure(OperatorStatsRow{Total: true}, table.Total)), nil
}

func factKey(f domain.FactCount) statsKey {
	region := f.Region
	if region == "" {
		region = "unknown"
	}
	return statsKey{inbox: f.InboxName, channel: f.Channel, region: region}
}
