package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// The commands in this file and in requests.go, records.go and audit.go
// act on personal data. Each checks its command line in full before it
// opens the database, so a mistyped command changes nothing and records
// nothing; the app then writes the audit entry in the same transaction as
// the act.

// refFlag names the interaction a command acts on. Flags are made afresh
// for each command, since urfave/cli records on a flag whether it was set.
func refFlag() cli.Flag {
	return &cli.StringFlag{Name: "ref", Usage: "the interaction's `REFERENCE`, e.g. WSP-7K3D-9QXM (required)"}
}

// reasonFlag is why a sensitive act is done; it goes in the audit log.
func reasonFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "reason", Usage: usage}
}

const reasonRequired = "why, for the audit log (required)"

// required refuses a command line that lacks any of the named flags, naming
// every one that is missing. A flag given only blanks counts as missing.
func required(cctx *cli.Context, names ...string) error {
	var missing []string
	for _, name := range names {
		if strings.TrimSpace(cctx.String(name)) == "" {
			missing = append(missing, "--"+name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usagef("%s is required", missing[0])
	default:
		return usagef("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
	}
}

// refAndReason checks the flags every act on one interaction needs, before
// the database is opened.
func refAndReason(cctx *cli.Context, more ...string) (domain.Reference, error) {
	if err := required(cctx, append([]string{"ref", "reason"}, more...)...); err != nil {
		return "", err
	}
	return domain.ParseReference(cctx.String("ref"))
}

// refRequest checks a command about one interaction — its --ref, --reason
// and any more required flags — before opening the service for it.
func (c *ctl) refRequest(cctx *cli.Context, more ...string) (*app.App, domain.Reference, error) {
	ref, err := refAndReason(cctx, more...)
	if err != nil {
		return nil, "", err
	}
	svc, err := c.service(cctx, false)
	return svc, ref, err
}

// actJSON is the outcome of an act on one interaction.
type actJSON struct {
	Ref       string `json:"ref"`
	Action    string `json:"action"`
	Erased    *bool  `json:"erased,omitempty"`
	LegalHold *bool  `json:"legal_hold,omitempty"`
	// Blocked and Lifted count identities (an email, a phone number, each
	// IP address), never reveal them.
	Blocked *int `json:"blocked,omitempty"`
	Days    *int `json:"days,omitempty"`
	Lifted  *int `json:"lifted,omitempty"`
}

// purgeJSON is what a purge did or, dry, would do.
type purgeJSON struct {
	AsOf   time.Time `json:"as_of"`
	DryRun bool      `json:"dry_run"`
	Erased int       `json:"erased"`
	Held   int       `json:"held"`
	Warned int       `json:"warned"`
}

func (c *ctl) purgeCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "purge",
		Usage: "erase every interaction past its organisation's retention period; prints counts",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "count what would be erased, and change nothing"},
			&cli.StringFlag{Name: "as-of", Usage: "with --dry-run: count what would be due at `TIME` (RFC 3339, e.g. 2027-01-31T00:00:00Z)"},
		},
		Action: func(cctx *cli.Context) error {
			in := app.Purge{Actor: c.operator().Actor(), DryRun: cctx.Bool("dry-run")}
			if cctx.IsSet("as-of") {
				t, err := time.Parse(time.RFC3339, strings.TrimSpace(cctx.String("as-of")))
				if err != nil {
					return usagef("--as-of takes a time like 2027-01-31T00:00:00Z (RFC 3339), not %q", cctx.String("as-of"))
				}
				in.AsOf = &t
			}
			svc, err := c.service(cctx, false)
			if err != nil {
				return err
			}
			res, err := c.purge(cctx.Context, svc, in)
			if err != nil {
				return err
			}
			// Erasure went on; what stopped a warning is the operator's to fix.
			for _, problem := range res.Unwarned {
				fmt.Fprintf(c.stderr, "whisperctl: purge: %v\n", problem)
			}
			return c.print(cctx, purgeJSON{AsOf: res.AsOf.UTC(), DryRun: res.DryRun, Erased: res.Erased, Held: res.Held, Warned: res.Warned},
				func(w io.Writer) {
					if res.DryRun {
						fmt.Fprintf(w, "Dry run as of %s: %s would be erased; %s past retention kept under a legal hold. Nothing was changed.\n",
							svc.Zone.ISO(res.AsOf), interactions(res.Erased), interactions(res.Held))
						return
					}
					fmt.Fprintf(w, "Erased %s past retention; %s kept under a legal hold; admins warned of %s due within %d days.\n",
						interactions(res.Erased), interactions(res.Held), interactions(res.Warned), int(app.ErasureNotice/(24*time.Hour)))
				})
		},
	}, 0)
}

// errPurgeRunning refuses a purge while another holds app.PurgeLock.
var errPurgeRunning = &domain.Error{Kind: domain.KindConflict,
	Safe: domain.Say("a retention purge is running already (whisperd's sweep, or another whisperctl purge); nothing was erased: run purge again once it has finished")}

