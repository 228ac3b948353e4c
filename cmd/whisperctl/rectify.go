package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// rectifiedJSON is what a correction did: which field of which
// interaction, never the value.
type rectifiedJSON struct {
	Ref    string `json:"ref"`
	Action string `json:"action"`
	Field  string `json:"field"`
}

func (c *ctl) rectifyCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "rectify",
		Usage: "correct a reporter's email address, phone number or name on one interaction, at their request",
		Flags: []cli.Flag{
			refFlag(),
			&cli.StringFlag{Name: "email", Usage: "the reporter's correct email `ADDRESS`"},
			&cli.StringFlag{Name: "phone", Usage: "the reporter's correct phone `NUMBER`, e.g. 07700 900123 or +44 7700 900123"},
			&cli.StringFlag{Name: "name", Usage: "the reporter's correct `NAME`"},
			reasonFlag(reasonRequired),
		},
		Action: func(cctx *cli.Context) error {
			given := 0
			for _, name := range []string{"email", "phone", "name"} {
				if cctx.IsSet(name) {
					given++
				}
			}
			if given != 1 {
				return usagef("give exactly one of --email, --phone or --name, with its new value")
			}
			svc, ref, err := c.refRequest(cctx)
			if err != nil {
				return err
			}
			field, err := svc.Rights.Rectify(cctx.Context, c.operator(), app.Rectification{
				Ref: ref, Email: cctx.String("email"), Phone: cctx.String("phone"), Name: cctx.String("name"),
				Reason: cctx.String("reason"),
			})
			if err != nil {
				return err
			}
			return c.print(cctx, rectifiedJSON{Ref: string(ref), Action: domain.AuditRectify, Field: field}, func(w io.Writer) {
				fmt.Fprintf(w, "Corrected the reporter's %s on %s. Recorded in the audit log, without the value.\n", field, ref)
			})
		},
	}, 0)
}
