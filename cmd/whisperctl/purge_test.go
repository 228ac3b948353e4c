package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/cmd/internal/config"
	"github.com/whisper-schools/whisper/cmd/internal/wire"
)

// TestPurgeRefusedWhileTheSweepRuns holds the purge's lock as whisperd's
// sweep holds it, from another store on the same database: an operator's
// purge is refused with exit 5 and changes nothing, a dry run still
// counts, and once the sweep lets go the purge runs.
func TestPurgeRefusedWhileTheSweepRuns(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		pupils := c.reporters(s.Code)
		pupils.clock.at = time.Now().UTC().AddDate(-2, 0, 0)
		old := string(pupils.report("Old", "old@pupil.example", "198.51.100.1", "Two years ago."))

		cfg, err := config.Load(config.Options{Getenv: func(k string) string { return c.env[k] }})
		require.NoError(t, err)
		whisperd, err := wire.OpenStore(context.Background(), cfg, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		defer whisperd.Close()
		ran, err := whisperd.Exclusive(context.Background(), app.PurgeLock, func(context.Context) error {
			assert.Contains(t, c.fails(exitConflict, "purge"), "purge is running already")
			var dry purgeJSON
			c.ok(&dry, "purge", "--dry-run")
			assert.Equal(t, 1, dry.Erased, "a dry run takes no lock")
			return nil
		})
		require.NoError(t, err)
		require.True(t, ran)

		var found dsarJSON
		c.ok(&found, "dsar", "--reason", "subject access request", "--email", "old@pupil.example")
		require.Len(t, found.Interactions, 1, "the refused purge erased nothing")
		assert.Equal(t, old, found.Interactions[0].Ref)
		assert.NotContains(t, actions(c.auditLog()), "purge", "nor recorded a purge")

		var done purgeJSON
		c.ok(&done, "purge")
		assert.Equal(t, 1, done.Erased, "the sweep let go")
	})
}
