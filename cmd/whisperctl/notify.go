package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// maxNoticeFile bounds the body file read: a notice is a few paragraphs.
const maxNoticeFile = 1 << 20

func (c *ctl) notifyCommand() *cli.Command {
	return leaf(&cli.Command{
		Name: "notify",
		Usage: "email a notice (planned maintenance, a change to the terms) to the contact and admins of one organisation or of all " +
			"not ended, through the outbox; the reason goes in the audit log",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "subject", Usage: "the email's subject `S` (required)"},
			&cli.StringFlag{Name: "body-file", Usage: "a plain-text `FILE` holding the body (required)"},
			&cli.StringFlag{Name: "subject-cy", Usage: "the subject `S` in Welsh, for admins who read Whisper in Welsh (with --body-file-cy)"},
			&cli.StringFlag{Name: "body-file-cy", Usage: "a plain-text `FILE` holding the body in Welsh (with --subject-cy)"},
			&cli.StringFlag{Name: "org", Usage: "the one organisation `ID` to tell"},
			&cli.BoolFlag{Name: "all", Usage: "tell every organisation on trial, active or suspended"},
			reasonFlag(reasonRequired),
		},
		Action: func(cctx *cli.Context) error {
			if err := required(cctx, "subject", "body-file", "reason"); err != nil {
				return err
			}
			if cctx.Bool("all") == cctx.IsSet("org") {
				return usagef("give --org ID or --all, not both or neither")
			}
			var org domain.OrgID
			if cctx.IsSet("org") {
				var err error
				if org, err = domain.ParseOrgID(cctx.String("org")); err != nil {
					return err
				}
			}
			body, err := readNoticeBody(cctx.String("body-file"))
			if err != nil {
				return err
			}
			if cctx.IsSet("subject-cy") != cctx.IsSet("body-file-cy") {
				return usagef("give --subject-cy and --body-file-cy together, or neither")
			}
			var welshBody string
			if cctx.IsSet("body-file-cy") {
				if welshBody, err = readNoticeBody(cctx.String("body-file-cy")); err != nil {
					return err
				}
			}
			svc, err := c.service(cctx, false)
			if err != nil {
				return err
			}
			out, err := svc.Subscriptions.Notify(cctx.Context, c.operator(), app.Notice{
				Subject: cctx.String("subject"), Body: body, WelshSubject: cctx.String("subject-cy"), WelshBody: welshBody, OrgID: org, All: cctx.Bool("all"), Reason: cctx.String("reason"),
			})
			if err != nil {
				return err
			}
			return c.print(cctx, struct {
				Orgs   int `json:"orgs"`
				Emails int `json:"emails"`
			}{out.Orgs, out.Emails}, func(w io.Writer) {
				fmt.Fprintf(w, "Queued %d emails to %d organisations.\n", out.Emails, out.Orgs)
			})
		},
	}, 0)
}

// readNoticeBody reads the body file, refusing one missing or too large.
func readNoticeBody(name string) (string, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", usagef("--body-file: %s does not exist", name)
	}
	if err != nil {
		return "", usagef("--body-file: %s", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxNoticeFile+1))
	if err != nil {
		return "", usagef("--body-file: %s", err)
	}
	if len(b) > maxNoticeFile {
		return "", usagef("--body-file: %s is over %d bytes", name, maxNoticeFile)
	}
	return string(b), nil
}
