package store_test

import (
	"path/filepath"
	"testing"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/ports"
)

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ports.Store { return storetest.OpenSQLite(t) })
}

func TestPostgresContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ports.Store { return storetest.OpenPostgres(t) })
}

// Two instances of whisperd are two stores on one database with one key.
func TestSQLiteShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (ports.Store, ports.Store) {
		url, keys := "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"), storetest.Keys(t)
		return storetest.OpenURLWithKeys(t, url, keys), storetest.OpenURLWithKeys(t, url, keys)
	})
}

func TestPostgresShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (ports.Store, ports.Store) {
		url, keys := pgtest.NewDatabase(t), storetest.Keys(t)
		return storetest.OpenURLWithKeys(t, url, keys), storetest.OpenURLWithKeys(t, url, keys)
	})
}
