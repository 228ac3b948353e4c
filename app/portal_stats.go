package app

import (
	"context"
	"slices"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// StatsMaxMonths bounds the range of one statistics page: ten years.
const StatsMaxMonths = 120

// statsDefaultMonths is the range shown when none is asked for: the last
// year, this month included.
const statsDefaultMonths = 12

// statsMonthLayout is how months are written in the statistics' filter.
const statsMonthLayout = "2006-01"

// Statistics counts the reports the actor may see, by month of arrival
// on the clock of the service's zone (time_zone) and inbox (category). It is never split by channel, and its figures are
// anonymised by domain.AnonymiseCounts: no count from 1 to
// domain.SmallCount-1 is shown, nor one the totals would give away, so
// that one report cannot be singled out when the figures are shared, e.g.
// with governors.
type Statistics struct {
	// From and To are the first and last month counted, as YYYY-MM.
	From, To string
	// Inboxes are the columns of the table, in the order of each Cells.
	Inboxes []VisibleInbox
	// Months run from From to To, every month present even when empty.
	Months []StatsMonth
	// InboxTotals count each inbox over the whole range.
	InboxTotals []StatsCell
	Total       StatsCell
}

// StatsMonth is one month's row.
type StatsMonth struct {
	// Month is the month as YYYY-MM; Start its first moment, on the
	// clock of the service's zone (time_zone), in which months are counted.
	Month string
	Start time.Time
	Cells []StatsCell
	Total StatsCell
}

// StatsCell is one figure: a number, or hidden.
type StatsCell = domain.StatsCell

// statsRange checks the bounds and returns the first and last months (as
// their first day); now is on the local clock, so that the default range
// ends with the month it is there.
func statsRange(from, to string, now time.Time) (first, last time.Time, problems domain.Problems) {
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	first, last = thisMonth.AddDate(0, 1-statsDefaultMonths, 0), thisMonth
	month := func(field, s string, into *time.Time, problem domain.Words) {
		if s == "" {
			return
		}
		t, err := time.Parse(statsMonthLayout, s)
		if err != nil {
			problems = append(problems, domain.FieldProblem{Field: field, Safe: problem})
			return
		}
		*into = t
	}
	month(FilterFrom, from, &first, domain.Say("Enter the first month as year and month, for example 2026-10."))
	month(FilterTo, to, &last, domain.Say("Enter the last month as year and month, for example 2026-10."))
	// With only an end given, the range is the year up to it.
	if from == "" && to != "" {
		first = last.AddDate(0, 1-statsDefaultMonths, 0)
	}
	if len(problems) > 0 {
		return first, last, problems
	}
	switch {
	case last.Before(first):
		problems = append(problems, domain.FieldProblem{Field: FilterTo, Safe: domain.Say("The last month is before the first.")})
	case monthsBetween(first, last) >= StatsMaxMonths:
		problems = append(problems, domain.FieldProblem{Field: FilterTo, Safe: domain.Say("Choose at most ten years.")})
	}
	return first, last, problems
}

func monthsBetween(first, last time.Time) int {
	return (last.Year()-first.Year())*12 + int(last.Month()) - int(first.Month())
}

// tabulate lays the counts out as months by inboxes, every month and
// inbox present even when empty, and anonymises them, totals included.
func tabulate(out *Statistics, months []domain.StatsMonth, counts []domain.InteractionCount) {
	// An inbox counted but not offered (it cannot be, but a count must
	// never vanish) gets a column of its own.
	for _, c := range counts {
		if !slices.ContainsFunc(out.Inboxes, func(ib VisibleInbox) bool { return ib.ID == c.InboxID }) {
			out.Inboxes = append(out.Inboxes, VisibleInbox{ID: c.InboxID, Label: c.InboxName})
		}
	}
	column := make(map[domain.InboxID]int, len(out.Inboxes))
	for i, ib := range out.Inboxes {
		column[ib.ID] = i
	}
	row := map[string]int{}
	var raw [][]int
	for _, m := range months {
		row[m.Month] = len(out.Months)
		out.Months = append(out.Months, StatsMonth{Month: m.Month, Start: m.Start})
		raw = append(raw, make([]int, len(out.Inboxes)))
	}
	for _, c := range counts {
		if i, ok := row[c.Month]; ok {
			raw[i][column[c.InboxID]] += c.Count
		}
	}
	table := domain.AnonymiseCounts(raw, len(out.Inboxes))
	for i := range out.Months {
		out.Months[i].Cells, out.Months[i].Total = table.Cells[i], table.RowTotals[i]
	}
	out.InboxTotals, out.Total = table.ColumnTotals, table.Total
}

// Stats counts the actor's reports, erased ones included, for the months
// from and to (YYYY-MM, both included). Empty bounds default to the last
// twelve months. Bad bounds come back as domain.Problems, with From and To
// as typed so the filter can be shown again.
func (s *Portal) Stats(ctx context.Context, a *Actor, from, to string) (out Statistics, err error) {
	defer domain.Wrap(&err, "app.Portal.Stats")
	out.From, out.To = from, to
	first, last, problems := statsRange(from, to, s.zone.In(s.now()))
	if err := problems.Invalid(); err != nil {
		return out, err
	}
	out.From, out.To = first.Format(statsMonthLayout), last.Format(statsMonthLayout)
	var counts []domain.InteractionCount
	months := s.zone.Months(first, last)
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Inboxes, err = actorInboxes(ctx, tx, a); err != nil {
			return err
		}
		counts, err = tx.StaffView().Stats(ctx, a.Viewer, months)
		return err
	})
	if err != nil {
		return out, err
	}
	tabulate(&out, months, counts)
	return out, nil
}
