package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/ports"
)

// limitTests check the rate-limit counts one request at a time; their
// races are in races_limits.go.
var limitTests = map[string]func(*testing.T, ports.Store){
	"LimitCountsTheHour":      testLimitCountsTheHour,
	"LimitReleaseGivesBack":   testLimitRelease,
	"LimitForgetsQuietKeys":   testLimitForget,
	"LimitKeysAreSeparate":    testLimitKeysSeparate,
	"LimitReleaseOfOldIsNoOp": testLimitReleaseOld,
	"LimitTakeAllIsAllOrNone": testLimitTakeAll,
}

// take takes one of key's places at at, failing t on an error.
func take(t *testing.T, st ports.Store, key string, limit int, at time.Time) bool {
	t.Helper()
	ok, err := st.Limiter().Take(ctx, key, limit, at)
	require.NoError(t, err)
	return ok
}

func testLimitCountsTheHour(t *testing.T, st ports.Store) {
	key := "ip:192.0.2." + randomDigits(t, 6)
	for i := range 3 {
		assert.True(t, take(t, st, key, 3, now.Add(time.Duration(i)*time.Second)), "place %d", i+1)
	}
	assert.False(t, take(t, st, key, 3, now.Add(time.Minute)), "the limit is reached")
	assert.False(t, take(t, st, key, 3, now.Add(59*time.Minute)), "still within the hour")
	for i := range 3 {
		assert.True(t, take(t, st, key, 3, now.Add(time.Hour+time.Duration(2+i)*time.Second)), "an hour on, place %d is back", i+1)
	}
	assert.False(t, take(t, st, key, 3, now.Add(time.Hour+5*time.Second)), "and the limit holds again")
}

func testLimitRelease(t *testing.T, st ports.Store) {
	key := "form:T" + randomDigits(t, 8)
	require.True(t, take(t, st, key, 2, now))
	require.True(t, take(t, st, key, 2, now.Add(time.Second)))
	require.False(t, take(t, st, key, 2, now.Add(2*time.Second)))
	require.NoError(t, st.Limiter().Release(ctx, key, now.Add(time.Second)))
	assert.True(t, take(t, st, key, 2, now.Add(3*time.Second)), "a released place can be taken again")
	assert.False(t, take(t, st, key, 2, now.Add(4*time.Second)))
	require.NoError(t, st.Limiter().Release(ctx, "number:never-taken", now), "releasing what was never taken is no error")
}

func testLimitReleaseOld(t *testing.T, st ports.Store) {
	key := "form:T" + randomDigits(t, 8)
	require.True(t, take(t, st, key, 1, now))
	require.True(t, take(t, st, key, 1, now.Add(2*time.Hour)))
	require.NoError(t, st.Limiter().Release(ctx, key, now), "the place of two hours ago left the window")
	assert.False(t, take(t, st, key, 1, now.Add(2*time.Hour+time.Second)), "releasing an old place gives back no new one")
}

func testLimitKeysSeparate(t *testing.T, st ports.Store) {
	a, b := "ip:198.51.100."+randomDigits(t, 6), "ip:203.0.113."+randomDigits(t, 6)
	require.True(t, take(t, st, a, 1, now))
	assert.False(t, take(t, st, a, 1, now))
	assert.True(t, take(t, st, b, 1, now), "another key has places of its own")
}

func testLimitForget(t *testing.T, st ports.Store) {
	quiet, busy := "number:"+randomDigits(t, 11), "number:"+randomDigits(t, 11)
	require.True(t, take(t, st, quiet, 5, now))
	require.True(t, take(t, st, busy, 5, now.Add(2*time.Hour)))
	n, err := st.Limiter().ForgetBefore(ctx, now.Add(time.Hour))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 1, "the quiet key is forgotten")
	require.True(t, take(t, st, busy, 2, now.Add(2*time.Hour+time.Second)))
	assert.False(t, take(t, st, busy, 2, now.Add(2*time.Hour+2*time.Second)), "a key in use keeps its count")
}

// A report takes a place in its address's limit and its form's at once:
// when either is full it holds neither.
func testLimitTakeAll(t *testing.T, st ports.Store) {
	ip, form := "ip:192.0.2."+randomDigits(t, 6), "form:T"+randomDigits(t, 8)
	both := func(at time.Time) bool {
		t.Helper()
		ok, err := st.Limiter().TakeAll(ctx, at, ports.LimitAsk{Key: ip, Limit: 3}, ports.LimitAsk{Key: form, Limit: 1})
		require.NoError(t, err)
		return ok
	}
	require.True(t, both(now), "both have room")
	assert.False(t, both(now.Add(time.Second)), "the form is full")
	assert.True(t, take(t, st, ip, 3, now.Add(2*time.Second)), "the refused report held no place of the address's")
	assert.True(t, take(t, st, ip, 3, now.Add(3*time.Second)))
	assert.False(t, take(t, st, ip, 3, now.Add(4*time.Second)), "the address's limit: the first report's place and these two")
	ok, err := st.Limiter().TakeAll(ctx, now.Add(5*time.Second))
	require.NoError(t, err)
	assert.True(t, ok, "nothing asked, nothing refused")
}
