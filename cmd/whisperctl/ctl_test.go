package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/domain"
)

// operator runs whisperctl commands against one database, as an operator would.
type operator struct {
	t   *testing.T
	env map[string]string
}

type result struct {
	code   int
	stdout string
	stderr string
}

func (c operator) run(stdin string, args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"whisperctl"}, args...), strings.NewReader(stdin), &out, &errOut,
		func(k string) string { return c.env[k] })
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// ok runs a command that must succeed and decodes its --json output.
func (c operator) ok(v any, args ...string) {
	c.t.Helper()
	r := c.run("", append(args, "--json")...)
	require.Equal(c.t, 0, r.code, "whisperctl %v: %s", args, r.stderr)
	require.NoError(c.t, json.Unmarshal([]byte(r.stdout), v), r.stdout)
}

// fails runs a command that must fail with code, one line on stderr.
func (c operator) fails(code int, args ...string) string {
	c.t.Helper()
	r := c.run("", args...)
	assert.Equal(c.t, code, r.code, "whisperctl %v: stderr %q", args, r.stderr)
	assert.Equal(c.t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	assert.True(c.t, strings.HasPrefix(r.stderr, "whisperctl: "), r.stderr)
	assert.Empty(c.t, r.stdout)
	return r.stderr
}

// eachStore runs fn against a new embedded database and a new PostgreSQL
// database. Not in parallel: urfave/cli applies one package-level help flag
// to every app, so two apps running at once race on it.
func eachStore(t *testing.T, fn func(t *testing.T, c operator)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, operator{t: t, env: map[string]string{
			"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "whisper.db"),
			"WHISPER_PUBLIC_URL":   "https://whisper.example.org",
		}})
	})
	t.Run("postgres", func(t *testing.T) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		fn(t, operator{t: t, env: map[string]string{
			"WHISPER_DATABASE_URL":      pgtest.NewDatabase(t),
			"WHISPER_SECURITY_DATA_KEY": base64.StdEncoding.EncodeToString(key),
			"WHISPER_PUBLIC_URL":        "https://whisper.example.org",
		}})
	})
}

type orgOut struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	RetentionMonths int    `json:"retention_months"`
	TrialEndsAt     string `json:"trial_ends_at"`
}

func TestOperatorSetsUpASchool(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		var migrated struct{ Applied []string }
		c.ok(&migrated, "db", "migrate")
		// pgtest databases arrive migrated; a new SQLite file does not.
		c.ok(&migrated, "db", "migrate")
		assert.Empty(t, migrated.Applied, "the second run has nothing to do")

		var org orgOut
		c.ok(&org, "org", "create", "--name", "Oakfield Primary", "--retention-months", "24", "--trial-days", "30")
		assert.Regexp(t, `^org_[a-z2-7]{20}$`, org.ID)
		assert.Equal(t, "trial", org.Status)
		assert.Equal(t, 24, org.RetentionMonths)
		assert.NotEmpty(t, org.TrialEndsAt)

		var form struct{ ID, Code, URL, InboxID string }
		var formJSON map[string]any
		c.ok(&formJSON, "form", "create", "--org", org.ID, "--name", "Oakfield", "--code", "oak1")
		raw, _ := json.Marshal(formJSON)
		require.NoError(t, json.Unmarshal(raw, &form))
		assert.Equal(t, "OAK1", form.Code)
		assert.Equal(t, "https://whisper.example.org/r/OAK1", form.URL)
		assert.Contains(t, formJSON, "inbox_id", "snake_case keys")
		assert.Regexp(t, `^inb_`, formJSON["inbox_id"])
		assert.Contains(t, formJSON["snippet"], `<a href="https://whisper.example.org/r/OAK1"`)

		var inbox struct {
			ID       string
			Position int
			Notify   []string
		}
		c.ok(&inbox, "inbox", "create", "--form", form.ID, "--name", "Online worries", "--notify", "dsl@oakfield.example,head@oakfield.example")
		assert.Equal(t, 1, inbox.Position)
		assert.Equal(t, []string{"dsl@oakfield.example", "head@oakfield.example"}, inbox.Notify)

		var invited struct {
			ID             string
			Role           string
			InboxIDs       []string `json:"inbox_ids"`
			SetPasswordURL string   `json:"set_password_url"`
		}
		c.ok(&invited, "staff", "create", "--org", org.ID, "--email", "dsl@oakfield.example", "--first-name", "Alex",
			"--inbox", formJSON["inbox_id"].(string), "--inbox", inbox.ID)
		assert.Equal(t, "staff", invited.Role)
		assert.ElementsMatch(t, []string{formJSON["inbox_id"].(string), inbox.ID}, invited.InboxIDs)
		assert.True(t, strings.HasPrefix(invited.SetPasswordURL, "https://whisper.example.org/staff/set-password/"), invited.SetPasswordURL)

		r := c.run("a long enough passphrase\n", "staff", "create", "--org", org.ID, "--email", "head@oakfield.example",
			"--first-name", "Sam", "--role", "admin", "--password-stdin", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "set_password_url")
		assert.NotContains(t, r.stdout, "passphrase")

		// Flags may follow the arguments, as people type them.
		var suspended orgOut
		c.ok(&suspended, "org", "set-status", org.ID, "SUSPENDED", "--reason", "unpaid since March")
		assert.Equal(t, "suspended", suspended.Status)
		assert.Empty(t, suspended.TrialEndsAt)

		var list []orgOut
		c.ok(&list, "org", "list")
		require.Len(t, list, 1)
		assert.Equal(t, suspended.ID, list[0].ID)

		text := c.run("", "org", "list")
		require.Equal(t, 0, text.code)
		assert.Contains(t, text.stdout, "Oakfield Primary")
		assert.Contains(t, text.stdout, "suspended")
	})
}

func TestOperatorMistakesChangeNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var org orgOut
		c.ok(&org, "org", "create", "--name", "Oakfield Primary")
		var form struct{ ID, Code string }
		c.ok(&form, "form", "create", "--org", org.ID, "--name", "Oakfield", "--code", "OAK9")

		c.fails(exitUsage, "org", "create")
		c.fails(exitUsage, "org", "create", "--name", "X", "--bogus")
		c.fails(exitUsage, "org", "create", "--name", "X", "--retention-months", "twelve")
		c.fails(exitUsage, "org", "frobnicate")
		c.fails(exitUsage, "org", "set-status", org.ID)
		assert.Contains(t, c.fails(exitUsage, "org", "set-status", org.ID, "active"), "--reason is required")
		c.fails(exitUsage, "org", "set-status", org.ID, "active", "--reason", "  ")
		c.fails(exitUsage, "form", "create", "--org", org.ID)
		c.fails(exitUsage, "staff", "create", "--org", org.ID, "--email", "a@b.example", "--first-name", "A", "--password-stdin")
		assert.Contains(t, c.fails(exitInvalid, "org", "create", "--name", "X", "--retention-months", "7"), "6, 12, 24 or 36")
		c.fails(exitInvalid, "org", "set-status", org.ID, "closed", "--reason", "r")
		c.fails(exitInvalid, "org", "set-status", "frm_aaaaaaaaaaaaaaaaaaaa", "active", "--reason", "r")
		c.fails(exitInvalid, "form", "create", "--org", org.ID, "--name", "X", "--code", "BAD CODE")
		c.fails(exitInvalid, "inbox", "create", "--form", form.ID, "--name", "X", "--notify", "not-an-address")
		c.fails(exitInvalid, "staff", "create", "--org", org.ID, "--email", "a@b.example", "--first-name", "A", "--role", "owner")
		c.fails(exitNotFound, "org", "set-status", "org_aaaaaaaaaaaaaaaaaaaa", "active", "--reason", "r")
		c.fails(exitNotFound, "form", "create", "--org", "org_aaaaaaaaaaaaaaaaaaaa", "--name", "X", "--code", "GHOST1")
		c.fails(exitNotFound, "inbox", "create", "--form", "frm_aaaaaaaaaaaaaaaaaaaa", "--name", "X")
		assert.Contains(t, c.fails(exitConflict, "form", "create", "--org", org.ID, "--name", "Again", "--code", "oak9"), "OAK9")

		r := c.run("short\n", "staff", "create", "--org", org.ID, "--email", "a@b.example", "--first-name", "A", "--password-stdin")
		assert.Equal(t, exitInvalid, r.code, r.stderr)

		var list []orgOut
		c.ok(&list, "org", "list")
		assert.Len(t, list, 1, "no refused command wrote an organisation")
		assert.Equal(t, "active", list[0].Status)
	})
}

