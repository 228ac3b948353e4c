package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// OperatorStatsRow is one cell of the operator's statistics.
type OperatorStatsRow struct {
	Month   string
	Inbox   string
	Channel domain.Channel
	Region  string
	// Count is zero and Suppressed set when fewer than domain.SmallCount
	// interactions fall in the cell, so that none can be singled out.
	Count      int
	Suppressed bool
}

// Stats counts interactions, erased ones included, by month,
// inbox, channel and region, for one organisation or all, in [from, to).
func (s *Operations) Stats(ctx context.Context, org *domain.OrgID, from, to time.Time) (rows []OperatorStatsRow, err error) {
	defer domain.Wrap(&err, "app.Operations.Stats")
	if !from.Before(to) {
		return nil, domain.Errorf(domain.KindInvalid, "--from must be before --to")
	}
	var facts []domain.Fact
	err = s.store.View(ctx, func(tx ports.Tx) (err error) {
		if org != nil {
			if _, err := tx.Organisations().Get(ctx, *org); err != nil {
				return err
			}
		}
		facts, err = tx.Interactions().Facts(ctx, org, from.UTC(), to.UTC())
		return err
	})
	if err != nil {
		return nil, err
	}
	counts := map[OperatorStatsRow]int{}
	for _, f := range facts {
		region := f.Region
		if region == "" {
			region = "unknown"
		}
		counts[OperatorStatsRow{Month: f.CreatedAt.Format("2006-01"), Inbox: f.InboxName, Channel: f.Channel, Region: region}]++
	}
	for key, n := range counts {
		row := key
		if n < domain.SmallCount {
			row.Suppressed = true
		} else {
			row.Count = n
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		return fmt.Sprint(a.Month, a.Inbox, a.Channel, a.Region) < fmt.Sprint(b.Month, b.Inbox, b.Channel, b.Region)
	})
	return rows, nil
}
