package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
	"github.com/whisper-schools/whisper/domain"
)

// ctl is one invocation of whisperctl: its streams, and the store it opens
// on demand.
type ctl struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	store          *store.Store
	notFound       error
}

// commonFlags are taken by every command, after the command words.
func commonFlags(extra ...cli.Flag) []cli.Flag {
	return append(extra,
		&cli.StringFlag{Name: "config", Usage: "a YAML configuration `FILE` (default $WHISPER_CONFIG)"},
		&cli.StringFlag{Name: "database-url", Usage: "postgres://… or sqlite:PATH (default $WHISPER_DATABASE_URL, else sqlite:whisper.db)"},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON document instead of text"},
	)
}

func (c *ctl) app() *cli.App {
	return &cli.App{
		Name:            "whisperctl",
		Usage:           "operate a Whisper service: organisations, forms, inboxes, staff",
		Reader:          c.stdin,
		Writer:          c.stdout,
		ErrWriter:       c.stderr,
		HideHelpCommand: true,
		// Errors are printed once, by run, as one line with an exit code.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usagef("%s", err)
		},
		CommandNotFound: func(_ *cli.Context, name string) {
			c.notFound = usagef("no command %q; see whisperctl --help", name)
		},
		After: func(*cli.Context) error {
			if c.store != nil {
				return c.store.Close()
			}
			return c.notFound
		},
		Commands: []*cli.Command{
			c.dbCommand(),
			c.orgCommand(),
			c.formCommand(),
			c.inboxCommand(),
			c.staffCommand(),
			c.ssoCommand(),
			c.purgeCommand(),
			c.eraseCommand(),
			c.holdCommand(),
			c.dsarCommand(),
			c.rectifyCommand(),
			c.discloseCommand(),
			c.blockCommand(),
			c.unblockCommand(),
			c.exportCommand(),
			c.statsCommand(),
			c.auditCommand(),
			c.notifyCommand(),
			c.outboxCommand(),
		},
	}
}

// leaf finishes a command definition: the common flags, usage errors in one
// line, and no stray positional arguments unless it asks for them.
func leaf(cmd *cli.Command, positional int) *cli.Command {
	cmd.Flags = commonFlags(cmd.Flags...)
	cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usagef("%s", err) }
	action := cmd.Action
	cmd.Action = func(cctx *cli.Context) error {
		if n := cctx.Args().Len(); n != positional {
			if positional == 0 {
				return usagef("%s takes no arguments, got %q", cmd.FullName(), cctx.Args().Slice())
			}
			return usagef("%s takes %d arguments (%s), got %d", cmd.FullName(), positional, cmd.ArgsUsage, n)
		}
		return action(cctx)
	}
	return cmd
}

// config loads the layered configuration with this command's flags on top.
func (c *ctl) config(cctx *cli.Context) (*config.Config, error) {
	file := cctx.String("config")
	if file == "" {
		file = c.getenv("WHISPER_CONFIG")
	}
	overrides := map[string]any{}
	if cctx.IsSet("database-url") {
		overrides["database.url"] = cctx.String("database-url")
	}
	cfg, err := config.Load(config.Options{File: file, Getenv: c.getenv, Overrides: overrides})
	if err != nil {
		return nil, usagef("%s", err)
	}
	return cfg, nil
}

// service opens the store and returns the use cases over it. Unless
// migrating is the command's job, it refuses an out-of-date schema rather
// than write into it.
func (c *ctl) service(cctx *cli.Context, migrating bool) (*app.App, error) {
	cfg, err := c.config(cctx)
	if err != nil {
		return nil, err
	}
	if !migrating && !cfg.IsPostgres() {
		// Only migrating may create an embedded database (and its key): a
		// mistyped path must not leave an empty one behind.
		if _, err := os.Stat(cfg.SQLitePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, &domain.Error{Kind: domain.KindNotFound,
				Safe: domain.Say("there is no database at %s; check --database-url, or run `whisperctl db migrate` to create it", cfg.SQLitePath())}
		}
	}
	log := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := wire.OpenStore(cctx.Context, cfg, log)
	if err != nil {
		return nil, err
	}
	c.store = st
	if !migrating {
		pending, err := st.Pending(cctx.Context)
		if err != nil {
			return nil, err
		}
		if len(pending) > 0 {
			return nil, &domain.Error{Kind: domain.KindUnavailable,
				Safe: domain.Say("the database schema is not up to date; run `whisperctl db migrate` first")}
		}
	}
	zone, err := cfg.Zone()
	if err != nil {
		return nil, err
	}
	return app.New(app.Deps{
		Store: st, Clock: app.SystemClock{}, Random: rand.Reader,
		Hasher: passhash.New(passhash.DefaultParams(), 1), PublicURL: cfg.PublicURL,
		PhoneRegion: domain.PhoneRegion(cfg.SMS.DefaultRegion), Zone: zone,
	}), nil
}

// print writes v as JSON with --json, or text otherwise.
func (c *ctl) print(cctx *cli.Context, v any, text func(w io.Writer)) error {
	if cctx.Bool("json") {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(c.stdout)
	return nil
}

// hoistFlags moves flags given after positional arguments in front of them,
// since urfave/cli stops reading flags at the first argument and operators
// naturally type `org set-status ID active --json`.
func hoistFlags(a *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmds, i := a.Commands, 1
	var current *cli.Command
	for i < len(args) {
		next := findCommand(cmds, args[i])
		if next == nil {
			break
		}
		current, cmds = next, next.Subcommands
		i++
	}
	if current == nil || len(current.Subcommands) > 0 {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range current.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	out := append([]string{}, args[:i]...)
	var positional []string
	for ; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(arg) > 1 && strings.HasPrefix(arg, "-"):
			out = append(out, arg)
			name := strings.TrimLeft(arg, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		default:
			positional = append(positional, arg)
		}
	}
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, cmd := range cmds {
		if cmd.HasName(name) {
			return cmd
		}
	}
	return nil
}

// operator names who runs this command, for the audit log: the operating
// system's user, which an operator cannot choose on the command line.
func (c *ctl) operator() app.Operator {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return app.Operator{Name: u.Username}
	}
	return app.Operator{Name: "uid-" + strconv.Itoa(os.Getuid())}
}

// forOrg reads --org and opens the service, for the commands that act on
// one organisation; each checks first that its required flags are there.
func (c *ctl) forOrg(cctx *cli.Context) (domain.OrgID, *app.App, error) {
	org, err := domain.ParseOrgID(cctx.String("org"))
	if err != nil {
		return "", nil, err
	}
	svc, err := c.service(cctx, false)
	return org, svc, err
}
