package storetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/ports"
)

// limitRaces race requests for a key's last places in a rate limit.
var limitRaces = map[string]func(*testing.T, ports.Store){
	"LimitLetsTheLimitThrough":  testRaceLimit,
	"LimitReleaseAndTakeRacing": testRaceLimitRelease,
	"LimitTakeAllRacing":        testRaceLimitTakeAll,
}

// Reports from many addresses racing for a form's last places: exactly
// the form's limit get both places, and the others hold none of their
// address's.
func testRaceLimitTakeAll(t *testing.T, st ports.Store) {
	form, prefix := "form:T"+randomDigits(t, 8), "ip:198.51."+randomDigits(t, 4)+"."
	won := wins(t, func(i int) (bool, error) {
		return st.Limiter().TakeAll(ctx, now, ports.LimitAsk{Key: prefix + strconv.Itoa(i), Limit: 1}, ports.LimitAsk{Key: form, Limit: 4})
	})
	assert.Equal(t, 4, won, "exactly the form's limit")
	free := 0
	for i := range racers {
		if ok, _ := st.Limiter().Take(ctx, prefix+strconv.Itoa(i), 1, now); ok {
			free++
		}
	}
	assert.Equal(t, racers-4, free, "a refused report kept no place of its address's")
}

func testRaceLimit(t *testing.T, st ports.Store) {
	key := "ip:192.0.2." + randomDigits(t, 6)
	won := wins(t, func(i int) (bool, error) {
		return st.Limiter().Take(ctx, key, 5, now.Add(time.Duration(i)*time.Millisecond))
	})
	assert.Equal(t, 5, won, "exactly the limit")
}

// Attempts that give their places back while others take them: whatever
// the order, no more than the limit hold a place at once.
func testRaceLimitRelease(t *testing.T, st ports.Store) {
	key := "form:T" + randomDigits(t, 8)
	held := wins(t, func(i int) (bool, error) {
		ok, err := st.Limiter().Take(ctx, key, 3, now)
		if err != nil || !ok || i%2 == 1 {
			return ok, err
		}
		return false, st.Limiter().Release(ctx, key, now)
	})
	assert.LessOrEqual(t, held, 3)
	left := 0
	for range racers {
		if ok, _ := st.Limiter().Take(ctx, key, 3, now); ok {
			left++
		}
	}
	assert.Equal(t, 3, held+left, "every place is held or free, none lost or made")
}

// RunShared runs the promises two instances sharing one database keep.
// open returns two stores on the same, new database, as two whisperd
// instances would hold them.
func RunShared(t *testing.T, open func(t *testing.T) (a, b ports.Store)) {
	t.Run("LimitIsOneForTheService", func(t *testing.T) {
		a, b := open(t)
		key := "ip:192.0.2." + randomDigits(t, 6)
		won := wins(t, func(i int) (bool, error) {
			st := a
			if i%2 == 1 {
				st = b
			}
			return st.Limiter().Take(ctx, key, 7, now.Add(time.Duration(i)*time.Millisecond))
		})
		assert.Equal(t, 7, won, "two instances let the limit through once, not twice")
	})
}
