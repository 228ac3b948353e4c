package store

import (
	"context"
	"os"
	"time"
)

// SQLite writes every commit to its write-ahead log and copies the log
// back into the database file at a checkpoint. Left to itself, the commit
// that fills the log past 1,000 pages runs the checkpoint, and the reports
// queued behind it wait for it: under load that cost batched reports a
// third of their throughput (2,200 a second against 3,000) and, with a
// larger threshold, made the slowest reports twice as slow. The writer
// therefore never checkpoints (wal_autocheckpoint=0); checkpointLoop does,
// beside it, on a connection of its own.
//
// A PASSIVE checkpoint takes no lock that the writer or a reader needs: it
// copies what it can while reports go on being written. Whenever the log
// has been copied whole, which happens in any pause in the writes, the
// next commit starts it afresh (and journal_size_limit trims the file).
// Under writes that never pause, the log would grow without end: past
// restartLogAt, the little left to copy is copied while holding the write
// slot, and the next commit starts the log afresh. Making that happen
// often (every 32 MB) put the slowest reports back where the writer's own
// checkpoints had them, so it is a bound, not a habit.

// checkpointEvery is how often the log is copied back: often enough that
// little is left for the next, seldom enough that a page written again
// and again in between is copied once.
const checkpointEvery = 250 * time.Millisecond

// restartLogAt bounds the log under writes that never pause.
const restartLogAt = 1 << 30

// fewFrames is how much of the log (in pages) may be left to copy while
// the writer waits.
const fewFrames = 256

// checkpointLoop checkpoints the SQLite log every checkpointEvery until
// ctx ends, then once more, and closes done. A failure (the disk full, say)
// leaves the log to grow until a later checkpoint succeeds; commits do not
// depend on it.
func (s *Store) checkpointLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.checkpoint(context.Background())
			return
		case <-t.C:
		}
		left, err := s.checkpoint(ctx)
		for range 3 {
			if err != nil || left <= fewFrames {
				break
			}
			left, err = s.checkpoint(ctx)
		}
		if err != nil || left > fewFrames || !s.logPast(restartLogAt) {
			continue
		}
		if release, err := s.takeWriter(ctx); err == nil {
			s.checkpoint(ctx)
			release()
		}
	}
}

// checkpoint runs a PASSIVE checkpoint and says how many pages of the log
// are left to copy.
func (s *Store) checkpoint(ctx context.Context) (left int, err error) {
	var busy, logged, copied int
	err = s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied)
	return logged - copied, err
}

// logPast reports whether SQLite's log file is larger than n bytes.
func (s *Store) logPast(n int64) bool {
	fi, err := os.Stat(s.file + "-wal")
	return err == nil && fi.Size() > n
}
