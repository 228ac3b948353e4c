package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// t0 is the fixed "now" of the tests: the domain never reads the clock.
var t0 = time.Date(2026, time.March, 14, 9, 30, 0, 0, time.UTC)

// requireKind checks that err is set and classified as want.
func requireKind(t *testing.T, err error, want domain.Kind) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, want, domain.KindOf(err), "kind of %q", err)
}
