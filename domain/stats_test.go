package domain_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

var hidden = domain.StatsCell{Suppressed: true}

func shown(n int) domain.StatsCell { return domain.StatsCell{Count: n} }

func TestAnonymiseCountsShowsZeroAndHidesSmallCounts(t *testing.T) {
	t.Parallel()
	got := domain.AnonymiseCounts([][]int{{0, 0}, {5, 7}}, 2)
	assert.Equal(t, [][]domain.StatsCell{{shown(0), shown(0)}, {shown(5), shown(7)}}, got.Cells, "zero singles no one out")
	assert.Equal(t, []domain.StatsCell{shown(0), shown(12)}, got.RowTotals)
	assert.Equal(t, []domain.StatsCell{shown(5), shown(7)}, got.ColumnTotals)
	assert.Equal(t, shown(12), got.Total)
	assert.Equal(t, "0", got.Cells[0][0].String())
	assert.Equal(t, domain.HiddenMark, hidden.String())

	empty := domain.AnonymiseCounts([][]int{{0}, {0}}, 1)
	assert.Equal(t, shown(0), empty.Total, "a range with no reports shows 0")

	none := domain.AnonymiseCounts(nil, 0)
	assert.Equal(t, shown(0), none.Total)
	assert.Empty(t, none.Cells)
}

func TestAnonymiseCountsProtectsALoneSmallCount(t *testing.T) {
	t.Parallel()
	// One month: six reports in one inbox, one in another. Shown as 6, <5
	// and a total of 7, the 1 is 7 - 6; so the 6 is hidden too, and then
	// the inboxes' totals, which would give each away in turn.
	got := domain.AnonymiseCounts([][]int{{0, 0}, {6, 1}}, 2)
	assert.Equal(t, [][]domain.StatsCell{{shown(0), shown(0)}, {hidden, hidden}}, got.Cells)
	assert.Equal(t, []domain.StatsCell{shown(0), shown(7)}, got.RowTotals)
	assert.Equal(t, []domain.StatsCell{hidden, hidden}, got.ColumnTotals)
	assert.Equal(t, shown(7), got.Total)
}

func TestAnonymiseCountsPrefersTheSmallestSecondCell(t *testing.T) {
	t.Parallel()
	got := domain.AnonymiseCounts([][]int{{3, 9, 6}, {8, 7, 20}}, 3)
	assert.Equal(t, [][]domain.StatsCell{{hidden, hidden, shown(6)}, {hidden, hidden, shown(20)}}, got.Cells,
		"the 3 hides with 9, 8 and 7, a cycle of 27 reports; 6, 8 and 20 would hide 37")
	assert.Equal(t, []domain.StatsCell{shown(18), shown(35)}, got.RowTotals)
	assert.Equal(t, []domain.StatsCell{shown(11), shown(16), shown(26)}, got.ColumnTotals)
}

func TestAnonymiseCountsHidesTotalsThatGiveACellAway(t *testing.T) {
	t.Parallel()
	// One inbox: each month's total is its one cell, so the 2 needs a
	// second month hidden, the 6 rather than the 9.
	got := domain.AnonymiseCounts([][]int{{2}, {9}, {6}}, 1)
	assert.Equal(t, [][]domain.StatsCell{{hidden}, {shown(9)}, {hidden}}, got.Cells)
	assert.Equal(t, []domain.StatsCell{hidden, shown(9), hidden}, got.RowTotals)
	assert.Equal(t, []domain.StatsCell{shown(17)}, got.ColumnTotals)
	assert.Equal(t, shown(17), got.Total)
}

