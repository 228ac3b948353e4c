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
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/logging"
	"github.com/whisper-schools/whisper/cmd/internal/version"
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

// commonFlags are taken by every command, before its words or after them
// (hoistFlags moves them).
func commonFlags(extra ...cli.Flag) []cli.Flag {
	return append(extra,
		&cli.StringFlag{Name: "config", Usage: "a YAML configuration `FILE` (default $WHISPER_CONFIG)"},
		&cli.StringFlag{Name: "database-url", Usage: "postgres://… or sqlite:PATH (default $WHISPER_DATABASE_URL, else sqlite:whisper.db)"},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON document instead of text"},
	)
}

// ctlDescription is the top of whisperctl --help: where the flags go and
// where the configuration comes from.
const ctlDescription = "Every command takes --config FILE, --database-url URL and --json, before or after its name.\n" +
	"It reads the configuration as whisperd does: the file (--config or WHISPER_CONFIG), then WHISPER_*\n" +
	"variables (each with a _FILE twin for secrets), then the flags; whisperd --help lists every variable,\n" +
	"and README.md, \"Configuration\", says what each means. Its own diagnostics go to standard error,\n" +
	"shaped by log.format and log.level. See whisperctl COMMAND --help for each command."

func (c *ctl) app() *cli.App {
	return &cli.App{
		Name:            "whisperctl",
		Version:         version.Get().String(),
		Usage:           "operate a Whisper service: organisations, forms, inboxes, staff",
		Description:     ctlDescription,
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
			c.backupCommand(),
			c.smsCommand(),
			c.keyCommand(),
			c.outboxCommand(),
			c.demoCommand(),
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
	return c.open(cctx, cfg, nil, migrating)
}

// serviceWith is service with keys instead of the configured keyring (key
// rotation's, with the new key primary).
func (c *ctl) serviceWith(cctx *cli.Context, cfg *config.Config, keys *seal.Keyring) (*app.App, error) {
	return c.open(cctx, cfg, keys, false)
}

func (c *ctl) open(cctx *cli.Context, cfg *config.Config, keys *seal.Keyring, migrating bool) (*app.App, error) {
	if !migrating && !cfg.IsPostgres() {
		// Only migrating may create an embedded database (and its key): a
		// mistyped path must not leave an empty one behind.
		if _, err := os.Stat(cfg.SQLitePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, &domain.Error{Kind: domain.KindNotFound,
				Safe: domain.Say("there is no database at %s; check --database-url, or run `whisperctl db migrate` to create it", cfg.SQLitePath())}
		}
	}
	log := slog.New(logging.Handler(c.stderr, cfg.Log))
	var st *store.Store
	var err error
	if keys != nil {
		st, err = wire.OpenStoreWith(cctx.Context, cfg, keys)
	} else {
		st, err = wire.OpenStore(cctx.Context, cfg, log)
	}
	if err != nil {
		return nil, err
	}
	c.store = st
	if !migrating {
		// Neither an old schema, nor a newer release's, nor an empty copy.
		if err := st.CheckSchema(cctx.Context); err != nil {
			return nil, err
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

// hoistFlags puts every flag where urfave/cli reads it: right after the
// command's words and before its arguments. urfave/cli reads a leaf
// command's flags only there, and the app itself has none, yet operators
// naturally type `whisperctl --database-url URL org list`, `whisperctl org
// --json list` and `org set-status ID active --json`. Before and between
// the command's words only the flags every command takes (--config,
// --database-url, --json) are recognised, since until the command is known
// so are its flags; after them, any. A line that names no command that acts
// (whisperctl --help, whisperctl org) is left alone, for urfave/cli's help.
func hoistFlags(a *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmds, i := a.Commands, 1
	var current *cli.Command
	var words, early []string
	for i < len(args) {
		arg := args[i]
		if isFlag(arg) {
			name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			if !isCommonFlag(name) {
				break
			}
			early = append(early, arg)
			if !hasValue && takesValue(nil, name) && i+1 < len(args) {
				early = append(early, args[i+1])
				i++
			}
			i++
			continue
		}
		next := findCommand(cmds, arg)
		if next == nil {
			break
		}
		current, cmds = next, next.Subcommands
		words = append(words, arg)
		i++
	}
	if current == nil || current.Action == nil {
		// No command, or a group of them (org, db): urfave/cli's help.
		return args
	}
	valued := map[string]bool{}
	for _, f := range current.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			valued[name] = !isBool
		}
	}
	out := append(append(append([]string{}, args[0]), words...), early...)
	var positional []string
	for ; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case isFlag(arg):
			out = append(out, arg)
			name := strings.TrimLeft(arg, "-")
			if !strings.Contains(name, "=") && valued[name] && i+1 < len(args) {
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

// isFlag reports whether arg is a flag rather than a word or a value.
func isFlag(arg string) bool { return len(arg) > 1 && strings.HasPrefix(arg, "-") }

// isCommonFlag reports whether name is one of the flags every command
// takes.
func isCommonFlag(name string) bool {
	for _, f := range commonFlags() {
		if slices.Contains(f.Names(), name) {
			return true
		}
	}
	return false
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
