package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
)

func (c *ctl) backupCommand() *cli.Command {
	return leaf(&cli.Command{
		Name:  "backup",
		Usage: "copy the embedded database, consistent, while whisperd keeps running (not the data key: keep that apart)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the new `FILE` to write (never overwritten)"},
		},
		Action: c.backup,
	}, 0)
}

// backup copies the embedded database to --out. It opens the store without
// checking its schema: a copy before an upgrade is exactly when one is
// wanted.
func (c *ctl) backup(cctx *cli.Context) error {
	if err := required(cctx, "out"); err != nil {
		return err
	}
	cfg, err := c.config(cctx)
	if err != nil {
		return err
	}
	if cfg.IsPostgres() {
		// Said before connecting, so it holds even when the server is down.
		return domain.Errorf(domain.KindInvalid,
			"whisperctl backup copies the embedded database only; back PostgreSQL up with pg_dump, pgBackRest or WAL-G as docs/operations.md describes (\"Backups and restore\")")
	}
	st, _, err := c.openStore(cctx)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(cctx.String("out"))
	if err != nil {
		return usagef("--out: %s", err)
	}
	if err := st.Backup(cctx.Context, out); err != nil {
		return err
	}
	info, err := os.Stat(out)
	if err != nil {
		return err
	}
	db, _ := filepath.Abs(cfg.SQLitePath())
	// Where the key is, so the reminder names the very file to keep apart.
	keyFile, key := "", "security.data_key (as configured)"
	if _, configured := cfg.DataKey(); !configured {
		keyFile, _ = filepath.Abs(seal.KeyFilePath(cfg.SQLitePath()))
		key = "the key file " + keyFile
	}
	return c.print(cctx, struct {
		Database string `json:"database"`
		Out      string `json:"out"`
		Bytes    int64  `json:"bytes"`
		KeyFile  string `json:"key_file,omitempty"`
		KeyNote  string `json:"key_note"`
	}{db, out, info.Size(), keyFile, keyNote(key)}, func(w io.Writer) {
		fmt.Fprintf(w, "Backed up %s to %s (%d bytes).\n", db, out, info.Size())
		fmt.Fprintln(w, keyNote(key))
	})
}

// keyNote is the reminder every backup prints: the copy is sealed under the
// data key, which it does not hold.
func keyNote(key string) string {
	return "The data key is not in the backup: keep " + key + " apart from it, as safely. Without the key the backup cannot be read; with it, everything in it can."
}
