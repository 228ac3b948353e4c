package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// orgJSON is an organisation as whisperctl prints it.
type orgJSON struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	RetentionMonths int    `json:"retention_months"`
	// TrialEndsAt is the moment the trial ends; TrialLastDay the last day
	// it takes reports (in time_zone), as `org trial --until` names it.
	TrialEndsAt  *time.Time `json:"trial_ends_at,omitempty"`
	TrialLastDay string     `json:"trial_last_day,omitempty"`
	// AcceptingReports is whether its forms take reports now.
	AcceptingReports bool      `json:"accepting_reports"`
	ContactEmail     string    `json:"contact_email,omitempty"`
	ContactName      string    `json:"contact_name,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

func toOrgJSON(o *domain.Organisation, z domain.Zone) orgJSON {
	return orgJSON{
		ID: string(o.ID), Name: o.Name, Status: string(o.Status), RetentionMonths: int(o.Retention),
		TrialEndsAt: o.TrialEndsAt, TrialLastDay: trialLastDay(o, z), AcceptingReports: o.AcceptsReports(time.Now()),
		ContactEmail: o.Contact.Email, ContactName: o.Contact.Name, CreatedAt: o.CreatedAt,
	}
}

// trialLastDay is the last day of an organisation's trial in the zone z,
// or "".
func trialLastDay(o *domain.Organisation, z domain.Zone) string {
	if o.Status != domain.OrgTrial || o.TrialEndsAt == nil {
		return ""
	}
	return z.LastDay(*o.TrialEndsAt).Format(time.DateOnly)
}

func printOrgs(w io.Writer, orgs []*domain.Organisation, z domain.Zone) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tTRIAL ENDS\tRETENTION\tCONTACT\tCREATED")
	now := time.Now()
	for _, o := range orgs {
		status, trial := string(o.Status), "-"
		if day := trialLastDay(o, z); day != "" {
			trial = "after " + day
			if o.TrialEnded(now) {
				status, trial = "trial ended", "ended "+day
			}
		}
		contact := "-"
		if c := o.Contact; c.Email != "" {
			contact = c.Email
			if c.Name != "" {
				contact = c.Name + " <" + c.Email + ">"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d months\t%s\t%s\n", o.ID, o.Name, status, trial, o.Retention, contact, z.In(o.CreatedAt).Format(time.DateOnly))
	}
	tw.Flush()
}

func (c *ctl) orgCommand() *cli.Command {
	return &cli.Command{
		Name:  "org",
		Usage: "manage organisations (subscribers)",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "create",
				Usage: "create an organisation",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "the organisation's name (required)"},
					&cli.IntFlag{Name: "trial-days", Usage: "start on a trial of `D` days instead of active"},
					&cli.IntFlag{Name: "retention-months", Value: int(domain.DefaultRetention), Usage: "keep personal data 6, 12, 24 or 36 months"},
					&cli.StringFlag{Name: "contact-email", Usage: "the address `E` notices go to, besides the admins"},
					&cli.StringFlag{Name: "contact-name", Usage: "the contact's `NAME` (with --contact-email)"},
				},
				Action: func(cctx *cli.Context) error {
					if cctx.String("name") == "" {
						return usagef("--name is required")
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					org, err := svc.Operations.CreateOrganisation(cctx.Context, app.CreateOrganisation{
						Name: cctx.String("name"), RetentionMonths: cctx.Int("retention-months"), TrialDays: cctx.Int("trial-days"),
						ContactEmail: cctx.String("contact-email"), ContactName: cctx.String("contact-name"),
						Actor: c.operator().Actor(),
					})
					if err != nil {
						return err
					}
					return c.print(cctx, toOrgJSON(org, svc.Zone), func(w io.Writer) {
						fmt.Fprintf(w, "Created organisation %s (%s), %s, keeping personal data %d months.\n", org.ID, org.Name, org.Status, org.Retention)
						if day := trialLastDay(org, svc.Zone); day != "" {
							fmt.Fprintf(w, "Its trial takes reports until the end of %s (%s).\n", day, svc.Zone)
						}
					})
				},
			}, 0),
			leaf(&cli.Command{
				Name:  "list",
				Usage: "list organisations",
				Action: func(cctx *cli.Context) error {
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					orgs, err := svc.Operations.ListOrganisations(cctx.Context)
					if err != nil {
						return err
					}
					out := make([]orgJSON, len(orgs))
					for i, o := range orgs {
						out[i] = toOrgJSON(o, svc.Zone)
					}
					return c.print(cctx, out, func(w io.Writer) { printOrgs(w, orgs, svc.Zone) })
				},
			}, 0),
			leaf(&cli.Command{
				Name:      "set-status",
				Usage:     "set an organisation's status: trial, active, suspended or ended; the reason goes in the audit log",
				ArgsUsage: "ID STATUS",
				Flags:     []cli.Flag{reasonFlag(reasonRequired)},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "reason"); err != nil {
						return err
					}
					id, err := domain.ParseOrgID(cctx.Args().Get(0))
					if err != nil {
						return err
					}
					status, err := domain.ParseOrgStatus(cctx.Args().Get(1))
					if err != nil {
						return err
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					org, err := svc.Operations.SetOrganisationStatus(cctx.Context, c.operator(), id, status, cctx.String("reason"))
					if err != nil {
						return err
					}
					return c.print(cctx, toOrgJSON(org, svc.Zone), func(w io.Writer) {
						fmt.Fprintf(w, "Organisation %s (%s) is now %s.\n", org.ID, org.Name, org.Status)
					})
				},
			}, 2),
			leaf(&cli.Command{
				Name:      "trial",
				Usage:     "set the last day of an organisation's trial (to extend it, or bring back one that ended); the reason goes in the audit log",
				ArgsUsage: "ID",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "until", Usage: "the trial's last `YYYY-MM-DD` (in time_zone), today or later (required)"},
					reasonFlag(reasonRequired),
				},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "until", "reason"); err != nil {
						return err
					}
					id, err := domain.ParseOrgID(cctx.Args().Get(0))
					if err != nil {
						return err
					}
					until, err := time.Parse(time.DateOnly, cctx.String("until"))
					if err != nil {
						return usagef("--until: %q is not a date like 2027-01-31", cctx.String("until"))
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					org, err := svc.Subscriptions.SetTrial(cctx.Context, c.operator(), id, until, cctx.String("reason"))
					if err != nil {
						return err
					}
					return c.print(cctx, toOrgJSON(org, svc.Zone), func(w io.Writer) {
						fmt.Fprintf(w, "Organisation %s (%s) is on trial until the end of %s (%s).\n", org.ID, org.Name, trialLastDay(org, svc.Zone), svc.Zone)
					})
				},
			}, 1),
			leaf(&cli.Command{
				Name:      "set-contact",
				Usage:     "set whom notices go to at an organisation, besides its admins; the reason goes in the audit log",
				ArgsUsage: "ID",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "email", Usage: "the contact's address `E` (required)"},
					&cli.StringFlag{Name: "name", Usage: "the contact's `NAME`"},
					reasonFlag(reasonRequired),
				},
				Action: func(cctx *cli.Context) error {
					if err := required(cctx, "email", "reason"); err != nil {
						return err
					}
					id, err := domain.ParseOrgID(cctx.Args().Get(0))
					if err != nil {
						return err
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					org, err := svc.Subscriptions.SetContact(cctx.Context, c.operator(), id, cctx.String("email"), cctx.String("name"), cctx.String("reason"))
					if err != nil {
						return err
					}
					return c.print(cctx, toOrgJSON(org, svc.Zone), func(w io.Writer) {
						fmt.Fprintf(w, "Notices to organisation %s (%s) go to %s and its admins.\n", org.ID, org.Name, org.Contact.Email)
					})
				},
			}, 1),
		},
	}
}
