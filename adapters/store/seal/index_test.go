package seal

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIndex(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	k := newKeyring(t, key)

	idx := k.Index("email", "sam@school.org")
	assert.Len(t, idx, 64)
	_, err := hex.DecodeString(idx)
	require.NoError(t, err)

	assert.Equal(t, idx, k.Index("email", "sam@school.org"), "deterministic")
	assert.Equal(t, idx, newKeyring(t, key).Index("email", "sam@school.org"), "same key, same index across keyrings")
	assert.NotEqual(t, idx, k.Index("phone", "sam@school.org"), "differs by kind")
	assert.NotEqual(t, idx, k.Index("email", "kim@school.org"), "differs by value")
	assert.NotEqual(t, idx, newKeyring(t, newKey(t)).Index("email", "sam@school.org"), "differs by key")

	// The zero separator keeps kind and value from running together.
	assert.NotEqual(t, k.Index("ab", "c"), k.Index("a", "bc"))
}

func TestIndexUsesPrimaryKey(t *testing.T) {
	t.Parallel()
	oldKey, newKeyBytes := newKey(t), newKey(t)
	rotated := newKeyring(t, newKeyBytes, oldKey)
	assert.Equal(t, newKeyring(t, newKeyBytes).Index("email", "a@b.c"), rotated.Index("email", "a@b.c"))
	assert.NotEqual(t, newKeyring(t, oldKey).Index("email", "a@b.c"), rotated.Index("email", "a@b.c"))
}

func TestIndexEmptyValue(t *testing.T) {
	t.Parallel()
	assert.Empty(t, newKeyring(t, newKey(t)).Index("email", ""))
}

func TestNormaliseEmailForIndex(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sam@school.org":           "sam@school.org",
		"  Sam.Jones@School.ORG\n": "sam.jones@school.org",
		"":                         "",
		"  ":                       "",
	} {
		assert.Equal(t, want, NormaliseEmailForIndex(in), "%q", in)
	}

	k := newKeyring(t, newKey(t))
	assert.Equal(t,
		k.Index("email", NormaliseEmailForIndex("sam@school.org")),
		k.Index("email", NormaliseEmailForIndex(" SAM@School.org ")))
}

func TestSubkeysAreBoundToTheirPurposeAndKey(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	k := newKeyring(t, key)
	a := k.Subkey("whisper device cookie v1")
	assert.Len(t, a, 32)
	assert.Equal(t, a, newKeyring(t, key).Subkey("whisper device cookie v1"), "same key and purpose, same subkey")
	assert.NotEqual(t, a, k.Subkey("whisper audit chain v1"), "differs by purpose")
	assert.NotEqual(t, a, newKeyring(t, newKey(t)).Subkey("whisper device cookie v1"), "differs by key")
	assert.NotEqual(t, a, k.indexKey, "never the blind index key")
	assert.NotEqual(t, a, key, "never the master key")
	older := newKey(t)
	assert.Equal(t, a, newKeyring(t, key, older).Subkey("whisper device cookie v1"), "older keys play no part")
}
