package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/ports"
)

// leadershipRaces race holders for one lock.
var leadershipRaces = map[string]func(*testing.T, ports.Store){
	"OneHolderAtATime": raceLeadership,
}

// Callers racing for a lock never run at once, and some run: the lock is
// never held by nobody while all of them want it.
func raceLeadership(t *testing.T, st ports.Store) {
	var inside, most, runs atomic.Int32
	race(raceCount, func(int) {
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
