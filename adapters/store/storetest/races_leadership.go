package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/dialect"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/ports"
)

// leadershipRaces race holders for one lock.
var leadershipRaces = map[string]func(*testing.T, ports.Store){
	"OneHolderAtATime":        func(t *testing.T, st ports.Store) { RaceLeaders(t, st, st) },
	"OneTakesOverAStaleLease": raceStaleLease,
	"OneHolderAfterATakeOver": raceTakeOver,
}

// RaceLeaders races callers on first and second (two instances on one
// database, or one store twice) for one lock: they never run at once, and
// some run: the lock is never held by nobody while all of them want it.
func RaceLeaders(t *testing.T, first, second ports.Store) {
	var inside, most, runs atomic.Int32
	race(raceCount, func(i int) {
		st := []ports.Store{first, second}[i%2]
		_, err := st.Exclusive(ctx, "sweep", func(context.Context) error {
			n := inside.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			inside.Add(-1)
			runs.Add(1)
			return nil
		})
		assert.NoError(t, err)
	})
	assert.Equal(t, int32(1), most.Load(), "one holder at a time")
	assert.GreaterOrEqual(t, runs.Load(), int32(1), "someone ran it")
}

// A lease left by a holder that died has run out: of many racing to take
// it over, exactly one does, and the others find it taken.
func raceStaleLease(t *testing.T, st ports.Store) {
	staleLease(t, st, "sweep")
	var runs, lost atomic.Int32
	race(raceCount, func(int) {
		ran, err := st.Exclusive(ctx, "sweep", func(context.Context) error {
			runs.Add(1)
			// Held until every other racer has tried, so that a late one
			// cannot take it fairly after this one gave it up.
			waitUntil(&runs, &lost, raceCount)
			return nil
		})
		assert.NoError(t, err)
		if !ran {
			lost.Add(1)
		}
	})
	assert.Equal(t, int32(1), runs.Load(), "exactly one took the stale lease over")
}

// raceTakeOver races takers for a lease whose holder is still running but
// has let it run out (as a stalled process would): one of them takes it
// over, and the stalled holder learns it lost the lease through its ctx.
func raceTakeOver(t *testing.T, st ports.Store) {
	// Renewed every 100 ms, so the stalled holder soon hears of it.
	st.(*store.Store).SetLease(300 * time.Millisecond)
	var took atomic.Int32
	ran, err := st.Exclusive(ctx, "sweep", func(held context.Context) error {
		// The holder may renew between the expiry and the race; then
		// nobody takes it, and the race runs again.
		for took.Load() == 0 {
			expireLease(t, st, "sweep")
			var lost atomic.Int32
			race(raceCount, func(int) {
				ran, err := st.Exclusive(ctx, "sweep", func(context.Context) error {
					took.Add(1)
					waitUntil(&took, &lost, raceCount)
					<-held.Done() // the old holder hears of it while the new one holds
					return nil
				})
				assert.NoError(t, err)
				if !ran {
					lost.Add(1)
				}
			})
			require.LessOrEqual(t, took.Load(), int32(1), "one taker at a time")
		}
		assert.ErrorIs(t, context.Cause(held), ports.ErrLeadershipLost)
		return held.Err()
	})
	assert.True(t, ran)
	assert.ErrorIs(t, err, ports.ErrLeadershipLost, "Exclusive tells the old holder too")
	assert.Equal(t, int32(1), took.Load())
	ran, err = st.Exclusive(ctx, "sweep", func(context.Context) error { return nil })
	require.NoError(t, err)
	assert.True(t, ran, "free once the new holder is done")
}

// waitUntil waits until as many racers as want have run or lost.
func waitUntil(ran, lost *atomic.Int32, want int) {
	for ran.Load()+lost.Load() < int32(want) {
		time.Sleep(time.Millisecond)
	}
}

// staleLease writes a lease on name that ran out an hour ago, held by
// nobody alive.
func staleLease(t *testing.T, st ports.Store, name string) {
	db := st.(*store.Store).DB()
	hourAgo := "strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 hour')"
	if db.Dialect().Name() == dialect.PG {
		hourAgo = "now() - interval '1 hour'"
	}
	_, err := db.ExecContext(ctx, "INSERT INTO leases (name, holder, taken_at, expires_at) VALUES (?, 'dead-holder', "+hourAgo+", "+hourAgo+")", name)
	require.NoError(t, err)
}

// expireLease makes name's lease run out now, whoever holds it.
func expireLease(t *testing.T, st ports.Store, name string) {
	_, err := st.(*store.Store).DB().ExecContext(ctx, "UPDATE leases SET expires_at = taken_at WHERE name = ?", name)
	require.NoError(t, err)
}
