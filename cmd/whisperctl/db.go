package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/catalogue"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
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
			leaf(&cli.Command{
				Name:   "status",
				Usage:  "list the migrations applied and pending, and any a newer release applied",
				Action: c.dbStatus,
			}, 0),
		},
	}
}

// migrationOut is one migration in `db status --json`.
type migrationOut struct {
	Name      string     `json:"name"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
}

func migrationsOut(ms []store.Migration) []migrationOut {
	out := []migrationOut{}
	for _, m := range ms {
		mo := migrationOut{Name: m.Name}
		if !m.AppliedAt.IsZero() {
			at := m.AppliedAt.UTC()
			mo.AppliedAt = &at
		}
		out = append(out, mo)
	}
	return out
}

// dbStatus prints where the schema stands. It reads only, so it works on
// any schema: an old one, a newer release's, or none.
func (c *ctl) dbStatus(cctx *cli.Context) error {
	st, _, err := c.openStore(cctx)
	if err != nil {
		return err
	}
	status, err := st.SchemaStatus(cctx.Context)
	if err != nil {
		return err
	}
	verdict, err := schemaVerdict(cctx.Context, st, status)
	if err != nil {
		return err
	}
	return c.print(cctx, struct {
		Applied       []migrationOut `json:"applied"`
		Pending       []migrationOut `json:"pending"`
		Unknown       []migrationOut `json:"unknown"`
		LatestKnown   string         `json:"latest_known"`
		LatestApplied string         `json:"latest_applied"`
		UpToDate      bool           `json:"up_to_date"`
		Verdict       string         `json:"verdict"`
	}{migrationsOut(status.Applied), migrationsOut(status.Pending), migrationsOut(status.Unknown),
		status.Latest, status.LatestApplied(), len(status.Pending) == 0 && len(status.Unknown) == 0, verdict,
	}, func(w io.Writer) {
		for _, m := range status.Applied {
			fmt.Fprintf(w, "applied  %s  %s\n", m.Name, m.AppliedAt.UTC().Format(time.RFC3339))
		}
		for _, m := range status.Pending {
			fmt.Fprintf(w, "pending  %s\n", m.Name)
		}
		for _, m := range status.Unknown {
			fmt.Fprintf(w, "unknown  %s  %s  (applied by a newer release)\n", m.Name, m.AppliedAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintln(w, verdict)
	})
}

// schemaVerdict says in a sentence what status means for the operator:
// what every other command would say about this schema, if anything.
func schemaVerdict(ctx context.Context, st *store.Store, status store.SchemaStatus) (string, error) {
	err := st.CheckSchema(ctx)
	switch domain.KindOf(err) {
	case domain.KindConflict, domain.KindUnavailable:
		return catalogue.For(domain.English).Say(domain.SafeWords(err)), nil
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("The schema is up to date (%s).", status.Latest), nil
}

// openStore opens the configured store without checking its schema, for
// the commands that must work on any schema (status, backup). Like
// service, it never creates an embedded database.
func (c *ctl) openStore(cctx *cli.Context) (*store.Store, *config.Config, error) {
	cfg, err := c.config(cctx)
	if err != nil {
		return nil, nil, err
	}
	if !cfg.IsPostgres() {
		if _, err := os.Stat(cfg.SQLitePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, &domain.Error{Kind: domain.KindNotFound,
				Safe: domain.Say("there is no database at %s; check --database-url, or run `whisperctl db migrate` to create it", cfg.SQLitePath())}
		}
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := wire.OpenStore(cctx.Context, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	c.store = st
	return st, cfg, nil
}
