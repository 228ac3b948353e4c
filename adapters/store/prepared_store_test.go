package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
)

// A row inserted through a prepared statement must read back exactly as
// the same row inserted by bun, in every column, for every row type that
// goes through them: or times would stop comparing as text, or lose or
// gain a microsecond, and empty values turn into NULL.
func TestPreparedInsertsStoreWhatBunStores(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{
		"SQLite": storetest.OpenSQLite, "PostgreSQL": storetest.OpenPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			org, form, inbox := storetest.Parents(t, st)
			stored, err := store.InsertBothWaysForTest(context.Background(), st, string(org), string(form), string(inbox))
			require.NoError(t, err)
			require.Greater(t, len(stored), 40, "every column of five rows")
			for column, ways := range stored {
				// Ids and the values made from them name the way they went in.
				assert.Equal(t, strings.ReplaceAll(ways[0], "bun", "WAY"), strings.ReplaceAll(ways[1], "prepared", "WAY"), column)
			}
		})
	}
}
