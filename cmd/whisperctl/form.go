package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// formJSON is a new form as whisperctl prints it.
type formJSON struct {
	ID      string `json:"id"`
	OrgID   string `json:"org_id"`
	Name    string `json:"name"`
	Code    string `json:"code"`
	URL     string `json:"url"`
	InboxID string `json:"inbox_id"`
	// Snippet is the HTML link a school pastes into its own website.
	Snippet string `json:"snippet"`
}

// inboxJSON is a new inbox as whisperctl prints it.
type inboxJSON struct {
	ID       string   `json:"id"`
	FormID   string   `json:"form_id"`
	Name     string   `json:"name"`
	Notify   []string `json:"notify"`
	Position int      `json:"position"`
}

func (c *ctl) formCommand() *cli.Command {
	return &cli.Command{
		Name:  "form",
		Usage: "manage forms (a school's page and SMS code)",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "create",
				Usage: "create a form with one inbox named General",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "org", Usage: "the organisation's `ID` (required)"},
					&cli.StringFlag{Name: "name", Usage: "the form's name, usually the school's (required)"},
					&cli.StringFlag{Name: "code", Usage: "the URL and SMS `CODE`: 3–12 letters and digits (default: made from the name)"},
				},
				Action: func(cctx *cli.Context) error {
					if cctx.String("org") == "" || cctx.String("name") == "" {
						return usagef("--org and --name are required")
					}
					org, svc, err := c.forOrg(cctx)
					if err != nil {
						return err
					}
					out, err := svc.Operations.CreateForm(cctx.Context, app.CreateForm{OrgID: org, Name: cctx.String("name"), Code: cctx.String("code"), Actor: c.operator().Actor()})
					if err != nil {
						return err
					}
					f := out.Form
					return c.print(cctx, formJSON{
						ID: string(f.ID), OrgID: string(f.OrgID), Name: f.Name, Code: string(f.Code), URL: out.URL, InboxID: string(out.Inbox.ID),
						Snippet: svc.Links.FormSnippet(f),
					}, func(w io.Writer) {
						fmt.Fprintf(w, "Created form %s (%s).\n  Code:  %s (texts start with it)\n  URL:   %s\n  Inbox: %s (%s)\nFor the school's website:\n  %s\n",
							f.ID, f.Name, f.Code, out.URL, out.Inbox.ID, out.Inbox.Name, svc.Links.FormSnippet(f))
					})
				},
			}, 0),
		},
	}
}

func (c *ctl) inboxCommand() *cli.Command {
	return &cli.Command{
		Name:  "inbox",
		Usage: "manage inboxes (report categories)",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "create",
				Usage: "add an inbox to a form",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "form", Usage: "the form's `ID` (required)"},
					&cli.StringFlag{Name: "name", Usage: "the inbox's name, shown to reporters as a category (required)"},
					&cli.StringFlag{Name: "notify", Usage: "comma-separated addresses told of new reports (`a@x,b@y`)"},
				},
				Action: func(cctx *cli.Context) error {
					if cctx.String("form") == "" || cctx.String("name") == "" {
						return usagef("--form and --name are required")
					}
					form, err := domain.ParseFormID(cctx.String("form"))
					if err != nil {
						return err
					}
					svc, err := c.service(cctx, false)
					if err != nil {
						return err
					}
					var notify []string
					if s := cctx.String("notify"); s != "" {
						notify = strings.Split(s, ",")
					}
					ib, err := svc.Operations.CreateInbox(cctx.Context, app.CreateInbox{FormID: form, Name: cctx.String("name"), Notify: notify, Actor: c.operator().Actor()})
					if err != nil {
						return err
					}
					return c.print(cctx, inboxJSON{
						ID: string(ib.ID), FormID: string(ib.FormID), Name: ib.Name, Notify: append([]string{}, ib.Notify...), Position: ib.Position,
					}, func(w io.Writer) {
						fmt.Fprintf(w, "Created inbox %s (%s) on form %s.\n", ib.ID, ib.Name, ib.FormID)
					})
				},
			}, 0),
		},
	}
}
