package export

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/whisper-schools/whisper/domain"
)

// WriteMediansCSV writes the median hours to a first reply as CSV, laid
// out as WriteStatsCSV lays out counts: a header of "month", the columns
// and "total", a row for each month and a last row, "total". A median is
// written as the portal shows it: hours to one decimal place, a hidden one
// as domain.HiddenMark and one of nothing as domain.NoMedian.
func WriteMediansCSV(w io.Writer, rows, columns []string, t domain.MedianTable) error {
	return writeFigures(w, "month", rows, columns, t.Cells, t.RowTotals, t.ColumnTotals, t.Total)
}

// WriteAgesCSV writes the open reports by age as CSV: a header of
// "category", the age bands and "total", a row for each category and a
// last row, "total". Hidden counts are written as domain.HiddenMark.
func WriteAgesCSV(w io.Writer, categories, bands []string, t domain.StatsTable) error {
	return writeFigures(w, "category", categories, bands, t.Cells, t.RowTotals, t.ColumnTotals, t.Total)
}

// writeFigures writes a table with its totals: corner heads the column of
// row labels.
func writeFigures[C fmt.Stringer](w io.Writer, corner string, rows, columns []string, cells [][]C, rowTotals, columnTotals []C, total C) error {
	cw := csv.NewWriter(w)
	record := func(label string, cells []C, total C) []string {
		out := []string{csvSafe(label)}
		for _, c := range cells {
			out = append(out, c.String())
		}
		return append(out, total.String())
	}
	header := []string{corner}
	for _, c := range columns {
		header = append(header, csvSafe(c))
	}
	if err := cw.Write(append(header, "total")); err != nil {
		return err
	}
	for i, label := range rows {
		if err := cw.Write(record(label, cells[i], rowTotals[i])); err != nil {
			return err
		}
	}
	if err := cw.Write(record("total", columnTotals, total)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
