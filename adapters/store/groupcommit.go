package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Concurrent write transactions are combined into one commit where each
// would otherwise wait its turn:
//
//   - SQLite has one writer, and each commit waits for the disk. Whoever
//     gets the writer's turn runs every transaction waiting at that moment,
//     its own included, in one database transaction, and commits once. A
//     transaction whose fn fails fails alone: the group is rolled back and
//     run again without it.
//   - On PostgreSQL a transaction of inserts alone (see pgWrite) is a
//     pipeline of prepared statements. Those waiting while every turn is
//     taken (pgGroups at once) go together, in one pipeline, as one
//     implicit transaction: one round trip, one commit, one wake-up of a
//     backend, for many reports. An insert that fails fails its own
//     transaction alone: the rest are sent again without it.
//
// If the commit fails, every one in the group fails. To each caller this is
// exactly InTx: fn's writes are committed when, and only when, InTx returns
// nil.

// pgGroups is how many groups of inserts may be sent to PostgreSQL at
// once: enough to keep a few backends busy, few enough that transactions
// arriving meanwhile gather into groups.
const pgGroups = 4

// pgGroupTimeout bounds how long a group's pipeline may take: the group is
// sent on behalf of many requests, so no one request's context governs it.
const pgGroupTimeout = 30 * time.Second

// job is one caller's transaction waiting to run: fn on SQLite, the
// statements fn queued on PostgreSQL.
type job struct {
	ctx   context.Context
	fn    func(tx ports.Tx) error
	stmts []pgStatement
	done  chan error
	taken bool // in a group; guarded by group.mu
}

// group holds the transactions waiting for a turn.
type group struct {
	mu      sync.Mutex
	pending []*job
	turns   chan struct{} // one slot per group that may run at once
}

// join waits for j's outcome. Whoever finds a turn free while its job
// still waits runs, with run, every job waiting at that moment, its own
// included; once its job is in a group, it waits only for the outcome.
func (g *group) join(j *job, run func(batch []*job)) error {
	g.mu.Lock()
	g.pending = append(g.pending, j)
	g.mu.Unlock()
	turns := g.turns
	for {
		select {
		case err := <-j.done:
			return err
		case turns <- struct{}{}:
			g.mu.Lock()
			batch := g.pending
			g.pending = nil
			for _, b := range batch {
				b.taken = true
			}
			taken := j.taken
			g.mu.Unlock()
			if len(batch) > 0 {
				run(batch)
			}
			<-g.turns
			if taken {
				turns = nil // a nil channel is never ready
			}
		case <-j.ctx.Done():
			// The job may already be in a running group; if so, its outcome
			// is not waited for, as with any transaction cut short by its
			// context.
			return translate(j.ctx.Err())
		}
	}
}

// inGroup runs fn as part of the next group commit on SQLite.
func (s *Store) inGroup(ctx context.Context, fn func(tx ports.Tx) error) error {
	return s.group.join(&job{ctx: ctx, fn: fn, done: make(chan error, 1)}, s.runGroup)
}

// sendInGroup sends stmts, a transaction's inserts, as part of the next
// group sent to PostgreSQL.
func (s *Store) sendInGroup(ctx context.Context, stmts []pgStatement) error {
	return s.group.join(&job{ctx: ctx, stmts: stmts, done: make(chan error, 1)}, s.sendGroup)
}

// dropGivenUp tells the jobs whose callers gave up before their turn so,
// and returns the rest.
func dropGivenUp(batch []*job) []*job {
	return slices.DeleteFunc(batch, func(j *job) bool {
		if err := j.ctx.Err(); err != nil {
			j.done <- translate(err)
			return true
		}
		return false
	})
}

// sendGroup sends the batch's inserts in one pipeline and tells each job
// its outcome. When a statement fails, the pipeline's implicit transaction
// is rolled back, the job it belongs to is told its error, and the rest are
// sent again without it.
func (s *Store) sendGroup(batch []*job) {
	batch = dropGivenUp(batch)
	ctx, cancel := context.WithTimeout(context.Background(), pgGroupTimeout)
	defer cancel()
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		tellAll(batch, translate(err))
		return
	}
	defer conn.Close()
	for len(batch) > 0 {
		var (
			stmts []pgStatement
			owner []int // owner[k] is the job stmts[k] belongs to
		)
		for i, j := range batch {
			stmts = append(stmts, j.stmts...)
			for range j.stmts {
				owner = append(owner, i)
			}
		}
		_, failed, err := pipeline(ctx, conn, stmts)
		switch {
		case err == nil:
			tellAll(batch, nil)
			return
		case failed < 0:
			tellAll(batch, translate(err))
			return
		}
		i := owner[failed]
		batch[i].done <- translate(err)
		batch = slices.Delete(batch, i, i+1)
	}
}

// tellAll tells every job in batch the same outcome.
func tellAll(batch []*job, err error) {
	for _, j := range batch {
		j.done <- err
	}
}

// runGroup runs a batch in one transaction and tells each job its outcome.
// The jobs run one after another with nothing between them. When one
// fails, the transaction is rolled back, that job is told its error, and
// the others run again without it — InTx may run fn more than once (see
// ports.Store) — so a failure costs a rerun, and the usual case no
// savepoints.
func (s *Store) runGroup(batch []*job) {
	batch = dropGivenUp(batch)
	for len(batch) > 0 {
		failed, failure, err := s.tryGroup(batch)
		if failed < 0 {
			tellAll(batch, err)
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
