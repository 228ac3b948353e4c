package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/whisper-schools/whisper/domain"
)

// Backup writes a consistent copy of the embedded database to the new file
// at path, while others go on writing to it. The copy is what the database
// held when Backup began (SQLite's VACUUM INTO reads one snapshot, the
// write-ahead log included, so it needs neither a pause nor the -wal file
// beside it), compacted, and durable when Backup returns.
//
// It never overwrites: it returns KindConflict when path exists, and
// KindInvalid on PostgreSQL, whose backups are PostgreSQL's own tools'.
// The data key is not in the copy; the caller says so.
func (s *Store) Backup(ctx context.Context, path string) (err error) {
	defer domain.Wrap(&err, "store.Backup")
	if s.postgres {
		return domain.Errorf(domain.KindInvalid,
			"whisperctl backup copies the embedded database only; back PostgreSQL up with pg_dump, pgBackRest or WAL-G as docs/operations.md describes (\"Backups and restore\")")
	}
	// Made here, private and exclusive, so that a name already in use is
	// refused whoever made it; VACUUM INTO accepts an empty file and keeps
	// its mode.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return domain.Errorf(domain.KindConflict, "%s already exists; a backup never overwrites a file, so name a new one", path)
	}
	if err != nil {
		return fmt.Errorf("store: creating %s: %w", path, err)
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	// VACUUM INTO reads as a reader does and writes only the new file, so
	// it needs no write slot: reports keep arriving while it runs.
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return translate(err)
	}
	return syncFile(path)
}

// syncFile makes the finished copy durable, since VACUUM INTO writes it
// without syncing, and then its directory entry where the system allows
// (not every one can sync a directory).
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store: syncing %s: %w", path, err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("store: syncing %s: %w", path, err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}
