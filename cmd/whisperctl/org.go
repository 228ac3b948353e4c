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
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	RetentionMonths int        `json:"retention_months"`
	TrialEndsAt     *time.Time `json:"trial_ends_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
}

func toOrgJSON(o *domain.Organisation) orgJSON {
	return orgJSON{
		ID: string(o.ID), Name: o.Name, Status: string(o.Status), RetentionMonths: int(o.Retention),
		TrialEndsAt: o.TrialEndsAt, CreatedAt: o.CreatedAt,
	}
}

func printOrgs(w io.Writer, orgs []*domain.Organisation) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tRETENTION\tCREATED")
	for _, o := range orgs {
		status := string(o.Status)
		if o.TrialEndsAt != nil {
			status += " until " + o.TrialEndsAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d months\t%s\n", o.ID, o.Name, status, o.Retention, o.CreatedAt.Format(time.DateOnly))
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
						Actor: c.operator().Actor(),
					})
					if err != nil {
						return err
					}
					return c.print(cctx, toOrgJSON(org), func(w io.Writer) {
						fmt.Fprintf(w, "Created organisation %s (%s), %s, keeping personal data %d months.\n", org.ID, org.Name, org.Status, org.Retention)
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
						out[i] = toOrgJSON(o)
					}
					return c.print(cctx, out, func(w io.Writer) { printOrgs(w, orgs) })
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
					return c.print(cctx, toOrgJSON(org), func(w io.Writer) {
						fmt.Fprintf(w, "Organisation %s (%s) is now %s.\n", org.ID, org.Name, org.Status)
					})
				},
			}, 2),
		},
	}
}
