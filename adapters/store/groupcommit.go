package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SQLite has one writer, and each commit waits for the disk. Rather than
// take turns, concurrent write transactions on SQLite are combined: whoever
// gets the writer's turn runs every transaction waiting at that moment, its
// own included, in one database transaction, and commits once. A
// transaction whose fn fails fails alone: the group is rolled back and run
// again without it. If the commit fails, every one in the group fails. To
// each caller this is exactly InTx: fn's writes are committed when, and
// only when, InTx returns nil.

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
// The jobs run one after another with nothing between them. When one
// fails, the transaction is rolled back, that job is told its error, and
// the others run again without it — InTx may run fn more than once (see
// ports.Store) — so a failure costs a rerun, and the usual case no
// savepoints.
func (s *Store) runGroup(batch []*job) {
	batch = slices.DeleteFunc(batch, func(j *job) bool {
		if err := j.ctx.Err(); err != nil {
			j.done <- translate(err) // given up before its turn
			return true
		}
		return false
	})
	for len(batch) > 0 {
		failed, failure, err := s.tryGroup(batch)
		if failed < 0 {
			for _, j := range batch {
				j.done <- err
			}
			return
		}
		batch[failed].done <- failure
		batch = slices.Delete(batch, failed, failed+1)
	}
}

// tryGroup runs the jobs in order in one transaction. If one fails it
// stops, rolls back, and says which (failed ≥ 0) and how; otherwise it
// commits (failed = -1) and err is the commit's outcome.
func (s *Store) tryGroup(batch []*job) (failed int, failure, err error) {
	failed = -1
	err = s.db.RunInTx(context.Background(), &sql.TxOptions{}, func(ctx context.Context, btx bun.Tx) error {
		for i, j := range batch {
			if failure = s.runJob(btx, j); failure != nil {
				failed = i
				return failure
			}
		}
		return nil
	})
	return failed, failure, translate(err)
}

// runJob runs one job's fn in the group's transaction. A panic becomes an
// error, so the writer's turn is always handed on.
func (s *Store) runJob(btx bun.Tx, j *job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked(p)
		}
	}()
	return translate(j.fn(&tx{db: btx, keys: s.keys, postgres: s.postgres, inserts: s.inserts}))
}

// panicked is the error a transaction that panicked ends with.
func panicked(p any) error {
	return &domain.Error{Kind: domain.KindInternal, Err: fmt.Errorf("store: a transaction panicked: %v", p)}
}
