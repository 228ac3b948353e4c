package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every flag value and argument that holds a NUL or bytes that are not
// UTF-8 exits 3 naming it, before anything is opened or changed: a NUL in a
// name reached PostgreSQL as a 500-like internal failure, and a bad byte in
// --database-url could create a stray database file.
func TestBadBytesInArgumentsExitInvalidByName(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		var org orgOut
		c.ok(&org, "org", "create", "--name", "Oakfield Primary")
		var form struct{ ID, Code string }
		c.ok(&form, "form", "create", "--org", org.ID, "--name", "Oakfield", "--code", "OAK9")

		for _, bad := range []string{"a\x00b", "a\xffb"} {
			for _, tc := range []struct {
				args []string
				name string
			}{
				{[]string{"org", "create", "--name", bad}, "--name"},
				{[]string{"org", "create", "--name=" + bad}, "--name"},
				{[]string{"org", "create", "--name", "X", "--retention-months", "12" + bad}, "--retention-months"},
				{[]string{"org", "set-status", org.ID, bad}, "STATUS"},
				{[]string{"org", "set-status", bad, "active"}, "ID"},
				{[]string{"org", "set-status", org.ID, "active", "--json", "--", bad}, "argument 3"},
				{[]string{"form", "create", "--org", org.ID, "--name", bad, "--code", "NEW1"}, "--name"},
				{[]string{"form", "create", "--org", org.ID, "--name", "N", "--code", bad}, "--code"},
				{[]string{"inbox", "create", "--form", form.ID, "--name", bad}, "--name"},
				{[]string{"inbox", "create", "--form", form.ID, "--name", "X", "--notify", "a@b.example," + bad}, "--notify"},
				{[]string{"staff", "create", "--org", org.ID, "--email", "nia" + bad + "@oak.example", "--first-name", "Nia"}, "--email"},
				{[]string{"staff", "create", "--org", org.ID, "--email", "nia@oak.example", "--first-name", bad}, "--first-name"},
				{[]string{"staff", "create", "--org", org.ID, "--email", "nia@oak.example", "--first-name", "Nia", "--last-name", bad}, "--last-name"},
				{[]string{"staff", "create", "--org", org.ID, "--email", "nia@oak.example", "--first-name", "Nia", "--inbox", bad}, "--inbox"},
				{[]string{"org", "list", "--config", bad}, "--config"},
				{[]string{"--database-url", bad, "org", "list"}, "--database-url"},
				{[]string{"org", "list", "--" + bad}, `a flag's name (a\x`},
				{[]string{"org" + bad, "list"}, "argument 1"},
			} {
				msg := c.fails(exitInvalid, tc.args...)
				assert.Contains(t, msg, tc.name, "%q", tc.args)
				assert.Contains(t, msg, " holds a NUL byte or bytes that are not UTF-8", "%q", tc.args)
			}
		}

		// A password on standard input is checked as well, before the store
		// is opened.
		r := c.run("a long enough\x00passphrase\n", "staff", "create", "--org", org.ID, "--email", "nia@oak.example",
			"--first-name", "Nia", "--password-stdin")
		assert.Equal(t, exitInvalid, r.code, r.stderr)
		assert.Contains(t, r.stderr, "standard input")

		var list []orgOut
		c.ok(&list, "org", "list")
		require.Len(t, list, 1, "no refused command wrote an organisation")
		assert.Equal(t, "active", list[0].Status)
		var nia struct{ ID string }
		c.ok(&nia, "staff", "create", "--org", org.ID, "--email", "nia@oak.example", "--first-name", "Nia")
		assert.NotEmpty(t, nia.ID, "no refused command created Nia")
	})
}

func TestABadDatabaseURLCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	c := operator{t: t, env: map[string]string{}}
	msg := c.fails(exitInvalid, "db", "migrate", "--database-url", "sqlite:"+filepath.Join(dir, "a\xffb.db"))
	assert.Contains(t, msg, "--database-url")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no database or key file was made")
}
