package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// outboxEntryOut is one delivery as `outbox list --json` prints it: never
// its recipient, link or words.
type outboxEntryOut struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Channel       string    `json:"channel"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	CreatedAt     time.Time `json:"created_at"`
	// LastErrorCode is the SMTP reply code (or carrier's HTTP status) of
	// the latest failed attempt, 0 when none came; LastErrorText its words,
	// addresses redacted.
	LastErrorCode int    `json:"last_error_code,omitempty"`
	LastErrorText string `json:"last_error_text,omitempty"`
	OrgID         string `json:"org_id,omitempty"`
	Organisation  string `json:"organisation,omitempty"`
}

// outboxPage is how many deliveries `outbox list` shows unless told: the
// oldest, which are those to look at first, and few enough that an
// outbox that mail trouble filled is not read whole.
const outboxPage = 100

// outboxListOut is what `outbox list --json` prints: the oldest
// deliveries, at most --limit of them, and how many there are in all.
type outboxListOut struct {
	Deliveries []outboxEntryOut `json:"deliveries"`
	Total      int              `json:"total"`
}

func (c *ctl) outboxCommand() *cli.Command {
	return &cli.Command{
		Name:  "outbox",
		Usage: "see emails and texts waiting or given up on, and send one again",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name: "list",
				Usage: "list the deliveries not sent, oldest first: kind, state, attempts, when next due (or when given up on), " +
					"the server's last answer and the organisation; never the recipient or content",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "failed", Usage: "only the deliveries given up on"},
					&cli.IntFlag{Name: "limit", Value: outboxPage, Usage: "show at most the oldest `N`"},
				},
				Action: func(cctx *cli.Context) error {
					limit := cctx.Int("limit")
					if limit < 1 {
						return usagef("--limit is 1 or more")
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					list, total, err := svc.Delivery.ListOutbox(cctx.Context, cctx.Bool("failed"), limit)
					if err != nil {
						return err
					}
					out := outboxListOut{Deliveries: make([]outboxEntryOut, len(list)), Total: total}
					for i, e := range list {
						out.Deliveries[i] = outboxEntry(e)
					}
					return c.print(cctx, out, func(w io.Writer) { printOutbox(w, out, svc.Zone) })
				},
			}, 0),
			leaf(&cli.Command{
				Name: "retry",
				Usage: "make one waiting or failed delivery due now, once what made it fail is mended; the next relay pass sends it " +
					"(the reason goes in the audit log)",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "id", Usage: "the delivery `ID` (dlv_…), as outbox list shows it (required)"},
					reasonFlag(reasonRequired),
				},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "id", "reason"); err != nil {
						return err
					}
					id, err := domain.ParseDeliveryID(cctx.String("id"))
					if err != nil {
						return err
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					if err := svc.Delivery.RetryDelivery(cctx.Context, c.operator(), id, cctx.String("reason")); err != nil {
						return err
					}
					return c.print(cctx, struct {
						ID    string `json:"id"`
						State string `json:"state"`
					}{string(id), string(domain.DeliveryPending)}, func(w io.Writer) {
						fmt.Fprintf(w, "Delivery %s is due now; whisperd sends it at its next pass.\n", id)
					})
				},
			}, 0),
		},
	}
}

func outboxEntry(e app.OutboxEntry) outboxEntryOut {
	o := outboxEntryOut{ID: string(e.ID), Kind: string(e.Kind), Channel: string(e.Channel), State: string(e.Status),
		Attempts: e.Attempts, NextAttemptAt: e.NextAttemptAt, CreatedAt: e.CreatedAt,
		OrgID: string(e.OrgID), Organisation: e.Organisation}
	if e.LastError != nil {
		o.LastErrorCode, o.LastErrorText = e.LastError.Code, e.LastError.Text
	}
	return o
}

// printOutbox writes the list as a table, times in the service's zone,
// and says how many more there are when --limit cut it short.
func printOutbox(w io.Writer, out outboxListOut, z domain.Zone) {
	list := out.Deliveries
	if len(list) == 0 {
		fmt.Fprintln(w, "Nothing is waiting or failed.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPTS\tNEXT/FAILED AT\tLAST ERROR\tORGANISATION")
	for _, e := range list {
		last := "-"
		if e.LastErrorCode != 0 || e.LastErrorText != "" {
			last = e.LastErrorText
			if e.LastErrorCode != 0 {
				last = strconv.Itoa(e.LastErrorCode) + " " + last
			}
		}
		org := e.Organisation
		if org == "" {
			org = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.Kind, e.State, e.Attempts,
			z.Stamp(e.NextAttemptAt), last, org)
	}
	tw.Flush()
	if out.Total > len(list) {
		fmt.Fprintf(w, "%d of %d shown; --limit to see more.\n", len(list), out.Total)
	}
}
