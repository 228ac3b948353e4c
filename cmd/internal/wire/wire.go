// Package wire builds what both binaries need from a loaded configuration:
// the data keyring and the store. Keeping it in one place means whisperd and
// whisperctl always find the same database with the same key.
package wire

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/cmd/internal/config"
)

// Keyring returns the data keyring: the configured key or, on the embedded
// store without one, the key file beside the database, created on first
// use. PostgreSQL needs a configured key, since several instances share it.
//
// The keys in security.old_data_keys, named during a rotation, join the
// keyring as older keys: they open what they sealed and find what they
// indexed, and never seal anything new.
func Keyring(cfg *config.Config, log *slog.Logger) (*seal.Keyring, error) {
	if key, ok := cfg.DataKey(); ok {
		return seal.New(key, cfg.OldDataKeys()...)
	}
	if cfg.IsPostgres() {
		return nil, fmt.Errorf("security.data_key is required with PostgreSQL (set WHISPER_SECURITY_DATA_KEY or its _FILE)")
	}
	path := seal.KeyFilePath(cfg.SQLitePath())
	if err := refuseOrphanedDatabase(cfg.SQLitePath(), path); err != nil {
		return nil, err
	}
	key, created, err := seal.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		abs, _ := filepath.Abs(path)
		log.Warn("created a new data key beside the database; back it up apart from the database, since without it no report can be read",
			slog.String("key_file", abs))
	}
	return seal.New(key)
}

// RotationKeyring is the keyring of `whisperctl key rotate`: newKey
// primary, then the configured key (or the embedded store's key file) and
// any old_data_keys, so that it opens everything and seals under newKey.
func RotationKeyring(cfg *config.Config, newKey []byte) (*seal.Keyring, error) {
	current, ok := cfg.DataKey()
	if !ok {
		if cfg.IsPostgres() {
			return nil, fmt.Errorf("security.data_key is required with PostgreSQL (set WHISPER_SECURITY_DATA_KEY or its _FILE)")
		}
		key, err := seal.ReadKeyFile(seal.KeyFilePath(cfg.SQLitePath()))
		if err != nil {
			return nil, err
		}
		current = key
	}
	return seal.New(newKey, append([][]byte{current}, cfg.OldDataKeys()...)...)
}

// OpenStoreWith opens the configured store with keys. It does not migrate.
func OpenStoreWith(ctx context.Context, cfg *config.Config, keys *seal.Keyring) (*store.Store, error) {
	return store.Open(ctx, cfg.Database.URL, keys)
}

// OpenStore opens the configured store. It does not migrate.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	keys, err := Keyring(cfg, log)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.Database.URL, keys)
}

// refuseOrphanedDatabase stops a new key being made for a database that
// already holds data: everything in it was sealed under the lost key, and
// writing on under a new one would split it in two. The operator must
// restore the key file, or configure the key.
func refuseOrphanedDatabase(dbPath, keyPath string) error {
	if _, err := os.Stat(keyPath); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	info, err := os.Stat(dbPath)
	if err != nil || info.Size() == 0 {
		return nil
	}
	return fmt.Errorf("the database %s exists but its key file %s does not; restore the key file from your backup (or set security.data_key) — a new key could not read what is stored", dbPath, keyPath)
}
