package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/domain"
)

// auditJSON is one entry of the audit log. Ref is empty for acts on no one
// interaction (a purge run, a subject access request, an export).
type auditJSON struct {
	Seq      int64             `json:"seq"`
	At       time.Time         `json:"at"`
	Actor    string            `json:"actor"`
	Action   string            `json:"action"`
	OrgID    string            `json:"org_id"`
	Ref      string            `json:"ref"`
	Reason   string            `json:"reason"`
	Details  map[string]string `json:"details"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

// auditPage is how many entries audit list shows unless told otherwise.
const auditPage = 1000

func (c *ctl) auditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "read and check the audit log of sensitive acts",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "list",
				Usage: "list the audit log, oldest first",
				Flags: []cli.Flag{
					&cli.Int64Flag{Name: "after", Usage: "start after entry `SEQ`"},
					&cli.IntFlag{Name: "limit", Value: auditPage, Usage: "show at most `N` entries"},
				},
				Action: func(cctx *cli.Context) error {
					after, limit := cctx.Int64("after"), cctx.Int("limit")
					if after < 0 {
						return usagef("--after is an entry's number, 0 or more")
					}
					if limit < 1 {
						return usagef("--limit is 1 or more")
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					entries, err := svc.Operations.AuditLog(cctx.Context, after, limit)
					if err != nil {
						return err
					}
					out := make([]auditJSON, len(entries))
					for i, e := range entries {
						out[i] = toAuditJSON(e)
					}
					return c.print(cctx, out, func(w io.Writer) {
						printAudit(w, out, svc.Zone)
						if len(out) == limit {
							fmt.Fprintf(w, "There may be more: add --after %d.\n", out[len(out)-1].Seq)
						}
					})
				},
			}, 0),
			leaf(&cli.Command{
				Name: "verify",
				Usage: "recompute the audit log's keyed hash chain; exits non-zero, naming the first bad entry, if it was altered, " +
					"or, with --head, if the entry a saved head names is missing or different",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "head", Usage: "a head saved earlier by `audit head`, as `SEQ:HASH`: that entry must still be there, unchanged"},
				},
				Action: func(cctx *cli.Context) error {
					var head *domain.AuditHead
					if cctx.IsSet("head") {
						h, err := domain.ParseAuditHead(cctx.String("head"))
						if err != nil {
							return err
						}
						head = &h
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					check, err := svc.Operations.VerifyAudit(cctx.Context, head)
					if err != nil {
						return err
					}
					out := auditCheckJSON{Checked: check.Checked, Intact: true, EarlierBreaks: []earlierBreakJSON{}}
					if check.Checked > 0 {
						out.Head = check.Head.String()
					}
					for _, e := range check.EarlierBreaks {
						out.EarlierBreaks = append(out.EarlierBreaks, earlierBreakJSON{Seq: e.Seq, At: e.At.UTC(), FirstBad: e.Details["first_bad"]})
					}
					return c.print(cctx, out, func(w io.Writer) {
						fmt.Fprintf(w, "%d entries, chain intact\n", check.Checked)
						if head != nil {
							fmt.Fprintf(w, "Entry %d is the one the saved head names.\n", head.Seq)
						}
						for _, b := range out.EarlierBreaks {
							fmt.Fprintf(w, "Warning: when the chain was keyed (entry %d, %s), the chain before it was already broken from entry %s: "+
								"entries up to %d were altered, removed or reordered before then.\n", b.Seq, svc.Zone.ISO(b.At), b.FirstBad, b.Seq-1)
						}
					})
				},
			}, 0),
			leaf(&cli.Command{
				Name:  "head",
				Usage: "print the newest entry's number and hash as SEQ:HASH, to keep elsewhere and check later with verify --head",
				Action: func(cctx *cli.Context) error {
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					head, err := svc.Operations.AuditHead(cctx.Context)
					if err != nil {
						return err
					}
					return c.print(cctx, struct {
						Seq  int64  `json:"seq"`
						Hash string `json:"hash"`
						Head string `json:"head"`
					}{head.Seq, head.Hash, head.String()}, func(w io.Writer) {
						fmt.Fprintln(w, head)
					})
				},
			}, 0),
		},
	}
}

// auditCheckJSON is what audit verify found. Head is the newest entry
// checked, as SEQ:HASH; EarlierBreaks are breaks the migration that keyed
// the chain found and recorded.
type auditCheckJSON struct {
	Checked       int                `json:"checked"`
	Intact        bool               `json:"intact"`
	Head          string             `json:"head"`
	EarlierBreaks []earlierBreakJSON `json:"earlier_breaks"`
}

// earlierBreakJSON is the entry (Seq) in which keying the chain recorded
// that the unkeyed chain before it was broken from entry FirstBad.
type earlierBreakJSON struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	FirstBad string    `json:"first_bad"`
}

func toAuditJSON(e *domain.AuditEntry) auditJSON {
	details := map[string]string{}
	for k, v := range e.Details {
		details[k] = v
	}
	return auditJSON{
		Seq: e.Seq, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, OrgID: string(e.OrgID), Ref: string(e.Ref),
		Reason: e.Reason, Details: details, PrevHash: e.PrevHash, Hash: e.Hash,
	}
}

func printAudit(w io.Writer, entries []auditJSON, z domain.Zone) {
	if len(entries) == 0 {
		fmt.Fprintln(w, "The audit log holds no entries here.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tACTION\tORG\tREF\tREASON\tDETAILS")
	for _, e := range entries {
		keys := make([]string, 0, len(e.Details))
		for k := range e.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		details := make([]string, len(keys))
		for i, k := range keys {
			details[i] = k + "=" + e.Details[k]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, z.ISO(e.At), e.Actor, e.Action,
			orNone(e.OrgID), orNone(e.Ref), oneLine(orNone(e.Reason)), oneLine(strings.Join(details, " ")))
	}
	tw.Flush()
}

// oneLine keeps a free-text field on its table row.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
