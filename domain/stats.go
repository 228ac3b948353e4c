package domain

import "strconv"

// SmallCount is the smallest count statistics show as a number; a count
// from 1 to SmallCount-1 is hidden, so that a single report cannot be
// singled out. Zero is shown: it singles no one out.
const SmallCount = 5

// HiddenMark is how a hidden count is written, on pages, in exports and by
// whisperctl alike. Every hidden count reads the same, whether it was
// small or hidden to protect a small one: a distinct mark would tell a
// reader which hidden counts are at least SmallCount, and that bound can
// be enough to work the small ones out.
const HiddenMark = "*"

// StatsCell is one figure of a statistics table. A hidden cell holds no
// number at all, so that nothing built from it can show one.
type StatsCell struct {
	Count      int
	Suppressed bool
}

// String is the figure as shown: the number, or HiddenMark.
func (c StatsCell) String() string {
	if c.Suppressed {
		return HiddenMark
	}
	return strconv.Itoa(c.Count)
}

// StatsTable is a two-way table of counts with the total of each row, of
// each column and of the whole, as statistics may show it.
type StatsTable struct {
	Cells        [][]StatsCell
	RowTotals    []StatsCell
	ColumnTotals []StatsCell
	Total        StatsCell
}

// AnonymiseCounts totals counts (rows by columns; every row has columns
// cells) and hides what would single a report out. It is the one rule the
// portal, its export and whisperctl share:
//
//  1. Primary: a count from 1 to SmallCount-1 is hidden, totals included.
//     Zero is shown.
//  2. Secondary: no hidden count may be worked out from what is shown.
//     Every row and every column, with its total, adds up; so do the row
//     and the column of totals. A hidden count can be worked out from these sums, by
//     adding and subtracting any of them, exactly when it is a bridge of
//     the graph whose nodes are the lines (rows, columns, the row and the
//     column of totals) and whose edges are the hidden counts: cutting it
//     separates the lines, and the sums of the lines on one side leave it
//     the only unknown. (A hidden count on a cycle is not determined: add
//     one to it and take one from the next around the cycle, alternately,
//     and every sum shown stays the same.) So while a hidden count is a
//     bridge, the shown non-zero counts of the cheapest path (fewest
//     reports) from its row to its column are hidden too, closing a cycle. Such a path always
//     exists: the hidden count is not zero, so every cut between its row
//     and its column is crossed by another non-zero count, or the cut's
//     sum would not balance.
//
// A row or column with a single hidden count, the case that "total minus
// the others" reveals, is the simplest bridge. Zero is never hidden.
//
// The rule protects one table from exact recovery. It does not hide that
// a hidden count is at least 1 and at most a total allows, nor protect two
// tables of overlapping months from being subtracted one from the other.
func AnonymiseCounts(counts [][]int, columns int) StatsTable {
	g := newStatsGrid(counts, columns)
	for {
		b, ok := g.bridge()
		if !ok {
			break
		}
		g.protect(b)
	}
	return g.table()
}

// statsGrid is the table with its totals as one grid: row rows and column
// columns hold the totals, and cell (rows, columns) the grand total.
type statsGrid struct {
	rows, columns int
	value         [][]int
	hidden        [][]bool
}

func newStatsGrid(counts [][]int, columns int) *statsGrid {
	rows := len(counts)
	g := &statsGrid{rows: rows, columns: columns, value: make([][]int, rows+1), hidden: make([][]bool, rows+1)}
	for i := range rows + 1 {
		g.value[i] = make([]int, columns+1)
		g.hidden[i] = make([]bool, columns+1)
	}
	for i, row := range counts {
		for j, n := range row[:columns] {
			g.value[i][j] = n
			g.value[i][columns] += n
			g.value[rows][j] += n
			g.value[rows][columns] += n
		}
	}
	for i := range rows + 1 {
		for j := range columns + 1 {
			n := g.value[i][j]
			g.hidden[i][j] = n > 0 && n < SmallCount
		}
	}
	return g
}

// Nodes of the graph: line i < rows+1 is a row (the last one the totals),
// line rows+1+j a column.
func (g *statsGrid) rowNode(i int) int    { return i }
func (g *statsGrid) columnNode(j int) int { return g.rows + 1 + j }
func (g *statsGrid) nodes() int           { return g.rows + g.columns + 2 }

// edge is a cell of the grid.
type edge struct{ i, j int }

