package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
)

// rotationBatch is how many rows of a table one transaction of a rotation
// re-seals: small enough that the rows it locks are held for milliseconds
// while whisperd serves beside it.
const rotationBatch = 200

func (c *ctl) keyCommand() *cli.Command {
	return &cli.Command{
		Name:  "key",
		Usage: "the data key: rotate it, and see how far a rotation has gone",
		Subcommands: []*cli.Command{
			leaf(&cli.Command{
				Name:  "rotate",
				Usage: "re-seal every sealed value and blind index under a new key, in batches, while whisperd serves (see docs/operations.md, \"Rotating the data key\")",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "new-key-file", Usage: "the `FILE` holding the new key (base64 of 32 bytes, mode 0600)"},
					&cli.StringFlag{Name: "reason", Usage: "why, for the audit log"},
				},
				Action: c.keyRotate,
			}, 0),
			leaf(&cli.Command{
				Name:   "status",
				Usage:  "how far the rotation has gone: rows done and total per table, and which key is current",
				Action: c.keyStatus,
			}, 0),
		},
	}
}

func (c *ctl) keyRotate(cctx *cli.Context) error {
	if err := required(cctx, "new-key-file", "reason"); err != nil {
		return err
	}
	newKey, err := seal.ReadKeyFile(cctx.String("new-key-file"))
	if err != nil {
		return usagef("--new-key-file: %v", err)
	}
	cfg, err := c.config(cctx)
	if err != nil {
		return err
	}
	keys, err := wire.RotationKeyring(cfg, newKey)
	if err != nil {
		return usagef("%v", err)
	}
	if _, err := c.serviceWith(cctx, cfg, keys); err != nil {
		return err
	}
	actor, reason := c.operator().Actor(), cctx.String("reason")
	resumed, err := c.store.BeginRotation(cctx.Context, actor, reason)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	log.Info("rotating the data key", slog.String("to", keys.Fingerprint()), slog.Bool("resumed", resumed))
	for pass := 1; ; pass++ {
		for {
			step, done, err := c.store.RotateBatch(cctx.Context, rotationBatch)
			if err != nil {
				return err
			}
			if done {
				break
			}
			if step.Finished {
				log.Info("table re-sealed", slog.String("table", step.Table), slog.Int64("rows", step.Done))
			}
		}
		again, err := c.store.FinishRotation(cctx.Context, actor, reason)
		if err != nil {
			return err
		}
		if len(again) == 0 {
			break
		}
		// Rows sealed under the old key meanwhile: an instance without
		// the new key is still writing. It fails /readyz; stop it.
		log.Warn("values sealed under the old key were written during the rotation; an instance without the new key is still running (its /readyz answers 503): stop it",
			slog.Any("tables", again))
		if pass == 3 {
			return domain.Errorf(domain.KindConflict, "values are still being sealed under the old key after %d passes; give every instance the new key, then run whisperctl key rotate again", pass)
		}
	}
	return c.printStatus(cctx)
}

func (c *ctl) keyStatus(cctx *cli.Context) error {
	if _, err := c.service(cctx, false); err != nil {
		return err
	}
	return c.printStatus(cctx)
}

func (c *ctl) printStatus(cctx *cli.Context) error {
	st, err := c.store.RotationStatus(cctx.Context)
	if err != nil {
		return err
	}
	type table struct {
		Table    string `json:"table"`
		Done     int64  `json:"done"`
		Total    int64  `json:"total"`
		Finished bool   `json:"finished"`
	}
	out := struct {
		Current string   `json:"current"`
		Retired []string `json:"retired"`
		Done    bool     `json:"done"`
		Tables  []table  `json:"tables"`
	}{Current: st.Current, Retired: append([]string{}, st.Retired...), Done: st.Done, Tables: []table{}}
	for _, t := range st.Tables {
		out.Tables = append(out.Tables, table{t.Table, t.Done, t.Total, t.Finished})
	}
	return c.print(cctx, out, func(w io.Writer) { printRotation(w, st) })
}

func printRotation(w io.Writer, st store.RotationStatus) {
	fmt.Fprintf(w, "current key: %s\n", st.Current)
	for _, fp := range st.Retired {
		fmt.Fprintf(w, "retired key: %s (its index key is kept in the database)\n", fp)
	}
	for _, t := range st.Tables {
		state := "in progress"
		if t.Finished {
			state = "done"
		}
		fmt.Fprintf(w, "%-20s %d / %d rows  %s\n", t.Table, t.Done, t.Total, state)
	}
	switch {
	case len(st.Tables) == 0:
		fmt.Fprintln(w, "No rotation has been made under this key.")
	case st.Done:
		fmt.Fprintln(w, "Rotation done: remove the old key from security.old_data_keys and restart each instance.")
	default:
		fmt.Fprintln(w, "Rotation not finished: run `whisperctl key rotate` again with the same --new-key-file to carry on.")
	}
}
