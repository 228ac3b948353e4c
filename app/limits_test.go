package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Housekeeping forgets the rate-limit counts of keys quiet for an hour,
// and keeps those in use.
func TestHousekeepingForgetsQuietLimitKeys(t *testing.T) {
	s := newSchool(t)
	t0 := s.clock.t
	for _, key := range []string{"ip:192.0.2.1", "number:+447700900123"} {
		ok, err := s.store.Limiter().Take(ctx, key, 5, t0)
		require.NoError(t, err)
		require.True(t, ok)
	}
	tidied, err := s.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	assert.Zero(t, tidied.LimitKeys, "both were counted this hour")

	s.clock.t = t0.Add(2 * time.Hour)
	ok, err := s.store.Limiter().Take(ctx, "ip:192.0.2.1", 5, s.clock.t)
	require.NoError(t, err)
	require.True(t, ok)
	tidied, err = s.svc.Operations.Housekeep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, tidied.LimitKeys, "the number quiet for two hours")
}
