package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/cmd/internal/config"
)

// The configuration sizes the password-hashing budget by a plain number so
// that it imports no adapter; it must be the memory of the hashes whisperd
// and whisperctl actually run.
func TestConfigKnowsThePasswordHashMemory(t *testing.T) {
	assert.Equal(t, passhash.DefaultParams().MemoryMiB(), config.PasswordHashMemoryMiB)
	for _, budget := range []int{0, 18, 19, 64, 1000} {
		c := config.Default()
		c.Security.PasswordHashingMemoryMiB = budget
		assert.Equal(t, passhash.DefaultParams().SlotsWithin(budget), c.PasswordHashingSlots(), "budget %d MiB", budget)
	}
}
