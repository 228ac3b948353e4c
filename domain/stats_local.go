package domain

import (
	"slices"
	"time"
)

// StatsMonth is one month of statistics on the clock people read
// (time_zone): a report belongs to the month in which it arrived there, so
// that one sent at 00:30 BST on 1 October counts in October, not in
// September as its UTC time would have it.
type StatsMonth struct {
	// Month is the month as YYYY-MM.
	Month string
	// Start is its first moment and End the first moment of the next, on
	// the zone's clock; a report is in the month when Start <= at < End.
	Start, End time.Time
}

// Months returns the months from first to last, both included, on the
// zone's clock; only the year and month of first and last count, whatever
// their zone. Months are contiguous: each one's End is the next one's Start.
func (z Zone) Months(first, last time.Time) []StatsMonth {
	loc := z.Location()
	var out []StatsMonth
	m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, loc)
	end := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, loc)
	for !m.After(end) {
		next := time.Date(m.Year(), m.Month()+1, 1, 0, 0, 0, 0, loc)
		out = append(out, StatsMonth{Month: m.Format("2006-01"), Start: m, End: next})
		m = next
	}
	return out
}

// MonthOf returns the index in months of the month at falls in, or -1.
// months must be as Months returns them: in order and contiguous.
func MonthOf(months []StatsMonth, at time.Time) int {
	i, found := slices.BinarySearchFunc(months, at, func(m StatsMonth, t time.Time) int {
		switch {
		case t.Before(m.Start):
			return 1
		case !t.Before(m.End):
			return -1
		}
		return 0
	})
	if !found {
		return -1
	}
	return i
}
