package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/ports"
)

// The parts of the contract a pooler could break, through PgBouncer in
// transaction mode (WHISPER_TEST_POOLER_URL), each on a database migrated
// through it.
func TestPostgresContractBehindAPooler(t *testing.T) {
	storetest.RunPooled(t, func(t *testing.T) ports.Store { return storetest.OpenURL(t, pgtest.NewPoolerDatabase(t)) })
}

// Two instances starting together on an empty database through the
// pooler take turns at migrating it: one applies every migration, the
// other finds nothing left to do, and neither fails.
func TestMigrationsTakeTurnsBehindAPooler(t *testing.T) {
	url, keys := pgtest.NewPoolerDatabase(t), storetest.Keys(t)
	var stores [2]*store.Store
	for i := range stores {
		st, err := store.Open(context.Background(), url, keys)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	var applied [2][]string
	var errs [2]error
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Go(func() { applied[i], errs[i] = st.Migrate(context.Background()) })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	pending, err := stores[0].Pending(context.Background())
	require.NoError(t, err)
	assert.Empty(t, pending)
	assert.NotEqual(t, len(applied[0]) == 0, len(applied[1]) == 0, "one of them migrated, the other waited and found nothing to do: %v", applied)
}

// The store leaves nothing in a PostgreSQL session for the next client of
// a pooled server connection to trip over: no prepared statements (pgx's
// statement cache would prepare each query on whichever server session
// it meets, and the next client's would collide with it) and no session
// settings. Checked on a direct connection, so that it holds whether or
// not a pooler is there.
func TestNoSessionStateOnPostgres(t *testing.T) {
	st := storetest.OpenURL(t, pgtest.NewDatabase(t))
	storetest.RaceLeaders(t, st, st)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			// Arguments, which pgx's default mode would prepare with.
			var prepared int
			err := st.DB().QueryRowContext(context.Background(),
				"SELECT count(*) FROM pg_prepared_statements WHERE name <> ?", "-").Scan(&prepared)
			assert.NoError(t, err)
			assert.Zero(t, prepared, "statements prepared on the session")
			var readOnly string
			err = st.DB().QueryRowContext(context.Background(), "SELECT current_setting(?)", "default_transaction_read_only").Scan(&readOnly)
			assert.NoError(t, err)
			assert.Equal(t, "off", readOnly)
		})
	}
	wg.Wait()
}
