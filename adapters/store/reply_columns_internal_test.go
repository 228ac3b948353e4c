package store

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Migration 52 fills the reply columns of the rows already there, and
// must fill them exactly as the store keeps them with every message. A
// migration stands alone, so it writes the definition out again; this
// holds both its branches (PostgreSQL's batches and SQLite's statement) to
// replyColumnsSet, spacing aside.
func TestTheBackfillKeepsTheStoresDefinition(t *testing.T) {
	text, err := fs.ReadFile(migrationFiles, "migrations/20261207000052_reply_columns_backfill.up.sql")
	require.NoError(t, err)
	words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	assert.Equal(t, 2, strings.Count(words(string(text)), "UPDATE interactions SET "+words(replyColumnsSet)),
		"both branches of migration 52 set the columns as replyColumnsSet does")
}
