package export

import (
	"encoding/csv"
	"io"

	"github.com/whisper-schools/whisper/domain"
)

// WriteStatsCSV writes anonymised statistics as CSV: a header of "month",
// the columns and "total", then a row for each row label and a last row,
// "total", of the columns' totals. Figures are written as the portal shows
// them, a hidden one as domain.HiddenMark, so the file shows no more than
// the page.
func WriteStatsCSV(w io.Writer, rows, columns []string, t domain.StatsTable) error {
	cw := csv.NewWriter(w)
	record := func(label string, cells []domain.StatsCell, total domain.StatsCell) []string {
		out := []string{csvSafe(label)}
		for _, c := range cells {
			out = append(out, c.String())
		}
		return append(out, total.String())
	}
	header := []string{"month"}
	for _, c := range columns {
		header = append(header, csvSafe(c))
	}
	if err := cw.Write(append(header, "total")); err != nil {
		return err
	}
	for i, label := range rows {
		if err := cw.Write(record(label, t.Cells[i], t.RowTotals[i])); err != nil {
			return err
		}
	}
	if err := cw.Write(record("total", t.ColumnTotals, t.Total)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