// For random tables: every figure shown is true; zero is shown and every
// small count hidden; no row or column, totals included, has exactly one
// hidden figure (total minus the others); and, stronger, every hidden
// figure can differ in another table that shows exactly the same figures,
// so no sum or difference of shown figures can give it away.
func TestAnonymiseCountsHidesNothingThatCanBeWorkedOut(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(18, 2026))
	for trial := range 3000 {
		rows, columns := r.IntN(7), r.IntN(6)
		counts := make([][]int, rows)
		for i := range counts {
			counts[i] = make([]int, columns)
			for j := range counts[i] {
				switch r.IntN(4) {
				case 0:
				case 1, 2:
					counts[i][j] = 1 + r.IntN(domain.SmallCount-1)
				default:
					counts[i][j] = r.IntN(30)
				}
			}
		}
		name := fmt.Sprintf("trial %d: %v", trial, counts)
		got := domain.AnonymiseCounts(counts, columns)
		g := gridOf(counts, columns)
		s := gridOfTable(got, rows, columns)
		for i := range rows + 1 {
			for j := range columns + 1 {
				c := s[i][j]
				switch n := g[i][j]; {
				case n == 0:
					require.Equal(t, shown(0), c, "%s: zero at %d,%d", name, i, j)
				case n < domain.SmallCount:
					require.Equal(t, hidden, c, "%s: small at %d,%d", name, i, j)
				case !c.Suppressed:
					require.Equal(t, n, c.Count, "%s: at %d,%d", name, i, j)
				}
			}
		}
		for i := range rows + 1 {
			n := 0
			for j := range columns + 1 {
				if s[i][j].Suppressed {
					n++
				}
			}
			require.NotEqual(t, 1, n, "%s: row %d has a lone hidden figure", name, i)
		}
		for j := range columns + 1 {
			n := 0
			for i := range rows + 1 {
				if s[i][j].Suppressed {
					n++
				}
			}
			require.NotEqual(t, 1, n, "%s: column %d has a lone hidden figure", name, j)
		}
		for i := range rows + 1 {
			for j := range columns + 1 {
				if s[i][j].Suppressed {
					assertUndetermined(t, name, g, s, i, j)
				}
			}
		}
	}
}

// assertUndetermined builds another table that shows the same figures as
// s yet differs at (ti, tj): it walks a cycle of hidden figures through
// (ti, tj), alternately across rows and columns, and moves one report
// along it.
func assertUndetermined(t *testing.T, name string, g [][]int, s [][]domain.StatsCell, ti, tj int) {
	t.Helper()
	rows, columns := len(g)-1, len(g[0])-1
	// Breadth-first from column tj back to row ti over hidden figures,
	// without using (ti, tj) itself. Nodes: rows 0..rows, then columns.
	col := func(j int) int { return rows + 1 + j }
	prev := map[int]int{col(tj): -1}
	queue := []int{col(tj)}
	for len(queue) > 0 {
		if _, done := prev[ti]; done {
			break
		}
		n := queue[0]
		queue = queue[1:]
		for m := range rows + columns + 2 {
			if _, seen := prev[m]; seen || (n <= rows) == (m <= rows) {
				continue
			}
			i, j := n, m-rows-1
			if n > rows {
				i, j = m, n-rows-1
			}
			if !s[i][j].Suppressed || (i == ti && j == tj) {
				continue
			}
			prev[m] = n
			queue = append(queue, m)
		}
	}
	_, reached := prev[ti]
	require.True(t, reached, "%s: hidden figure at %d,%d lies on no cycle, so the totals give it away", name, ti, tj)

	// Move +1, -1, +1, … along the cycle, on the signed grid in which
	// every line sums to zero (totals negated, the grand total not).
	sign := func(i, j int) int {
		if (i == rows) != (j == columns) {
			return -1
		}
		return 1
	}
	other := make([][]int, len(g))
	for i := range g {
		other[i] = append([]int(nil), g[i]...)
	}
	step := 1
	other[ti][tj] += sign(ti, tj) * step
	for n := ti; prev[n] != -1; n = prev[n] {
		step = -step
		m := prev[n]
		i, j := n, m-rows-1
		if n > rows {
			i, j = m, n-rows-1
		}
		other[i][j] += sign(i, j) * step
	}
	require.NotEqual(t, g[ti][tj], other[ti][tj])
	for i := range rows + 1 {
		for j := range columns + 1 {
			if !s[i][j].Suppressed {
				require.Equal(t, g[i][j], other[i][j], "%s: a shown figure moved", name)
			}
		}
	}
	require.Equal(t, other, gridOf(inner(other), columns), "%s: the other table adds up", name)
}

// gridOf lays counts out with a column of row totals, a row of column
// totals and the grand total.
func gridOf(counts [][]int, columns int) [][]int {
	rows := len(counts)
	g := make([][]int, rows+1)
	for i := range g {
		g[i] = make([]int, columns+1)
	}
	for i, row := range counts {
		for j, n := range row {
			g[i][j] += n
			g[i][columns] += n
			g[rows][j] += n
			g[rows][columns] += n
		}
	}
	return g
}

func inner(g [][]int) [][]int {
	out := make([][]int, len(g)-1)
	for i := range out {
		out[i] = g[i][:len(g[i])-1]
	}
	return out
}

func gridOfTable(tb domain.StatsTable, rows, columns int) [][]domain.StatsCell {
	s := make([][]domain.StatsCell, rows+1)
	for i := range rows {
		s[i] = append(append([]domain.StatsCell(nil), tb.Cells[i]...), tb.RowTotals[i])
	}
	s[rows] = append(append([]domain.StatsCell(nil), tb.ColumnTotals...), tb.Total)
	return s
}
