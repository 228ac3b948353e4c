package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestMonthsFollowTheLocalClock(t *testing.T) {
	london := zone(t, domain.DefaultTimeZone)
	months := london.Months(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	require.Len(t, months, 9)
	assert.Equal(t, "2026-03", months[0].Month)
	assert.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), months[0].Start.UTC(), "March starts in GMT")
	assert.Equal(t, time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), months[0].End.UTC(), "April starts in BST, an hour before UTC's")
	assert.Equal(t, months[0].End, months[1].Start)
	assert.Equal(t, time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC), months[7].Start.UTC(), "October starts in BST")
	assert.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), months[7].End.UTC(), "November starts in GMT")

	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"00:30 BST on 1 October is October", time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC), "2026-10"},
		{"23:30 BST on 30 September is September", time.Date(2026, 9, 30, 22, 30, 0, 0, time.UTC), "2026-09"},
		{"23:30 GMT on 31 March is March", time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC), "2026-03"},
		{"00:30 BST on 1 April is April", time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), "2026-04"},
		{"the instant BST starts (01:00 GMT, 29 March)", time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), "2026-03"},
		{"the instant BST ends (01:00 GMT, 25 October)", time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), "2026-10"},
		{"23:30 GMT on 31 October is October", time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), "2026-10"},
	}
	for _, c := range cases {
		i := domain.MonthOf(months, c.at)
		require.GreaterOrEqual(t, i, 0, c.name)
		assert.Equal(t, c.want, months[i].Month, c.name)
	}
	assert.Equal(t, -1, domain.MonthOf(months, time.Date(2026, 2, 28, 23, 59, 0, 0, time.UTC)), "before the range")
	assert.Equal(t, -1, domain.MonthOf(months, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), "after the range")
	assert.Equal(t, 0, domain.MonthOf(months, months[0].Start), "a month includes its start")
	assert.Equal(t, 8, domain.MonthOf(months, months[8].End.Add(-time.Nanosecond)), "and not its end")

	utc := domain.NewZone(nil).Months(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, "2026-09", utc[domain.MonthOf(utc, time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC))].Month, "in UTC it was still September")
}

func TestMedian(t *testing.T) {
	h := time.Hour
	assert.Zero(t, domain.Median(nil))
	assert.Equal(t, 3*h, domain.Median([]time.Duration{5 * h, 1 * h, 3 * h}))
	assert.Equal(t, 150*time.Minute, domain.Median([]time.Duration{4 * h, 1 * h, 2 * h, 3 * h}), "the mean of the two middle ones")
	in := []time.Duration{3 * h, 1 * h}
	domain.Median(in)
	assert.Equal(t, []time.Duration{3 * h, 1 * h}, in, "unchanged")
}

func TestAnonymiseMediansHideWhatTheirCountsHide(t *testing.T) {
	h := time.Hour
	times := func(n int, d time.Duration) []time.Duration {
		var out []time.Duration
		for range n {
			out = append(out, d)
		}
		return out
	}
	// Three months by two categories. Reports (answered or not) and the
	// times of those answered:
	//   month 0: A 10 reports, 6 answered in 2h; B 3 reports, 3 in 9h
	//   month 1: A 6 reports, 2 answered in 1h;  B no reports
	//   month 2: A 8 reports, 8 answered in 3h;  B 7 reports, 7 in 4h
	// AnonymiseCounts hides the 3 and, so that no sum gives it away, the
	// 10 beside it and both cells of month 2.
	counts := domain.AnonymiseCounts([][]int{{10, 3}, {6, 0}, {8, 7}}, 2)
	require.Equal(t, "[[* *] [6 0] [* *]] [13 6 15] [24 10] 34",
		fmt.Sprint(counts.Cells, " ", counts.RowTotals, " ", counts.ColumnTotals, " ", counts.Total), "the premise")
	tbl := domain.AnonymiseMedians([][][]time.Duration{
		{times(6, 2*h), times(3, 9*h)},
		{times(2, h), nil},
		{times(8, 3*h), times(7, 4*h)},
	}, 2, counts)

	assert.Equal(t, domain.HiddenMark, tbl.Cells[0][0].String(), "six answered, but its count is hidden")
	assert.Equal(t, domain.HiddenMark, tbl.Cells[0][1].String(), "its count of 3 is hidden")
	assert.Equal(t, domain.HiddenMark, tbl.Cells[1][0].String(), "six reports, but only two answered")
	assert.Equal(t, domain.NoMedian, tbl.Cells[1][1].String(), "no reports")
	assert.Equal(t, domain.HiddenMark, tbl.Cells[2][0].String())
	assert.Equal(t, domain.HiddenMark, tbl.Cells[2][1].String())
	assert.Equal(t, "2.0", tbl.RowTotals[0].String(), "13 reports, nine answered: six in 2h, three in 9h")
	assert.Equal(t, domain.HiddenMark, tbl.RowTotals[1].String(), "two answered")
	assert.Equal(t, "3.0", tbl.RowTotals[2].String())
	assert.Equal(t, "2.5", tbl.ColumnTotals[0].String(), "16 answered: the 8th is 2h, the 9th 3h")
	assert.Equal(t, "4.0", tbl.ColumnTotals[1].String())
	assert.Equal(t, "3.0", tbl.Total.String())

	none := domain.AnonymiseMedians([][][]time.Duration{{nil}}, 1, domain.AnonymiseCounts([][]int{{7}}, 1))
	assert.Equal(t, domain.NoMedian, none.Cells[0][0].String(), "seven reports, none answered yet")
}

func TestAgeBand(t *testing.T) {
	now := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		age  time.Duration
		band int
	}{
		{0, 0}, {23 * time.Hour, 0}, {24 * time.Hour, 1}, {7*24*time.Hour - time.Second, 1},
		{7 * 24 * time.Hour, 2}, {30*24*time.Hour - time.Second, 2}, {30 * 24 * time.Hour, 3}, {400 * 24 * time.Hour, 3},
	} {
		assert.Equal(t, c.band, domain.AgeBand(now.Add(-c.age), now), "age %s", c.age)
	}
}
