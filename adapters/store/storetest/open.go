package storetest

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/seal"
)

// Keys returns a keyring with a fresh random key.
func Keys(t testing.TB) *seal.Keyring {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, err := rand.Read(key)
	require.NoError(t, err)
	keys, err := seal.New(key)
	require.NoError(t, err)
	return keys
}

// OpenSQLite returns a migrated embedded store in a new file under
// t.TempDir(), closed when t ends.
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return OpenURL(t, "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"))
}

// OpenPostgres returns a store on a new migrated PostgreSQL database, or
// skips t as pgtest explains.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return OpenURL(t, pgtest.NewDatabase(t))
}

// OpenURL opens and migrates the store at url, closed when t ends.
func OpenURL(t testing.TB, url string) *store.Store {
	t.Helper()
	return OpenURLWithKeys(t, url, Keys(t))
}

// OpenURLWithKeys opens and migrates the store at url with keys, closed
// when t ends. Two stores on one database with the same keys are two
// instances of one service.
func OpenURLWithKeys(t testing.TB, url string, keys *seal.Keyring) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url, keys)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = st.Migrate(context.Background())
	require.NoError(t, err)
	return st
}
