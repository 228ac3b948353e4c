package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to reach tables directly
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

type statusOut struct {
	Applied []struct {
		Name      string  `json:"name"`
		AppliedAt *string `json:"applied_at"`
	} `json:"applied"`
	Pending []struct {
		Name string `json:"name"`
	} `json:"pending"`
	Unknown []struct {
		Name string `json:"name"`
	} `json:"unknown"`
	LatestKnown   string `json:"latest_known"`
	LatestApplied string `json:"latest_applied"`
	UpToDate      bool   `json:"up_to_date"`
	Verdict       string `json:"verdict"`
}

// futureMigration is a migration no release knows yet.
const futureMigration = "20991231000099"

// emptyStores runs fn against an embedded database not yet made and an
// empty PostgreSQL database; driver and dsn reach its tables directly.
func emptyStores(t *testing.T, fn func(t *testing.T, c operator, driver, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "whisper.db")
		fn(t, operator{t: t, env: map[string]string{"WHISPER_DATABASE_URL": "sqlite:" + path}}, "sqlite", path)
	})
	t.Run("postgres", func(t *testing.T) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		url := pgtest.NewEmptyDatabase(t)
		fn(t, operator{t: t, env: map[string]string{
			"WHISPER_DATABASE_URL": url, "WHISPER_SECURITY_DATA_KEY": base64.StdEncoding.EncodeToString(key),
		}}, "pgx", url)
	})
}

func TestDBStatusBeforeAndAfterMigrating(t *testing.T) {
	emptyStores(t, func(t *testing.T, c operator, driver, dsn string) {
		if driver == "sqlite" {
			// Nothing there yet: status makes nothing either.
			assert.Contains(t, c.fails(exitNotFound, "db", "status"), "no database at")
		} else {
			var before statusOut
			c.ok(&before, "db", "status")
			assert.Empty(t, before.Applied)
			require.NotEmpty(t, before.Pending)
			assert.False(t, before.UpToDate)
			assert.Equal(t, before.Pending[len(before.Pending)-1].Name, before.LatestKnown)
			assert.Contains(t, before.Verdict, "whisperctl db migrate")
			assert.Contains(t, c.fails(exitUnavailable, "org", "list"), "holds no Whisper schema")
		}
		require.Equal(t, 0, c.run("", "db", "migrate").code)

		var after statusOut
		c.ok(&after, "db", "status")
		assert.True(t, after.UpToDate)
		assert.Empty(t, after.Pending)
		assert.Empty(t, after.Unknown)
		require.NotEmpty(t, after.Applied)
		assert.NotNil(t, after.Applied[0].AppliedAt)
		assert.Equal(t, after.LatestKnown, after.LatestApplied)
		text := c.run("", "db", "status")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "applied  "+after.LatestKnown)
		assert.Contains(t, text.stdout, "The schema is up to date ("+after.LatestKnown+").")
	})
}

// A release older than the schema refuses every command but status, and
// says which versions it found.
func TestRefusesASchemaNewerThanItKnows(t *testing.T) {
	emptyStores(t, func(t *testing.T, c operator, driver, dsn string) {
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		db, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		defer db.Close()
		_, err = db.ExecContext(context.Background(),
			"INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('"+futureMigration+"', 999, CURRENT_TIMESTAMP)")
		require.NoError(t, err)

		var status statusOut
		c.ok(&status, "db", "status")
		assert.False(t, status.UpToDate)
		require.Len(t, status.Unknown, 1)
		assert.Equal(t, futureMigration, status.Unknown[0].Name)
		assert.Equal(t, futureMigration, status.LatestApplied)
		for _, args := range [][]string{{"org", "list"}, {"db", "migrate"}} {
			msg := c.fails(exitConflict, args...)
			assert.Contains(t, msg, "newer than this release", args)
			assert.Contains(t, msg, futureMigration, args)
			assert.Contains(t, msg, status.LatestKnown, args)
		}
	})
}

func TestBackupRefusals(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		c := operator{t: t, env: map[string]string{
			"WHISPER_DATABASE_URL":      "postgres://postgres@127.0.0.1:1/none",
			"WHISPER_SECURITY_DATA_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32)),
		}}
		msg := c.fails(exitInvalid, "backup", "--out", filepath.Join(t.TempDir(), "b.db"))
		assert.Contains(t, msg, "pg_dump")
		assert.Contains(t, msg, "docs/operations.md")
	})
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		c := operator{t: t, env: map[string]string{"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(dir, "whisper.db")}}
		assert.Contains(t, c.fails(exitNotFound, "backup", "--out", filepath.Join(dir, "b.db")), "no database at")
		require.Equal(t, 0, c.run("", "db", "migrate").code)
		assert.Equal(t, exitUsage, c.run("", "backup").code, "--out is required")
		taken := filepath.Join(dir, "taken.db")
		require.NoError(t, os.WriteFile(taken, []byte("keep me"), 0o600))
		assert.Contains(t, c.fails(exitConflict, "backup", "--out", taken), "already exists")
		kept, err := os.ReadFile(taken)
		require.NoError(t, err)
		assert.Equal(t, "keep me", string(kept))

		r := c.run("", "backup", "--out", filepath.Join(dir, "b.db"))
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, filepath.Join(dir, "b.db"))
		assert.Contains(t, r.stdout, "The data key is not in the backup")
		assert.Contains(t, r.stdout, filepath.Join(dir, "whisper.db.key"), "names the key file to keep apart")
		assert.False(t, strings.Contains(r.stdout+r.stderr, "AAAA"), "never prints a key")
	})
}
