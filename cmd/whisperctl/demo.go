package main

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/cmd/internal/demo"
)

// demoCommand creates the demo that `whisperd --demo` creates, for a
// whisperd run by a service manager: the admin's password goes to the
// operator's terminal, never to whisperd's log (the journal), where
// anyone who may read the logs would find it.
func (c *ctl) demoCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "demo",
		Usage: "on an empty database, create a demo organisation, form and admin, and print how to sign in",
		Description: "Prints the admin's password once, here. On a database that has data it creates nothing and says\n" +
			"how to sign in again or start afresh. The creation is audited under your operating system user.",
		Action: func(cctx *cli.Context) error {
			cfg, err := c.config(cctx)
			if err != nil {
				return err
			}
			svc, err := c.open(cctx, cfg, nil, false)
			if err != nil {
				return err
			}
			opts := demo.Options{Actor: c.operator().Actor(), Rerun: "start it and run whisperctl demo again"}
			res, err := demo.Seed(cctx.Context, svc, opts)
			if err != nil {
				return err
			}
			return c.print(cctx, res, func(w io.Writer) { demo.Write(w, cfg, res, opts) })
		},
	}, 0)
}
