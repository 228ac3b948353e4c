package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
)

// TestOperatorBehindAPooler runs an operator's commands through PgBouncer
// in transaction mode (WHISPER_TEST_POOLER_URL) on an empty database:
// migrate, set up a school, find a subject's report, a purge refused while
// whisperd's sweep holds the purge's lease and run once it lets go, and an
// intact audit log; no lease is left behind.
func TestOperatorBehindAPooler(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c := operator{t: t, env: map[string]string{
		"WHISPER_DATABASE_URL":      pgtest.NewPoolerDatabase(t),
		"WHISPER_SECURITY_DATA_KEY": base64.StdEncoding.EncodeToString(key),
		"WHISPER_PUBLIC_URL":        "https://whisper.example.org",
	}}
	var migrated struct{ Applied []string }
	c.ok(&migrated, "db", "migrate")
	assert.NotEmpty(t, migrated.Applied, "an empty database, migrated through the pooler")
	s := c.school()
	pupils := c.reporters(s.Code)
	pupils.clock.at = time.Now().UTC().AddDate(-2, 0, 0)
	old := string(pupils.report("Old", "old@pupil.example", "198.51.100.1", "Two years ago."))

	var found dsarJSON
	c.ok(&found, "dsar", "--reason", "subject access request", "--email", "old@pupil.example")
	require.Len(t, found.Interactions, 1)
	assert.Equal(t, old, found.Interactions[0].Ref)

	cfg, err := config.Load(config.Options{Getenv: func(k string) string { return c.env[k] }})
	require.NoError(t, err)
	whisperd, err := wire.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer whisperd.Close()
	ran, err := whisperd.Exclusive(context.Background(), app.PurgeLock, func(context.Context) error {
		assert.Contains(t, c.fails(exitConflict, "purge"), "purge is running already")
		return nil
	})
	require.NoError(t, err)
	require.True(t, ran)
	var done purgeJSON
	c.ok(&done, "purge")
	assert.Equal(t, 1, done.Erased, "the sweep let go")
	c.ok(&struct{}{}, "audit", "verify")

	pooled, err := sql.Open("pgx", c.env["WHISPER_DATABASE_URL"])
	require.NoError(t, err)
	defer pooled.Close()
	var leases int
	require.NoError(t, pooled.QueryRow("SELECT count(*) FROM leases").Scan(&leases))
	assert.Zero(t, leases, "every lease was given up")
}
