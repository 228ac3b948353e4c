package http

import (
	"bytes"
	"fmt"
	nethttp "net/http"
	"net/url"
	"strings"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/export"
)

// statsPage is the anonymised statistics: a chart of monthly totals and the
// table of months by inbox it summarises.
type statsPage struct {
	Staff  staffChrome
	Report app.Statistics
	// From and To are the filter as typed, kept when it comes back.
	From, To string
	Problems fieldProblems
	Chart    statsChart
	// CSV is the address of the same figures as a file; Hidden the mark
	// of a hidden figure, which the page explains.
	CSV, Hidden string
	// HiddenUpTo is the largest count always hidden.
	HiddenUpTo int

	// Replies are the governors' figures: the median time to a first
	// reply by month and category, and the open reports by age; each with
	// its own file, RepliesCSV and AgesCSV. None is the mark of a median
	// of nothing and SmallCount the fewest answered reports a median shows.
	Replies             app.ResponseStatistics
	RepliesCSV, AgesCSV string
	None                string
	SmallCount          int
}

// statsChart is a bar chart drawn on the server as SVG: no script, and
// its geometry decided here so the template only places what it is given.
type statsChart struct {
	Width, Height float64
	// Baseline is the y of the zero line; Left the x of the value axis.
	Baseline, Left, Right float64
	Ticks                 []statsTick
	Bars                  []statsBar
	// Desc lists each month's total, for screen readers; the template
	// says what it is.
	Desc string
}

// statsTick is one line across the chart at a round value.
type statsTick struct {
	Y     float64
	Label string
}

// statsBar is one month's total.
type statsBar struct {
	X, Y, W, H float64
	// Mid is the bar's centre, where its labels sit.
	Mid   float64
	Value string
	// Suppressed bars (hidden totals) have no true height; they are drawn
	// as a dashed stub so no number can be read from them.
	Suppressed bool
	// Month and Year label the axis; empty where labels would crowd.
	Month, Year string
}

func (s *Server) stats(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	rep, err := s.app.Portal.Stats(r.Context(), a, from, to)
	page := statsPage{Staff: s.staffChrome(a, "stats"), Report: rep, From: from, To: to, Hidden: domain.HiddenMark, HiddenUpTo: domain.SmallCount - 1}
	if problems := domain.ProblemsOf(err); problems != nil {
		page.Problems = staffProblems(a, problems)
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/stats", page)
	}
	if err != nil {
		return err
	}
	page.From, page.To = rep.From, rep.To
	page.Chart = chartOf(rep, catalogue.For(page.Staff.Lang), s.app.Zone)
	page.CSV = "/staff/stats.csv?" + url.Values{"from": {rep.From}, "to": {rep.To}}.Encode()
	if page.Replies, err = s.app.Casework.ResponseStats(r.Context(), a, from, to); err != nil {
		return err
	}
	page.RepliesCSV = "/staff/stats.csv?" + url.Values{"from": {rep.From}, "to": {rep.To}, "table": {statsTableReplies}}.Encode()
	page.AgesCSV = "/staff/stats.csv?" + url.Values{"table": {statsTableAges}}.Encode()
	page.None, page.SmallCount = domain.NoMedian, domain.SmallCount
	return s.render(w, nethttp.StatusOK, "staff/stats", page)
}

// statsCSV is the statistics page's table as a file, figures hidden
// exactly as on the page.
func (s *Server) statsCSV(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	switch r.URL.Query().Get("table") {
	case "":
	case statsTableReplies, statsTableAges:
		return s.responseStatsCSV(w, r, a)
	default:
		return domain.Errorf(domain.KindInvalid, "no such statistics table")
	}
	rep, err := s.app.Portal.Stats(r.Context(), a, r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	months := make([]string, len(rep.Months))
	table := domain.StatsTable{Cells: make([][]domain.StatsCell, len(rep.Months)), RowTotals: make([]domain.StatsCell, len(rep.Months)),
		ColumnTotals: rep.InboxTotals, Total: rep.Total}
	for i, m := range rep.Months {
		months[i], table.Cells[i], table.RowTotals[i] = m.Month, m.Cells, m.Total
	}
	inboxes := make([]string, len(rep.Inboxes))
	for i, ib := range rep.Inboxes {
		inboxes[i] = ib.Label
	}
	var buf bytes.Buffer
	if err := export.WriteStatsCSV(&buf, months, inboxes, table); err != nil {
		return err
	}
	return s.sendExport(w, "text/csv; charset=utf-8", "whisper-statistics-"+rep.From+"-to-"+rep.To+".csv", buf.Bytes())
}

// Chart dimensions, in the SVG's own units; it scales to the page.
const (
	chartWidth  = 760.0
	chartHeight = 280.0
	chartLeft   = 44.0
	chartRight  = 10.0
	chartTop    = 26.0
	chartBottom = 44.0
	stubHeight  = 4.0
)

// chartOf draws rep's monthly totals, naming the months with p in the
// zone z.
func chartOf(rep app.Statistics, p *catalogue.Printer, z domain.Zone) statsChart {
	c := statsChart{Width: chartWidth, Height: chartHeight, Baseline: chartHeight - chartBottom, Left: chartLeft, Right: chartWidth - chartRight}
	top := domain.SmallCount
	for _, m := range rep.Months {
		if !m.Total.Suppressed {
			top = max(top, m.Total.Count)
		}
	}
	top = niceCeiling(top)
	plot := c.Baseline - chartTop
	for _, v := range []int{0, top / 2, top} {
		c.Ticks = append(c.Ticks, statsTick{Y: round1(c.Baseline - plot*float64(v)/float64(top)), Label: fmt.Sprint(v)})
	}
	n := len(rep.Months)
	if n == 0 {
		return c
	}
	slot := (c.Right - c.Left) / float64(n)
	every := (n + 11) / 12 // about a dozen month labels at most
	var words []string
	lastYear := ""
	for i, m := range rep.Months {
		b := statsBar{W: round1(slot * 0.7), Value: m.Total.String(), Suppressed: m.Total.Suppressed}
		b.X = round1(c.Left + slot*float64(i) + slot*0.15)
		b.Mid = round1(c.Left + slot*(float64(i)+0.5))
		b.H = stubHeight
		if !m.Total.Suppressed {
			b.H = round1(plot * float64(m.Total.Count) / float64(top))
		}
		b.Y = round1(c.Baseline - b.H)
		if i%every == 0 {
			b.Month = p.ShortMonth(z, m.Start)
			// The year is written under the first label of each year.
			if year := z.In(m.Start).Format("2006"); year != lastYear {
				b.Year, lastYear = year, year
			}
		}
		c.Bars = append(c.Bars, b)
		words = append(words, p.Month(z, m.Start)+": "+m.Total.String())
	}
	c.Desc = strings.Join(words, "; ")
	return c
}

// niceCeiling rounds a chart's top up to 10, 20 or 50 times a power of
// ten, so that its lines, at the top and half-way, fall on round numbers.
func niceCeiling(n int) int {
	for scale := 1; ; scale *= 10 {
		for _, step := range []int{10, 20, 50} {
			if n <= step*scale {
				return step * scale
			}
		}
	}
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
