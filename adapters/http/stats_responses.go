package http

import (
	"bytes"
	nethttp "net/http"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/export"
)

// The statistics page's other tables, chosen by the table parameter of
// /staff/stats.csv (no parameter is the counts, as before).
const (
	// statsTableReplies is the median hours to a first reply.
	statsTableReplies = "first-reply"
	// statsTableAges is the open reports by age.
	statsTableAges = "open-ages"
)

// AgeBandColumns are the CSV's names of domain.AgeBands, in order.
var ageBandColumns = []string{"under 1 day", "1 to 7 days", "7 to 30 days", "30 days or more"}

// responseStatsCSV writes one of the governors' tables as a file, figures
// hidden exactly as on the page.
func (s *Server) responseStatsCSV(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	table := r.URL.Query().Get("table")
	rep, err := s.app.Casework.ResponseStats(r.Context(), a, r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	inboxes := make([]string, len(rep.Inboxes))
	for i, ib := range rep.Inboxes {
		inboxes[i] = ib.Label
	}
	var buf bytes.Buffer
	name := "whisper-first-reply-" + rep.From + "-to-" + rep.To + ".csv"
	if table == statsTableAges {
		t := domain.StatsTable{Cells: make([][]domain.StatsCell, len(rep.Ages)), RowTotals: make([]domain.StatsCell, len(rep.Ages)),
			ColumnTotals: rep.AgeTotals, Total: rep.AgeTotal}
		for i, row := range rep.Ages {
			t.Cells[i], t.RowTotals[i] = row.Cells, row.Total
		}
		if err := export.WriteAgesCSV(&buf, inboxes, ageBandColumns, t); err != nil {
			return err
		}
		name = "whisper-open-reports-by-age-" + s.app.Zone.In(rep.AsOf).Format("2006-01-02") + ".csv"
	} else {
		months := make([]string, len(rep.Months))
		t := domain.MedianTable{Cells: make([][]domain.MedianCell, len(rep.Months)), RowTotals: make([]domain.MedianCell, len(rep.Months)),
			ColumnTotals: rep.InboxMedians, Total: rep.Median}
		for i, m := range rep.Months {
			months[i], t.Cells[i], t.RowTotals[i] = m.Month, m.Cells, m.Total
		}
		if err := export.WriteMediansCSV(&buf, months, inboxes, t); err != nil {
			return err
		}
	}
	return s.sendExport(w, "text/csv; charset=utf-8", name, buf.Bytes())
}
