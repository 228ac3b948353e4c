package main

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/export"
)

func (c *ctl) exportCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "export",
		Usage: "write an organisation's interactions not yet erased to standard output, for the end of its service",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "org", Usage: "the organisation's `ID` (required)"},
			&cli.StringFlag{Name: "format", Value: "json", Usage: "json or csv"},
			reasonFlag("why, for the audit log (default: export for the organisation)"),
		},
		Action: func(cctx *cli.Context) error {
			if err := required(cctx, "org"); err != nil {
				return err
			}
			format := strings.ToLower(strings.TrimSpace(cctx.String("format")))
			switch {
			case format != "json" && format != "csv":
				return usagef("--format is json or csv, not %q", cctx.String("format"))
			case format == "csv" && cctx.Bool("json"):
				return usagef("--json and --format csv contradict each other; give one")
			}
			org, svc, err := c.forOrg(cctx)
			if err != nil {
				return err
			}
			// Rows go out as they are read, so that an organisation of any
			// size is exported in bounded memory; an error part way leaves
			// a truncated file and a non-zero exit status.
			var write func(domain.ExportRow) error
			var end func() error
			if format == "csv" {
				w := export.NewCSV(c.stdout, svc.Zone)
				write, end = w.Write, w.Close
			} else {
				w := export.NewJSON(c.stdout, svc.Zone)
				write, end = w.Write, w.Close
			}
			if _, err := svc.Operations.Export(cctx.Context, c.operator(), org, strings.TrimSpace(cctx.String("reason")), write); err != nil {
				return err
			}
			return end()
		},
	}, 0)
}

// statsRowJSON is one figure of the statistics: a cell, or a total
// ("total": true) whose empty fields are what it adds up over. A hidden
// figure carries no number: "count" is null.
type statsRowJSON struct {
	Month      string `json:"month"`
	Inbox      string `json:"inbox"`
	Channel    string `json:"channel"`
	Region     string `json:"region"`
	Total      bool   `json:"total"`
	Count      *int   `json:"count"`
	Suppressed bool   `json:"suppressed"`
}

// statsDefaultMonths is the range counted when none is asked for: the last
// twelve months, this one included.
const statsDefaultMonths = 12

func (c *ctl) statsCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "stats",
		Usage: "anonymised counts of interactions by month, inbox (category), channel and region, with totals; small counts, and any the totals would give away, hidden",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "org", Usage: "count one organisation's `ID` (default: all)"},
			&cli.StringFlag{Name: "from", Usage: "the first `DAY` counted, YYYY-MM-DD (default: the first of the month 11 months ago)"},
			&cli.StringFlag{Name: "to", Usage: "the last `DAY` counted, YYYY-MM-DD, included (default: today)"},
			&cli.StringFlag{Name: "table", Value: statsTableCounts, Usage: "`TABLE`: counts; first-reply, the median hours from a report to its first staff reply by month and inbox, " +
				"of the whole months of --from and --to (needs --org); or open-ages, the open interactions by inbox and how long they have been open (needs --org)"},
		},
		Action: func(cctx *cli.Context) error {
			switch table := cctx.String("table"); table {
			case statsTableCounts:
			case statsTableFirstReply, statsTableOpenAges:
				return c.responseStats(cctx, table)
			default:
				return usagef("--table is counts, first-reply or open-ages, not %q", table)
			}
			var from, last time.Time
			var err error
			if s := cctx.String("from"); cctx.IsSet("from") {
				if from, err = parseDay("from", s); err != nil {
					return err
				}
			}
			if s := cctx.String("to"); cctx.IsSet("to") {
				if last, err = parseDay("to", s); err != nil {
					return err
				}
			}
			var org *domain.OrgID
			if cctx.IsSet("org") {
				id, err := domain.ParseOrgID(strings.TrimSpace(cctx.String("org")))
				if err != nil {
					return err
				}
				org = &id
			}
			svc, err := c.service(cctx, false)
			if err != nil {
				return err
			}
			// Days are the service zone's (time_zone), as its months are:
			// --from starts at its local midnight, and --to, counted whole,
			// ends at the next.
			if !cctx.IsSet("from") {
				local := svc.Zone.In(time.Now())
				from = time.Date(local.Year(), local.Month()-(statsDefaultMonths-1), 1, 0, 0, 0, 0, time.UTC)
			}
			if !cctx.IsSet("to") {
				last = svc.Zone.In(time.Now())
			}
			from, last = svc.Zone.DayStart(from), svc.Zone.DayStart(last)
			rows, err := svc.Operations.Stats(cctx.Context, org, from, svc.Zone.DayStart(last.AddDate(0, 0, 1)))
			if err != nil {
				return err
			}
			out := make([]statsRowJSON, len(rows))
			for i, r := range rows {
				out[i] = statsRowJSON{Month: r.Month, Inbox: r.Inbox, Channel: string(r.Channel), Region: r.Region, Total: r.Total, Suppressed: r.Suppressed}
				if !r.Suppressed {
					n := r.Count
					out[i].Count = &n
				}
			}
			return c.print(cctx, out, func(w io.Writer) {
				scope := "all organisations"
				if org != nil {
					scope = string(*org)
				}
				fmt.Fprintf(w, "Interactions of %s from %s to %s (both included). Counts from 1 to %d show as %s, and so do\n"+
					"some larger ones, so that none can be worked out from the totals. Combinations not listed had none.\n",
					scope, from.Format(time.DateOnly), last.Format(time.DateOnly), domain.SmallCount-1, domain.HiddenMark)
				all := func(s string) string { return cmp.Or(s, "(all)") }
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "MONTH\tINBOX\tCHANNEL\tREGION\tCOUNT")
				for _, r := range out {
					count := domain.HiddenMark
					if r.Count != nil {
						count = strconv.Itoa(*r.Count)
					}
					if r.Total {
						r.Month, r.Inbox, r.Channel, r.Region = all(r.Month), all(r.Inbox), all(r.Channel), all(r.Region)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Month, r.Inbox, r.Channel, r.Region, count)
				}
				tw.Flush()
			})
		},
	}, 0)
}

// parseDay reads a --from or --to day: its date, in UTC; the caller
// places it on the service zone's clock.
func parseDay(flag, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, usagef("--%s takes a day like 2026-09-01 (YYYY-MM-DD), not %q", flag, s)
	}
	return t, nil
}
