package store

import (
	"context"
	"hash/fnv"
	"sync"
)

// localLocks stands in for advisory locks on SQLite, where one process
// owns the database.
var localLocks sync.Map

// Exclusive runs fn unless another holder of the named lock is running
// it — in any process on PostgreSQL (a session-level advisory lock), in
// this process on SQLite — and reports whether it ran. Background jobs
// that several instances share, such as the retention sweep, use it so
// that only one instance does the work at a time.
func (s *Store) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	if !s.postgres {
		mu, _ := localLocks.LoadOrStore(s.file+"\x00"+name, &sync.Mutex{})
		if !mu.(*sync.Mutex).TryLock() {
			return false, nil
		}
		defer mu.(*sync.Mutex).Unlock()
		return true, fn(ctx)
	}
	h := fnv.New64a()
	h.Write([]byte("whisper:" + name))
	key := int64(h.Sum64())
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
