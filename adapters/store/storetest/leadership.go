package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/ports"
)

var leadershipTests = map[string]func(*testing.T, ports.Store){
	"LeadershipExcludesOneHolder":  func(t *testing.T, st ports.Store) { TwoLeaders(t, st, st) },
	"LeadershipPassesOnFnsError":   testLeadershipError,
	"LeadershipCutShortLeavesNone": testLeadershipCutShort,
}

// A caller whose ctx ends while it takes, holds or gives up a lease (as
// whisperd's sweep does when it stops) leaves no lease behind: a take cut
// short may have been done by the database all the same.
func testLeadershipCutShort(t *testing.T, st ports.Store) {
	for i := range 100 {
		cut, cancel := context.WithCancel(ctx)
		go func() {
			time.Sleep(time.Duration(i%20) * 100 * time.Microsecond)
			cancel()
		}()
		_, _ = st.Exclusive(cut, "sweep", func(context.Context) error { return nil })
		cancel()
	}
	var leases int
	require.NoError(t, st.(*store.Store).DB().NewRaw("SELECT count(*) FROM leases").Scan(ctx, &leases))
	assert.Zero(t, leases, "no lease left behind")
}

// TwoLeaders plays two instances on one database (or two callers on one
// instance): while the first runs a job under a lock, the second finds
// that lock taken and another free, and takes it once the first is done.
func TwoLeaders(t *testing.T, first, second ports.Store) {
	var runs atomic.Int32
	ran, err := first.Exclusive(ctx, "sweep", func(ctx context.Context) error {
		runs.Add(1)
		other, err := second.Exclusive(ctx, "sweep", func(context.Context) error { runs.Add(1); return nil })
		require.NoError(t, err)
		assert.False(t, other, "the other instance must not run it meanwhile")
		another, err := second.Exclusive(ctx, "other-job", func(context.Context) error { return nil })
		require.NoError(t, err)
		assert.True(t, another, "a different lock is free")
		return nil
	})
	require.NoError(t, err)
	assert.True(t, ran)
	assert.Equal(t, int32(1), runs.Load())
	ran, err = second.Exclusive(ctx, "sweep", func(context.Context) error { return nil })
	require.NoError(t, err)
	assert.True(t, ran, "released afterwards")
}

// A job's failure comes back as it is, and still releases the lock.
func testLeadershipError(t *testing.T, st ports.Store) {
	failed := errors.New("the job failed")
	ran, err := st.Exclusive(ctx, "sweep", func(context.Context) error { return failed })
	assert.True(t, ran)
	assert.Same(t, failed, err)
	ran, err = st.Exclusive(ctx, "sweep", func(context.Context) error { return nil })
	require.NoError(t, err)
	assert.True(t, ran, "released after a failure")
}
