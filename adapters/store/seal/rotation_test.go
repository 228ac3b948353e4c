package seal_test

import (
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/seal"
)

func randomKey(t *testing.T) []byte {
	key := make([]byte, seal.KeySize)
	_, err := rand.Read(key)
	require.NoError(t, err)
	return key
}

func TestFingerprintNamesAKeyOnly(t *testing.T) {
	a, b := randomKey(t), randomKey(t)
	assert.Equal(t, seal.Fingerprint(a), seal.Fingerprint(a))
	assert.NotEqual(t, seal.Fingerprint(a), seal.Fingerprint(b))
	assert.Len(t, seal.Fingerprint(a), 32)
	k, err := seal.New(b, a)
	require.NoError(t, err)
	assert.Equal(t, seal.Fingerprint(b), k.Fingerprint())
	assert.Equal(t, []string{seal.Fingerprint(a)}, k.OlderFingerprints())
}

// A keyring after a rotation: the new key alone, with the old key's index
// key retained, finds what the old keyring indexed and keeps its chain.
func TestRetainedIndexKeyOutlivesTheKey(t *testing.T) {
	old, next := randomKey(t), randomKey(t)
	before, err := seal.New(old)
	require.NoError(t, err)
	during, err := seal.New(next, old)
	require.NoError(t, err)
	ix := before.Index("secret.session", "h")
	assert.Equal(t, []string{during.Index("secret.session", "h"), ix}, during.Lookups("secret.session", "h"))

	sealed, err := during.SealRetained(seal.Fingerprint(old))
	require.NoError(t, err)
	assert.True(t, during.SealedUnderPrimary(sealed))
	_, err = during.SealRetained(seal.Fingerprint(randomKey(t)))
	assert.ErrorIs(t, err, seal.ErrNotHeld)

	alone, err := seal.New(next)
	require.NoError(t, err)
	after, err := alone.WithStored(seal.Fingerprint(next), []seal.Retained{{Fingerprint: seal.Fingerprint(old), Sealed: sealed, Chain: true}})
	require.NoError(t, err)
	assert.Contains(t, after.Lookups("secret.session", "h"), ix)
	assert.Equal(t, before.Chain("audit-chain", "x"), after.Chain("audit-chain", "x"), "the chain keeps its key")

	// While preparing, the chain is the database's key's, from the older keys.
	prepared, err := during.WithStored(seal.Fingerprint(old), nil)
	require.NoError(t, err)
	assert.Equal(t, before.Chain("audit-chain", "x"), prepared.Chain("audit-chain", "x"))
	_, err = alone.WithStored(seal.Fingerprint(old), nil)
	assert.ErrorIs(t, err, seal.ErrNotHeld)
}
