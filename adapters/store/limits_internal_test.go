package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flood from many addresses gives the in-memory limiter a new key with
// every report. Forgetting quiet keys scans them all, so it must happen
// now and then, not on every take once there are many: that made each
// report cost as much as the number of addresses seen in the hour, under
// the limiter's one lock.
func TestMemoryLimiterForgetsNowAndThen(t *testing.T) {
	l := &memoryLimiter{events: map[string][]time.Time{}}
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	const keys = 100_000
	for i := range keys {
		require.True(t, l.take(fmt.Sprintf("ip:10.0.%d.%d", i>>8, i&0xff), 30, now))
	}
	assert.Len(t, l.events, keys, "keys taken within the hour are all kept")
	assert.LessOrEqual(t, l.sweeps, 8, "the keys were scanned %d times for %d takes", l.sweeps, keys)

	// An hour on, the quiet keys go at the next sweep.
	later := now.Add(time.Hour + time.Minute)
	for i := range keys {
		l.take(fmt.Sprintf("ip:10.1.%d.%d", i>>8, i&0xff), 30, later)
	}
	assert.Len(t, l.events, keys, "only the last hour's keys are left")
}
