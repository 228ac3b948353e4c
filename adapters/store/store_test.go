package store_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/ports"
)

func testKeys(t *testing.T) *seal.Keyring {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, err := rand.Read(key)
	require.NoError(t, err)
	keys, err := seal.New(key)
	require.NoError(t, err)
	return keys
}

func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	return openURL(t, "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"), true)
}

func openPostgres(t *testing.T) *store.Store {
	t.Helper()
	return openURL(t, pgtest.NewDatabase(t), false)
}

func openURL(t *testing.T, url string, migrate bool) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url, testKeys(t))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	if migrate {
		_, err = st.Migrate(context.Background())
		require.NoError(t, err)
	}
	return st
}

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ports.Store { return openSQLite(t) })
}

func TestPostgresContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ports.Store { return openPostgres(t) })
}
