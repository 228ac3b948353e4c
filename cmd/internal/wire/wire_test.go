package wire

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/cmd/internal/config"
)

func sqliteConfig(path string) *config.Config {
	cfg := config.Default()
	cfg.Database.URL = "sqlite:" + path
	return &cfg
}

func TestKeyringCreatesAKeyForANewDatabaseOnly(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	db := filepath.Join(dir, "whisper.db")

	first, err := Keyring(sqliteConfig(db), log)
	require.NoError(t, err)
	info, err := os.Stat(db + ".key")
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	again, err := Keyring(sqliteConfig(db), log)
	require.NoError(t, err)
	assert.Equal(t, first.PrimaryKeyID(), again.PrimaryKeyID(), "the same key is found again")

	// A database with data whose key has gone missing is refused, not
	// given a new key.
	require.NoError(t, os.WriteFile(db, []byte("SQLite format 3\x00 pretend data"), 0o600))
	require.NoError(t, os.Remove(db+".key"))
	_, err = Keyring(sqliteConfig(db), log)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "restore the key file")
	_, err = os.Stat(db + ".key")
	assert.True(t, os.IsNotExist(err), "no new key was written")
}

func TestKeyringPrefersTheConfiguredKey(t *testing.T) {
	cfg := sqliteConfig(filepath.Join(t.TempDir(), "whisper.db"))
	cfg.Security.DataKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	keys, err := Keyring(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	assert.NotEmpty(t, keys.PrimaryKeyID())
	_, err = os.Stat(cfg.SQLitePath() + ".key")
	assert.True(t, os.IsNotExist(err), "no key file when a key is configured")

	pg := config.Default()
	pg.Database.URL = "postgres://postgres@127.0.0.1/whisper"
	_, err = Keyring(&pg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.ErrorContains(t, err, "security.data_key is required")
}