// neighbours lists, for each line, the hidden cells on it.
func (g *statsGrid) neighbours() [][]edge {
	adj := make([][]edge, g.nodes())
	for i := range g.rows + 1 {
		for j := range g.columns + 1 {
			if g.hidden[i][j] {
				adj[g.rowNode(i)] = append(adj[g.rowNode(i)], edge{i, j})
				adj[g.columnNode(j)] = append(adj[g.columnNode(j)], edge{i, j})
			}
		}
	}
	return adj
}

// other is the line at the far end of cell e from line n.
func (g *statsGrid) other(e edge, n int) int {
	if n == g.rowNode(e.i) {
		return g.columnNode(e.j)
	}
	return g.rowNode(e.i)
}

// bridge finds a hidden cell that is a bridge, by Tarjan's low-link
// search.
func (g *statsGrid) bridge() (edge, bool) {
	adj := g.neighbours()
	order, low := make([]int, g.nodes()), make([]int, g.nodes())
	next := 1
	var found *edge
	var visit func(n int, via *edge)
	visit = func(n int, via *edge) {
		order[n], low[n] = next, next
		next++
		for _, e := range adj[n] {
			if found != nil {
				return
			}
			if via != nil && e == *via {
				continue
			}
			m := g.other(e, n)
			if order[m] == 0 {
				visit(m, &e)
				low[n] = min(low[n], low[m])
				if low[m] > order[n] && found == nil {
					found = &e
				}
			} else {
				low[n] = min(low[n], order[m])
			}
		}
	}
	for n := range g.nodes() {
		if order[n] == 0 && found == nil {
			visit(n, nil)
		}
	}
	if found == nil {
		return edge{}, false
	}
	return *found, true
}

// protect puts the hidden cell bridge on a cycle: it hides the cheapest
// path of cells from its row to its column (Dijkstra's search), where a
// hidden cell costs nothing, a shown one its count, and a zero or the
// bridge itself cannot be used. The cheapest path hides the fewest reports;
// on a tie, inner cells are preferred to totals.
func (g *statsGrid) protect(bridge edge) {
	const unreached = -1
	n := g.nodes()
	cost, via := make([]int, n), make([]edge, n)
	done := make([]bool, n)
	for i := range cost {
		cost[i] = unreached
	}
	from, to := g.rowNode(bridge.i), g.columnNode(bridge.j)
	cost[from] = 0
	for {
		u := unreached
		for v := range n {
			if !done[v] && cost[v] != unreached && (u == unreached || cost[v] < cost[u]) {
				u = v
			}
		}
		if u == unreached || u == to {
			break
		}
		done[u] = true
		for other := range n {
			if (u <= g.rows) == (other <= g.rows) {
				continue // rows meet columns only
			}
			e := edge{u, other - g.rows - 1}
			if u > g.rows {
				e = edge{other, u - g.rows - 1}
			}
			if e == bridge || g.value[e.i][e.j] == 0 {
				continue
			}
			c := cost[u]
			if !g.hidden[e.i][e.j] {
				c += g.value[e.i][e.j] * (g.nodes() + 1)
				if e.i == g.rows || e.j == g.columns {
					c++
				}
			}
			if cost[other] == unreached || c < cost[other] {
				cost[other], via[other] = c, e
			}
		}
	}
	if cost[to] == unreached {
		// Cannot happen (see AnonymiseCounts). Were it to, hiding every
		// count is safe and ends the search: with every non-zero cell
		// hidden, no cut leaves a single unknown.
		for i := range g.rows + 1 {
			for j := range g.columns + 1 {
				g.hidden[i][j] = g.value[i][j] > 0
			}
		}
		return
	}
	for v := to; v != from; v = g.other(via[v], v) {
		g.hidden[via[v].i][via[v].j] = true
	}
}

func (g *statsGrid) cell(i, j int) StatsCell {
	if g.hidden[i][j] {
		return StatsCell{Suppressed: true}
	}
	return StatsCell{Count: g.value[i][j]}
}

func (g *statsGrid) table() StatsTable {
	t := StatsTable{
		Cells:        make([][]StatsCell, g.rows),
		RowTotals:    make([]StatsCell, g.rows),
		ColumnTotals: make([]StatsCell, g.columns),
		Total:        g.cell(g.rows, g.columns),
	}
	for i := range g.rows {
		t.Cells[i] = make([]StatsCell, g.columns)
		for j := range g.columns {
			t.Cells[i][j] = g.cell(i, j)
		}
		t.RowTotals[i] = g.cell(i, g.columns)
	}
	for j := range g.columns {
		t.ColumnTotals[j] = g.cell(g.rows, j)
	}
	return t
}
