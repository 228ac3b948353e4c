package store_test

import (
	"path/filepath"
	"testing"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
)

func TestSQLiteKeys(t *testing.T) {
	storetest.RunKeys(t, func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "whisper.db") })
}

func TestPostgresKeys(t *testing.T) {
	storetest.RunKeys(t, func(t *testing.T) string { return pgtest.NewDatabase(t) })
}
