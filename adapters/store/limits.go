package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/ports"
)

// Limiter returns the rate-limit counts: in the database on PostgreSQL,
// shared by every instance; in memory on SQLite, shared by every handle on
// the same file in this process (one process owns an embedded database).
func (s *Store) Limiter() ports.Limiter {
	if s.postgres {
		return pgLimiter{s}
	}
	l, ok := localLimits.Load(s.file)
	if !ok {
		l, _ = localLimits.LoadOrStore(s.file, &memoryLimiter{events: map[string][]time.Time{}})
	}
	return keyedLimiter{keys: s, l: l.(*memoryLimiter)}
}

// limitIndex is the blind index a rate limit's key is kept under: counts
// of addresses and numbers must not reveal them.
func (s *Store) limitIndex(key string) string { return s.keys.Index("limit", key) }

// On PostgreSQL each key is one row of the rate_limits table: the window
// counted in limitBuckets buckets of one minute, newest last, and the
// minute of the newest. One row per key lets one statement check and
// count: INSERT … ON CONFLICT DO UPDATE locks the key's row and evaluates
// its WHERE against the newest version of it, so attempts racing on one
// or several instances take places one after another and never more than
// the limit.
//
// The price of a fixed-size row, whatever the limit, is that the hour is
// counted in whole minutes: a place comes back when its minute leaves the
// last 60, between 59 and 60 minutes after it was taken, never later. In
// any 59 minutes no more than the limit is let through.
//
// The table is UNLOGGED: its writes skip the write-ahead log, so a count
// costs no disk flush on the report's path. After a crash PostgreSQL
// empties it and the limits start again, erring towards letting reports
// in; counts are not copied to replicas either.
const (
	limitBuckets = 60
	limitBucket  = ports.LimitWindow / limitBuckets
)

// bucketOf is the number of the bucket that t falls in.
func bucketOf(t time.Time) int64 { return t.Unix() / int64(limitBucket/time.Second) }

// shiftedCount is the count in bucket j (1 … limitBuckets) of row l once
// its window is moved on to EXCLUDED.minute: buckets that leave the
// window read as NULL, past the array's end. A clock behind the row's,
// another instance's, counts in the newest bucket.
var shiftedCount = fmt.Sprintf("l.counts[j + LEAST(GREATEST(EXCLUDED.minute - l.minute, 0), %d)::int]", limitBuckets)

// takeAllSQL takes a place of n keys in one statement, a chain of n
// takes, each a data-modifying WITH query: take i inserts only from take
// i-1's returned row, so a key is counted only when every key before it
// had room, and the statement answers how many of each it took. ?0 is the
// minute; ?(2i+1) and ?(2i+2) are key i's index and limit.
func takeAllSQL(n int) string {
	if n < len(takeAllSQLs) && takeAllSQLs[n] != "" {
		return takeAllSQLs[n]
	}
	return buildTakeAllSQL(n)
}

// takeAllSQLs are the statements for the one and two keys that every
// report asks for, built once rather than on each report.
var takeAllSQLs = [...]string{1: buildTakeAllSQL(1), 2: buildTakeAllSQL(2)}

func buildTakeAllSQL(n int) string {
	var b strings.Builder
	b.WriteString("WITH ")
	for i := range n {
		from := ""
		if i > 0 {
			b.WriteString(",\n")
			from = fmt.Sprintf(" FROM t%d", i-1)
		}
		fmt.Fprintf(&b, `t%[1]d AS (INSERT INTO rate_limits AS l (key_index, minute, counts)
SELECT ?%[2]d, ?0, array_fill(0, ARRAY[%[4]d - 1]) || 1%[3]s
ON CONFLICT (key_index) DO UPDATE
SET minute = GREATEST(l.minute, EXCLUDED.minute),
    counts = ARRAY(SELECT coalesce(%[5]s, 0) + (j = %[4]d)::int FROM generate_series(1, %[4]d) AS j ORDER BY j)
WHERE (SELECT coalesce(sum(%[5]s), 0) FROM generate_series(1, %[4]d) AS j) < ?%[6]d
RETURNING 1)`, i, 2*i+1, from, limitBuckets, shiftedCount, 2*i+2)
	}
	b.WriteString("\nSELECT ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(SELECT count(*) FROM t%d)", i)
	}
	return b.String()
}

// releaseLimitSQL takes one off the bucket of minute ?1, when that bucket
// is still in the window and holds a place.
var releaseLimitSQL = fmt.Sprintf(`UPDATE rate_limits
SET counts[%[1]d - (minute - ?1)::int] = counts[%[1]d - (minute - ?1)::int] - 1
WHERE key_index = ?0 AND minute - ?1 BETWEEN 0 AND %[1]d - 1 AND counts[%[1]d - (minute - ?1)::int] > 0`, limitBuckets)

type pgLimiter struct{ s *Store }

func (l pgLimiter) Take(ctx context.Context, key string, limit int, now time.Time) (bool, error) {
	return l.TakeAll(ctx, now, ports.LimitAsk{Key: key, Limit: limit})
}

