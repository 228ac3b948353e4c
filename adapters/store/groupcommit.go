package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SQLite has one writer, and each commit waits for the disk. Rather than
// take turns, concurrent write transactions on SQLite are combined: whoever
// gets the writer's turn runs every transaction waiting at that moment, its
// own included, in one database transaction, each inside a savepoint, and
// commits once. A transaction whose fn fails is rolled back to its
// savepoint and fails alone; if the commit fails, every one in the group
// fails. To each caller this is exactly InTx: fn's writes are committed
// when, and only when, InTx returns nil.

// job is one caller's transaction waiting to run.
type job struct {
	ctx  context.Context
	fn   func(tx ports.Tx) error
	done chan error
}

// group holds the transactions waiting for the writer.
type group struct {
	mu      sync.Mutex
	pending []*job
}

// inGroup runs fn as part of the next group commit.
func (s *Store) inGroup(ctx context.Context, fn func(tx ports.Tx) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.group.mu.Lock()
	s.group.pending = append(s.group.pending, j)
	s.group.mu.Unlock()
	for {
		select {
		case err := <-j.done:
			return err
		case s.writer <- struct{}{}:
			s.group.mu.Lock()
			batch := s.group.pending
			s.group.pending = nil
			s.group.mu.Unlock()
			if len(batch) > 0 {
				s.runGroup(batch)
			}
			<-s.writer
		case <-ctx.Done():
			// The job may already be in a running group; if so, its outcome
			// is not waited for, as with any transaction cut short by its
			// context.
			return translate(ctx.Err())
		}
	}
}

// runGroup runs a batch in one transaction and tells each job its outcome.
func (s *Store) runGroup(batch []*job) {
	if len(batch) == 1 {
		// Alone, a transaction needs no savepoint: it is the transaction.
		batch[0].done <- s.runAlone(batch[0])
		return
	}
	results := make([]error, len(batch))
	err := s.db.RunInTx(context.Background(), &sql.TxOptions{}, func(ctx context.Context, btx bun.Tx) error {
		for i, j := range batch {
			if err := j.ctx.Err(); err != nil {
				results[i] = translate(err)
				continue
			}
			results[i] = s.runSaved(ctx, btx, j)
		}
		return nil
	})
	for i, j := range batch {
		if results[i] == nil && err != nil {
			results[i] = translate(err)
		}
		j.done <- results[i]
	}
}

// runAlone runs one job as a transaction of its own. A panic in it is
// turned into an error, as in a group, so the writer's turn is handed on.
func (s *Store) runAlone(j *job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked(p)
		}
	}()
	return s.run(j.ctx, s.db, &sql.TxOptions{}, j.fn)
}

// runSaved runs one job inside a savepoint, undoing its writes if it fails.
func (s *Store) runSaved(ctx context.Context, btx bun.Tx, j *job) (err error) {
	if _, err := btx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
		return translate(err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = panicked(p)
		}
		if err != nil {
			if _, rerr := btx.ExecContext(ctx, "ROLLBACK TO job"); rerr != nil {
				err = translate(rerr)
			}
		}
		if _, rerr := btx.ExecContext(ctx, "RELEASE job"); rerr != nil && err == nil {
			err = translate(rerr)
		}
	}()
	return translate(j.fn(&tx{db: btx, keys: s.keys, postgres: s.postgres}))
}

// panicked is the error a transaction that panicked ends with.
func panicked(p any) error {
	return &domain.Error{Kind: domain.KindInternal, Err: fmt.Errorf("store: a transaction panicked: %v", p)}
}
