package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
)

func (c *ctl) dbCommand() *cli.Command {
	return &cli.Command{
		Name:  "db",
		Usage: "manage the database",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "migrate",
				Usage: "bring the schema up to date (whisperd also does this when it starts)",
				Action: func(cctx *cli.Context) error {
					if _, err := c.service(cctx, true); err != nil {
						return err
					}
					applied, err := c.store.Migrate(cctx.Context)
					if err != nil {
						return err
					}
					return c.print(cctx, struct {
						Applied []string `json:"applied"`
					}{append([]string{}, applied...)}, func(w io.Writer) {
						if len(applied) == 0 {
							fmt.Fprintln(w, "The schema is up to date.")
							return
						}
						for _, name := range applied {
							fmt.Fprintln(w, "applied", name)
						}
					})
				},
			}, 0),
		},
	}
}