// TakeAll takes every ask's place in one statement (takeAllSQL). When one
// is full, the places taken before it are given back: a refusal costs a
// statement more, a report that has room none.
func (l pgLimiter) TakeAll(ctx context.Context, now time.Time, asks ...ports.LimitAsk) (bool, error) {
	if len(asks) == 0 {
		return true, nil
	}
	args := []any{bucketOf(now)}
	for _, a := range asks {
		args = append(args, l.s.limitIndex(a.Key), a.Limit)
	}
	taken := make([]int, len(asks))
	into := make([]any, len(asks))
	for i := range taken {
		into[i] = &taken[i]
	}
	if err := l.s.db.QueryRowContext(ctx, takeAllSQL(len(asks)), args...).Scan(into...); err != nil {
		return false, translate(err)
	}
	if taken[len(taken)-1] == 1 {
		return true, nil
	}
	for i, a := range asks {
		if taken[i] == 1 {
			if err := l.Release(ctx, a.Key, now); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

func (l pgLimiter) Release(ctx context.Context, key string, at time.Time) error {
	_, err := rowsAffected(l.s.db.ExecContext(ctx, releaseLimitSQL, l.s.limitIndex(key), bucketOf(at)))
	return err
}

func (l pgLimiter) ForgetBefore(ctx context.Context, t time.Time) (int, error) {
	return rowsAffected(l.s.db.ExecContext(ctx, "DELETE FROM rate_limits WHERE minute < ?", bucketOf(t)))
}

// localLimits holds the in-memory counts of each embedded database, by
// file.
var localLimits sync.Map

// keyedLimiter is a memoryLimiter that keeps keys as blind indexes, as the
// database does.
type keyedLimiter struct {
	keys *Store
	l    *memoryLimiter
}

func (k keyedLimiter) Take(_ context.Context, key string, limit int, now time.Time) (bool, error) {
	return k.l.take(k.keys.limitIndex(key), limit, now), nil
}

func (k keyedLimiter) TakeAll(_ context.Context, now time.Time, asks ...ports.LimitAsk) (bool, error) {
	keyed := make([]ports.LimitAsk, len(asks))
	for i, a := range asks {
		keyed[i] = ports.LimitAsk{Key: k.keys.limitIndex(a.Key), Limit: a.Limit}
	}
	return k.l.takeAll(now, keyed), nil
}

func (k keyedLimiter) Release(_ context.Context, key string, at time.Time) error {
	k.l.release(k.keys.limitIndex(key), at)
	return nil
}

func (k keyedLimiter) ForgetBefore(_ context.Context, t time.Time) (int, error) {
	return k.l.forgetBefore(t), nil
}

// memoryLimiter counts each key's places over a sliding window, exactly:
// it keeps the time of every place taken in the last window.
type memoryLimiter struct {
	mu     sync.Mutex
	events map[string][]time.Time
	// sweepAt is how many keys make take scan for quiet ones: twice as
	// many as the last scan left, so that the scans cost each take a
	// constant share however many addresses a flood comes from, where a
	// scan on every take past a fixed size made each report cost as much
	// as all the keys of the hour. sweeps counts the scans.
	sweepAt, sweeps int
}

// minSweepAt is the fewest keys worth scanning for quiet ones.
const minSweepAt = 4096

func (l *memoryLimiter) take(key string, limit int, now time.Time) bool {
	return l.takeAll(now, []ports.LimitAsk{{Key: key, Limit: limit}})
}

// takeAll takes a place of every ask's key, or of none when one is full,
// under the one lock.
func (l *memoryLimiter) takeAll(now time.Time, asks []ports.LimitAsk) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range asks {
		if len(l.recent(a.Key, now)) >= a.Limit {
			return false
		}
	}
	for _, a := range asks {
		l.events[a.Key] = append(l.events[a.Key], now)
	}
	// Forget quiet keys now and then, so memory follows the traffic of the
	// last hour, not of all time.
	if len(l.events) > max(l.sweepAt, minSweepAt) {
		l.sweeps++
		l.forget(now.Add(-ports.LimitWindow))
		l.sweepAt = 2 * len(l.events)
	}
	return true
}

func (l *memoryLimiter) release(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events[key]
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Equal(at) {
			l.events[key] = append(ev[:i], ev[i+1:]...)
			return
		}
	}
}

func (l *memoryLimiter) forgetBefore(t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.forget(t)
}

// forget drops the keys with nothing taken since t.
func (l *memoryLimiter) forget(t time.Time) int {
	n := 0
	for k, ev := range l.events {
		if len(ev) == 0 || ev[len(ev)-1].Before(t) {
			delete(l.events, k)
			n++
		}
	}
	return n
}

// recent drops key's places older than the window and returns the rest.
func (l *memoryLimiter) recent(key string, now time.Time) []time.Time {
	ev := l.events[key]
	cut := 0
	for cut < len(ev) && now.Sub(ev[cut]) >= ports.LimitWindow {
		cut++
	}
	ev = ev[cut:]
	if len(ev) == 0 {
		delete(l.events, key)
		return nil
	}
	l.events[key] = ev
	return ev
}
