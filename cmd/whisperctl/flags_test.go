package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v2"
)

// leaves returns every command that acts, with the words that name it.
func leaves(cmds []*cli.Command, words []string) map[string]*cli.Command {
	out := map[string]*cli.Command{}
	for _, cmd := range cmds {
		path := append(append([]string{}, words...), cmd.Name)
		if cmd.Action != nil {
			out[strings.Join(path, " ")] = cmd
		}
		for k, v := range leaves(cmd.Subcommands, path) {
			out[k] = v
		}
	}
	return out
}

// Every command takes --config, --database-url and --json before its
// words, between them and after them: each command's action is swapped
// for one that records what urfave/cli parsed.
func TestCommonFlagsGoAnywhere(t *testing.T) {
	type parsed struct {
		config, databaseURL string
		json                bool
	}
	all := leaves((&ctl{}).app().Commands, nil)
	require.Contains(t, all, "org list")
	require.Contains(t, all, "block list")
	require.Contains(t, all, "block", "a command that acts and has a subcommand too")
	for name := range all {
		words := strings.Fields(name)
		lines := map[string][]string{
			"before": append([]string{"--database-url", "sqlite:x.db", "--json", "--config=c.yaml"}, words...),
			"after":  append(append([]string{}, words...), "--database-url", "sqlite:x.db", "--json", "--config=c.yaml"),
			"mixed":  append(append([]string{"--config", "c.yaml"}, words...), "--database-url=sqlite:x.db", "--json"),
		}
		if len(words) > 1 {
			lines["between"] = append(append([]string{words[0], "--json", "--config", "c.yaml"}, words[1:]...), "--database-url", "sqlite:x.db")
		}
		for where, line := range lines {
			a := (&ctl{}).app()
			var got parsed
			cmd := leaves(a.Commands, nil)[name]
			cmd.Action = func(cctx *cli.Context) error {
				got = parsed{cctx.String("config"), cctx.String("database-url"), cctx.Bool("json")}
				return nil
			}
			args := append([]string{"whisperctl"}, line...)
			require.NoError(t, a.RunContext(context.Background(), hoistFlags(a, args)), "%s: %q", where, args)
			assert.Equal(t, parsed{"c.yaml", "sqlite:x.db", true}, got, "%s: %q", where, args)
		}
	}
}

func TestHoistFlagsBeforeTheCommand(t *testing.T) {
	a := (&ctl{}).app()
	cases := map[string]struct{ in, want []string }{
		"before a two-word command": {
			[]string{"whisperctl", "--database-url", "sqlite:x.db", "org", "set-status", "org_x", "active", "--reason", "paid"},
			[]string{"whisperctl", "org", "set-status", "--database-url", "sqlite:x.db", "--reason", "paid", "--", "org_x", "active"},
		},
		"before a one-word command": {
			[]string{"whisperctl", "--json", "purge", "--dry-run"},
			[]string{"whisperctl", "purge", "--json", "--dry-run"},
		},
		"a command's own flag before it is left for urfave/cli to refuse": {
			[]string{"whisperctl", "--name", "A", "org", "create"},
			[]string{"whisperctl", "--name", "A", "org", "create"},
		},
		"help before a command": {
			[]string{"whisperctl", "--help", "org"},
			[]string{"whisperctl", "--help", "org"},
		},
		"a group, for its help": {
			[]string{"whisperctl", "--json", "org"},
			[]string{"whisperctl", "--json", "org"},
		},
	}
	for name, tc := range cases {
		assert.Equal(t, tc.want, hoistFlags(a, tc.in), name)
	}
}

// Through run, on both stores: --database-url and --config before the
// command, with nothing in the environment to fall back on.
func TestDatabaseURLAndConfigBeforeTheCommand(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		url := c.env["WHISPER_DATABASE_URL"]
		delete(c.env, "WHISPER_DATABASE_URL")
		var migrated struct{ Applied []string }
		c.ok(&migrated, "--database-url", url, "db", "migrate")
		var org orgOut
		c.ok(&org, "--database-url", url, "org", "create", "--name", "Flag Primary")

		file := filepath.Join(t.TempDir(), "whisper.yaml")
		require.NoError(t, os.WriteFile(file, []byte("database:\n  url: "+url+"\n"), 0o600))
		var list []orgOut
		c.ok(&list, "--config", file, "org", "list")
		require.Len(t, list, 1)
		assert.Equal(t, org.ID, list[0].ID)

		c.ok(&list, "org", "--config", file, "list")
		assert.Len(t, list, 1)
		r := c.run("", "--config", file, "--json", "org", "set-status", org.ID, "suspended", "--reason", "unpaid")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, `"suspended"`)
	})
}

// The real binary: --help exits 0 at every level, and a flag before the
// command is read.
func TestWhisperctlHelpExitsZero(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "whisperctl")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"org", "--help"}, {"org", "list", "--help"}, {"--database-url", "sqlite:x.db", "org", "list", "--help"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{}
		out, err := cmd.Output()
		require.NoError(t, err, "whisperctl %q", args)
		assert.Contains(t, string(out), "USAGE:", "whisperctl %q", args)
	}
	top, err := exec.Command(bin, "--help").Output()
	require.NoError(t, err)
	for _, want := range []string{"--database-url URL", "before or after its name", "WHISPER_CONFIG", "_FILE", "whisperd --help", `"Configuration"`} {
		assert.Contains(t, string(top), want)
	}

	missing := filepath.Join(t.TempDir(), "typo.db")
	cmd := exec.Command(bin, "--database-url", "sqlite:"+missing, "org", "list")
	cmd.Env = []string{}
	errOut, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, exitNotFound, exit.ExitCode())
	assert.Equal(t, "whisperctl: there is no database at "+missing+"; check --database-url, or run `whisperctl db migrate` to create it\n", string(errOut))
}