func TestRefusesAMissingOrUnmigratedDatabase(t *testing.T) {
	dir := t.TempDir()
	c := operator{t: t, env: map[string]string{"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(dir, "typo.db")}}
	assert.Contains(t, c.fails(exitNotFound, "org", "list"), "no database at")
	_, err := os.Stat(filepath.Join(dir, "typo.db"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "a mistyped path leaves nothing behind")
	_, err = os.Stat(filepath.Join(dir, "typo.db.key"))
	assert.ErrorIs(t, err, fs.ErrNotExist)

	// A file with no schema that was there before: a plain copy of a
	// running database can be one. Migrating it would make an empty
	// database that passes for the copy, so nothing advises that.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "copy.db"), nil, 0o600))
	c.env["WHISPER_DATABASE_URL"] = "sqlite:" + filepath.Join(dir, "copy.db")
	// Restored with its key, as a copy would be.
	c.env["WHISPER_SECURITY_DATA_KEY"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, args := range [][]string{{"org", "list"}, {"db", "migrate"}} {
		msg := c.fails(exitConflict, args...)
		assert.Contains(t, msg, "holds no Whisper schema", args)
		assert.Contains(t, msg, "do not migrate it", args)
	}

	// A database from an older release, not yet migrated.
	c.env["WHISPER_DATABASE_URL"] = "sqlite:" + filepath.Join(dir, "old.db")
	require.Equal(t, 0, c.run("", "db", "migrate").code)
	db, err := sql.Open("sqlite", filepath.Join(dir, "old.db"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec("DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations)")
	require.NoError(t, err)
	r := c.run("", "org", "list")
	assert.Equal(t, exitUnavailable, r.code)
	assert.Contains(t, r.stderr, "run `whisperctl db migrate` first")
}

func TestPostgresNeedsADataKey(t *testing.T) {
	c := operator{t: t, env: map[string]string{"WHISPER_DATABASE_URL": "postgres://postgres@127.0.0.1:1/none"}}
	msg := c.fails(exitUsage, "org", "list")
	assert.Contains(t, msg, "data_key")
}

func TestExitCodes(t *testing.T) {
	for kind, code := range map[domain.Kind]int{
		domain.KindInternal: exitInternal, domain.KindInvalid: exitInvalid, domain.KindNotFound: exitNotFound,
		domain.KindConflict: exitConflict, domain.KindForbidden: exitForbidden, domain.KindUnavailable: exitUnavailable,
	} {
		assert.Equal(t, code, exitCode(&domain.Error{Kind: kind}), kind.String())
	}
	assert.Equal(t, exitUsage, exitCode(usagef("bad")))
	assert.Equal(t, exitOK, exitCode(nil))
}

func TestHoistFlags(t *testing.T) {
	c := &ctl{}
	a := c.app()
	cases := map[string]struct{ in, want []string }{
		"flags after arguments": {
			[]string{"whisperctl", "org", "set-status", "org_x", "active", "--json", "--database-url", "sqlite:x.db"},
			[]string{"whisperctl", "org", "set-status", "--json", "--database-url", "sqlite:x.db", "--", "org_x", "active"},
		},
		"already in front": {
			[]string{"whisperctl", "org", "create", "--name", "A B"},
			[]string{"whisperctl", "org", "create", "--name", "A B"},
		},
		"a value that looks like an argument stays with its flag": {
			[]string{"whisperctl", "org", "set-status", "--config", "c.yaml", "org_x", "ended"},
			[]string{"whisperctl", "org", "set-status", "--config", "c.yaml", "--", "org_x", "ended"},
		},
		"not a command": {
			[]string{"whisperctl", "--help"},
			[]string{"whisperctl", "--help"},
		},
	}
	for name, tc := range cases {
		assert.Equal(t, tc.want, hoistFlags(a, tc.in), name)
	}
}
