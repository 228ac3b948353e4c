package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// The tables whisperctl stats prints (--table).
const (
	statsTableCounts     = "counts"
	statsTableFirstReply = "first-reply"
	statsTableOpenAges   = "open-ages"
)

// ageBands name domain.AgeBands in whisperctl's output, in order.
var ageBands = []string{"under 1 day", "1 to 7 days", "7 to 30 days", "30 days or more"}

// medianRowJSON is one median of the first-reply table: a month and inbox,
// or a total ("total": true) whose empty month or inbox is what it is
// taken over. A hidden median carries no number ("median_hours": null,
// "suppressed": true); so does a median of nothing ("none": true).
type medianRowJSON struct {
	Month       string   `json:"month"`
	Inbox       string   `json:"inbox"`
	Total       bool     `json:"total"`
	MedianHours *float64 `json:"median_hours"`
	Suppressed  bool     `json:"suppressed"`
	None        bool     `json:"none"`
}

// ageRowJSON is one count of the open-ages table: an inbox and age band,
// or a total ("total": true) whose empty inbox or band is what it adds up
// over. A hidden count is null.
type ageRowJSON struct {
	Inbox      string `json:"inbox"`
	Band       string `json:"band"`
	Total      bool   `json:"total"`
	Count      *int   `json:"count"`
	Suppressed bool   `json:"suppressed"`
}

// responseStats prints the governors' figures of one organisation, as its
// admins see them on the statistics page.
func (c *ctl) responseStats(cctx *cli.Context, table string) error {
	if !cctx.IsSet("org") {
		return usagef("--table %s needs --org", table)
	}
	org, err := domain.ParseOrgID(strings.TrimSpace(cctx.String("org")))
	if err != nil {
		return err
	}
	// The first-reply table is by whole months: those of --from and --to.
	var from, to string
	for _, f := range []struct {
		flag string
		into *string
	}{{"from", &from}, {"to", &to}} {
		if cctx.IsSet(f.flag) {
			day, err := parseDay(f.flag, cctx.String(f.flag))
			if err != nil {
				return err
			}
			*f.into = day.Format("2006-01")
		}
	}
	svc, err := c.service(cctx, false)
	if err != nil {
		return err
	}
	rep, err := svc.Casework.OrganisationResponseStats(cctx.Context, org, from, to)
	if err != nil {
		return err
	}
	if table == statsTableOpenAges {
		return c.printAges(cctx, rep, svc.Zone)
	}
	return c.printMedians(cctx, rep)
}

func medianRow(month, inbox string, total bool, m domain.MedianCell) medianRowJSON {
	r := medianRowJSON{Month: month, Inbox: inbox, Total: total, Suppressed: m.Suppressed, None: m.None}
	if !m.Suppressed && !m.None {
		h := math.Round(m.Median.Hours()*10) / 10
		r.MedianHours = &h
	}
	return r
}

func (c *ctl) printMedians(cctx *cli.Context, rep app.ResponseStatistics) error {
	var out []medianRowJSON
	for _, m := range rep.Months {
		for j, ib := range rep.Inboxes {
			out = append(out, medianRow(m.Month, ib.Label, false, m.Cells[j]))
		}
		out = append(out, medianRow(m.Month, "", true, m.Total))
	}
	for j, ib := range rep.Inboxes {
		out = append(out, medianRow("", ib.Label, true, rep.InboxMedians[j]))
	}
	out = append(out, medianRow("", "", true, rep.Median))
	return c.print(cctx, out, func(w io.Writer) {
		fmt.Fprintf(w, "Median hours from a report's arrival to the first staff reply, by month of arrival and inbox, %s to %s.\n"+
			"Unanswered reports are left out. A median shows as %s where its count of reports is hidden, or fewer than %d\n"+
			"answered reports make it up; %s means no reports, or none answered.\n",
			rep.From, rep.To, domain.HiddenMark, domain.SmallCount, domain.NoMedian)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		header := []string{"MONTH"}
		for _, ib := range rep.Inboxes {
			header = append(header, ib.Label)
		}
		fmt.Fprintln(tw, strings.Join(append(header, "ALL"), "\t")+"\t")
		line := func(label string, cells []domain.MedianCell, total domain.MedianCell) {
			fields := []string{label}
			for _, m := range cells {
				fields = append(fields, m.String())
			}
			fmt.Fprintln(tw, strings.Join(append(fields, total.String()), "\t")+"\t")
		}
		for _, m := range rep.Months {
			line(m.Month, m.Cells, m.Total)
		}
		line("(all)", rep.InboxMedians, rep.Median)
		tw.Flush()
	})
}

func ageRow(inbox, band string, total bool, n domain.StatsCell) ageRowJSON {
	r := ageRowJSON{Inbox: inbox, Band: band, Total: total, Suppressed: n.Suppressed}
	if !n.Suppressed {
		count := n.Count
		r.Count = &count
	}
	return r
}

func (c *ctl) printAges(cctx *cli.Context, rep app.ResponseStatistics, z domain.Zone) error {
	var out []ageRowJSON
	for _, row := range rep.Ages {
		for b, band := range ageBands {
			out = append(out, ageRow(row.Inbox.Label, band, false, row.Cells[b]))
		}
		out = append(out, ageRow(row.Inbox.Label, "", true, row.Total))
	}
	for b, band := range ageBands {
		out = append(out, ageRow("", band, true, rep.AgeTotals[b]))
	}
	out = append(out, ageRow("", "", true, rep.AgeTotal))
	return c.print(cctx, out, func(w io.Writer) {
		fmt.Fprintf(w, "Open interactions by inbox and time since the report arrived, at %s. Erased ones are left out.\n"+
			"Counts from 1 to %d show as %s, and so do some larger ones, so that none can be worked out from the totals.\n",
			z.Stamp(rep.AsOf), domain.SmallCount-1, domain.HiddenMark)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "INBOX\t"+strings.ToUpper(strings.Join(ageBands, "\t"))+"\tTOTAL\t")
		line := func(label string, cells []domain.StatsCell, total domain.StatsCell) {
			fields := []string{label}
			for _, n := range cells {
				fields = append(fields, n.String())
			}
			fmt.Fprintln(tw, strings.Join(append(fields, total.String()), "\t")+"\t")
		}
		for _, row := range rep.Ages {
			line(row.Inbox.Label, row.Cells, row.Total)
		}
		line("(all)", rep.AgeTotals, rep.AgeTotal)
		tw.Flush()
	})
}
