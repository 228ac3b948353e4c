package domain

import (
	"slices"
	"strconv"
	"time"
)

// FirstReply is what the statistics of response times know of one
// interaction: when and where it arrived and when staff first replied.
// Nothing in it points back to a person, and erasure keeps all of it (it
// keeps dates and inboxes, and the messages' times without their text).
type FirstReply struct {
	CreatedAt time.Time
	InboxID   InboxID
	InboxName string
	// RepliedAt is when a member of staff first replied; zero while no one
	// has.
	RepliedAt time.Time
}

// AgeBands are the lower bounds of the ages open interactions are counted
// by, youngest first: under a day (waiting since about this time
// yesterday), a day to a week, a week to 30 days (roughly a school month),
// and over 30 days. An age is the time since the report arrived; a band
// holds the ages from its bound up to the next one's.
var AgeBands = []time.Duration{0, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// AgeCount is how many open interactions of one inbox have been open for
// an age in one band of AgeBands.
type AgeCount struct {
	InboxID   InboxID
	InboxName string
	// Band indexes AgeBands.
	Band  int
	Count int
}

// NoMedian is how a median of nothing is written: no report, or none
// answered yet, in the month or category.
const NoMedian = "–"

// MedianCell is one median of a statistics table: a time, hidden, or
// none. A hidden one holds no time at all, so that nothing built from it
// can show one.
type MedianCell struct {
	Median     time.Duration
	Suppressed bool
	// None is set when there is nothing to take the median of.
	None bool
}

// String is the median in hours to one decimal place, e.g. "5.3"; a hidden
// median is HiddenMark and none NoMedian.
func (c MedianCell) String() string {
	switch {
	case c.Suppressed:
		return HiddenMark
	case c.None:
		return NoMedian
	}
	return strconv.FormatFloat(c.Median.Hours(), 'f', 1, 64)
}

// MedianTable is a two-way table of medians with the median of each row,
// of each column and of the whole, laid out as StatsTable.
type MedianTable struct {
	Cells        [][]MedianCell
	RowTotals    []MedianCell
	ColumnTotals []MedianCell
	Total        MedianCell
}

// AnonymiseMedians takes the median of each cell of times (rows by
// columns; each cell the times of the reports in it that were answered),
// of each row, of each column and of all of them, and hides those that
// could single a report out. counts is the anonymised table of every
// report the times are of (answered or not), of the same shape, as
// AnonymiseCounts made it.
//
// A median is shown exactly when the count behind it in counts is shown
// and at least SmallCount times make it up: so no median rests on fewer
// than SmallCount reports, and a shown median never says that a hidden
// count is at least SmallCount, a bound that AnonymiseCounts takes care
// not to give. No further median needs hiding: a median is not a sum, and
// the median of a row is not determined by the medians of its cells, so
// no adding up or taking away of the medians shown gives a hidden one back.
// A median of nothing (no reports, or none answered) is written NoMedian,
// unless its count is hidden.
func AnonymiseMedians(times [][][]time.Duration, columns int, counts StatsTable) MedianTable {
	rows := len(times)
	t := MedianTable{
		Cells:        make([][]MedianCell, rows),
		RowTotals:    make([]MedianCell, rows),
		ColumnTotals: make([]MedianCell, columns),
	}
	byColumn := make([][]time.Duration, columns)
	var all []time.Duration
	for i, row := range times {
		t.Cells[i] = make([]MedianCell, columns)
		var inRow []time.Duration
		for j := range columns {
			cell := row[j]
			t.Cells[i][j] = medianCell(cell, counts.Cells[i][j])
			inRow = append(inRow, cell...)
			byColumn[j] = append(byColumn[j], cell...)
		}
		t.RowTotals[i] = medianCell(inRow, counts.RowTotals[i])
		all = append(all, inRow...)
	}
	for j := range columns {
		t.ColumnTotals[j] = medianCell(byColumn[j], counts.ColumnTotals[j])
	}
	t.Total = medianCell(all, counts.Total)
	return t
}

func medianCell(times []time.Duration, count StatsCell) MedianCell {
	switch {
	case count.Suppressed:
		return MedianCell{Suppressed: true}
	case len(times) == 0:
		return MedianCell{None: true}
	case len(times) < SmallCount:
		return MedianCell{Suppressed: true}
	}
	return MedianCell{Median: Median(times)}
}

// Median is the middle of times, or the mean of the two middle ones when
// there is an even number; zero for none. times is not changed.
func Median(times []time.Duration) time.Duration {
	if len(times) == 0 {
		return 0
	}
	s := slices.Clone(times)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1] + (s[n/2]-s[n/2-1])/2
}

// AgeBand returns the band of AgeBands that an interaction open since
// createdAt is in at now.
func AgeBand(createdAt, now time.Time) int {
	age := now.Sub(createdAt)
	band := 0
	for i, bound := range AgeBands {
		if age >= bound {
			band = i
		}
	}
	return band
}