// purge runs the retention purge under the lock whisperd's sweep takes,
// so that the two never erase and warn at once. It refuses at once,
// rather than wait, when the lock is taken: the purge running already is
// doing what was asked, and a sweep can take a while. A dry run changes
// nothing, so it takes no lock and never waits for one.
func (c *ctl) purge(ctx context.Context, svc *app.App, in app.Purge) (app.PurgeResult, error) {
	// The app refuses --as-of without --dry-run: erasure always happens
	// as of now.
	if in.DryRun {
		return svc.Operations.Purge(ctx, in)
	}
	var res app.PurgeResult
	ran, err := c.store.Exclusive(ctx, app.PurgeLock, func(ctx context.Context) (err error) {
		res, err = svc.Operations.Purge(ctx, in)
		return err
	})
	if err == nil && !ran {
		err = errPurgeRunning
	}
	return res, err
}

func (c *ctl) eraseCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "erase",
		Usage: "erase one interaction now, for a data subject's erasure request; refused under a legal hold",
		Flags: []cli.Flag{refFlag(), reasonFlag(reasonRequired)},
		Action: func(cctx *cli.Context) error {
			svc, ref, err := c.refRequest(cctx)
			if err != nil {
				return err
			}
			if err := svc.Operations.Erase(cctx.Context, c.operator(), ref, cctx.String("reason")); err != nil {
				return err
			}
			erased := true
			return c.print(cctx, actJSON{Ref: string(ref), Action: domain.AuditErase, Erased: &erased}, func(w io.Writer) {
				fmt.Fprintf(w, "Erased %s: its names, messages, contact and meta data are gone; its dates, category and region remain for statistics.\n", ref)
			})
		},
	}, 0)
}

func (c *ctl) holdCommand() *cli.Command {
	hold := func(name, usage string, on bool) *cli.Command {
		return leaf(&cli.Command{
			Name:  name,
			Usage: usage,
			Flags: []cli.Flag{refFlag(), reasonFlag(reasonRequired)},
			Action: func(cctx *cli.Context) error {
				svc, ref, err := c.refRequest(cctx)
				if err != nil {
					return err
				}
				if err := svc.Operations.SetHold(cctx.Context, c.operator(), ref, on, cctx.String("reason")); err != nil {
					return err
				}
				action := domain.AuditHoldRelease
				if on {
					action = domain.AuditHoldSet
				}
				return c.print(cctx, actJSON{Ref: string(ref), Action: action, LegalHold: &on}, func(w io.Writer) {
					if on {
						fmt.Fprintf(w, "%s is under a legal hold: neither the purge nor erase will touch it until the hold is released.\n", ref)
					} else {
						fmt.Fprintf(w, "Released the legal hold on %s; it is erased as usual once past retention.\n", ref)
					}
				})
			},
		}, 0)
	}
	return &cli.Command{
		Name:  "hold",
		Usage: "set, release or list legal holds, which stop an interaction being erased",
		Subcommands: []*cli.Command{
			hold("set", "put an interaction under a legal hold", true),
			hold("release", "release an interaction's legal hold", false),
			c.holdListCommand(),
		},
	}
}

// holdJSON is a legal hold in force, with when and why it was set as the
// audit log records it.
type holdJSON struct {
	Ref          string     `json:"ref"`
	OrgID        string     `json:"org_id"`
	Organisation string     `json:"organisation"`
	Since        *time.Time `json:"since"`
	Reason       string     `json:"reason"`
}

func (c *ctl) holdListCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "list",
		Usage: "list the legal holds in force: reference, organisation, since when and why",
		Action: func(cctx *cli.Context) error {
			svc, err := c.service(cctx, false)
			if err != nil {
				return err
			}
			in, err := svc.Operations.InForce(cctx.Context, time.Time{})
			if err != nil {
				return err
			}
			out := make([]holdJSON, len(in.Holds))
			for i, h := range in.Holds {
				out[i] = holdJSON{Ref: string(h.Ref), OrgID: string(h.OrgID), Organisation: h.Organisation, Reason: h.Reason}
				if !h.Since.IsZero() {
					since := h.Since.UTC()
					out[i].Since = &since
				}
			}
			return c.print(cctx, out, func(w io.Writer) {
				if len(out) == 0 {
					fmt.Fprintln(w, "No legal hold is in force.")
					return
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "REF\tORGANISATION\tSINCE\tREASON")
				for _, h := range out {
					since := "-"
					if h.Since != nil {
						since = h.Since.Format(minuteUTC)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Ref, h.Organisation, since, orNone(h.Reason))
				}
				tw.Flush()
			})
		},
	}, 0)
}

// interactions counts in words: "1 interaction", "3 interactions".
func interactions(n int) string {
	if n == 1 {
		return "1 interaction"
	}
	return fmt.Sprintf("%d interactions", n)
}
