package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Leadership = (*Store)(nil)

// Exclusive runs fn unless another holder of the named lock is running it,
// in any process, and reports whether it ran (see ports.Leadership). On
// PostgreSQL the lock is a session-level advisory lock; on SQLite a lock
// on a file beside the database, since an operator's whisperctl opens the
// same file as whisperd from a process of its own.
func (s *Store) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	if !s.postgres {
		return s.exclusiveFile(ctx, name, fn)
	}
	h := fnv.New64a()
	h.Write([]byte("whisper:" + name))
	key := int64(h.Sum64())
	// A connection of its own: the lock belongs to the session, so it must
	// not go back to the pool (and to another caller) while fn runs.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, translate(err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", key).Scan(&got); err != nil {
		return false, translate(err)
	}
	if !got {
		return false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", key)
	return true, fn(ctx)
}

// exclusiveFile holds the lock file "DATABASE-NAME.lock" while fn runs.
// The file is left in place afterwards: removing it would let a process
// that opened it just before lock a file nobody else can find.
func (s *Store) exclusiveFile(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	if name == "" || strings.ContainsAny(name, `/\.`+"\x00") {
		return false, fmt.Errorf("store: lock name %q must be a plain word", name)
	}
	path := s.file + "-" + name + ".lock"
	unlock, ok, err := lockFile(path)
	if err != nil {
		return false, fmt.Errorf("store: locking %s: %w", path, err)
	}
	if !ok {
		return false, nil
	}
	defer unlock()
	return true, fn(ctx)
}
