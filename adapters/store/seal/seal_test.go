package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newKey(t testing.TB) []byte {
	t.Helper()
	key := make([]byte, KeySize)
	_, _ = rand.Read(key)
	return key
}

func newKeyring(t testing.TB, primary []byte, older ...[]byte) *Keyring {
	t.Helper()
	k, err := New(primary, older...)
	require.NoError(t, err)
	return k
}

const secret = "Sam in 9B is being bullied at the bus stop"

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	k := newKeyring(t, newKey(t))
	for _, plain := range []string{"x", secret, strings.Repeat("ü", 5000)} {
		sealed := k.Seal(plain, "messages.body:msg_abc")
		require.NotNil(t, sealed)
		assert.Len(t, sealed, headerLen+len(plain)+tagSize)
		assert.Equal(t, version, sealed[0])
		if len(plain) > 8 { // a short string can turn up in random bytes
			assert.NotContains(t, string(sealed), plain)
		}

		got, err := k.Open(sealed, "messages.body:msg_abc")
		require.NoError(t, err)
		assert.Equal(t, plain, got)
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	k := newKeyring(t, newKey(t))
	a := k.Seal(secret, "aad")
	b := k.Seal(secret, "aad")
	assert.NotEqual(t, a, b, "sealing twice must not give the same envelope")
}

func TestOpenWrongAADFails(t *testing.T) {
	t.Parallel()
	k := newKeyring(t, newKey(t))
	sealed := k.Seal(secret, "messages.body:msg_abc")

	for _, aad := range []string{"messages.body:msg_abd", "contacts.email:msg_abc", ""} {
		_, err := k.Open(sealed, aad)
		require.ErrorIs(t, err, ErrAuth, "aad %q", aad)
		assert.NotContains(t, err.Error(), secret)
	}
}

func TestOpenTamperedFails(t *testing.T) {
	t.Parallel()
	k := newKeyring(t, newKey(t))
	sealed := k.Seal(secret, "aad")

	// Flip a bit in the nonce, the ciphertext and the tag in turn.
	for _, i := range []int{1 + idSize, headerLen, len(sealed) - 1} {
		tampered := bytes.Clone(sealed)
		tampered[i] ^= 0x01
		_, err := k.Open(tampered, "aad")
		require.ErrorIs(t, err, ErrAuth, "byte %d", i)
		assert.NotContains(t, err.Error(), secret)
	}
}

func TestOpenMalformed(t *testing.T) {
	t.Parallel()
	k := newKeyring(t, newKey(t))
	sealed := k.Seal(secret, "aad")

	wrongVersion := bytes.Clone(sealed)
	wrongVersion[0] = 0x02
	_, err := k.Open(wrongVersion, "aad")
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "version 2")

	_, err = k.Open(sealed[:headerLen+tagSize-1], "aad")
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "too short")
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKeyBytes := newKey(t), newKey(t)
	before := newKeyring(t, oldKey)
	sealedBefore := before.Seal(secret, "aad")

	after := newKeyring(t, newKeyBytes, oldKey)
	got, err := after.Open(sealedBefore, "aad")
	require.NoError(t, err, "data sealed under an older key must still open")
	assert.Equal(t, secret, got)

	sealedAfter := after.Seal(secret, "aad")
	assert.Equal(t, idOf(newKeyBytes), keyID(sealedAfter[1:1+idSize]), "new seals use the primary key")
	assert.Equal(t, idOf(oldKey), keyID(sealedBefore[1:1+idSize]))
	assert.Equal(t, idOf(newKeyBytes).String(), after.PrimaryKeyID())

	// The old keyring cannot open what the new primary sealed.
	_, err = before.Open(sealedAfter, "aad")
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestOpenUnknownKey(t *testing.T) {
	t.Parallel()
	sealed := newKeyring(t, newKey(t)).Seal(secret, "aad")
	_, err := newKeyring(t, newKey(t)).Open(sealed, "aad")
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Contains(t, err.Error(), fmt.Sprintf("%x", sealed[1:1+idSize]), "the error names the missing key id")
	assert.NotContains(t, err.Error(), secret)
}

func TestEmptyPlaintext(t *testing.T) {
	t.Parallel()
	k := newKeyring(t, newKey(t))
	assert.Nil(t, k.Seal("", "aad"))

	for _, sealed := range [][]byte{nil, {}} {
		got, err := k.Open(sealed, "aad")
		require.NoError(t, err)
		assert.Empty(t, got)
	}
}

func TestNewRejectsBadKeys(t *testing.T) {
	t.Parallel()
	good := newKey(t)

	_, err := New(good[:31])
	require.ErrorContains(t, err, "primary key must be 32 bytes, got 31")

	_, err = New(good, newKey(t), make([]byte, 33))
	require.ErrorContains(t, err, "older key 2 must be 32 bytes, got 33")

	_, err = New(nil)
	require.Error(t, err)

	// Listing the same key twice is harmless.
	k, err := New(good, good)
	require.NoError(t, err)
	got, err := k.Open(k.Seal(secret, "aad"), "aad")
	require.NoError(t, err)
	assert.Equal(t, secret, got)
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	k := newKeyring(t, key)

	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("ready", "keyring", k)
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), logged.String()} {
		assert.Contains(t, out, k.PrimaryKeyID())
		assert.NotContains(t, out, base64.StdEncoding.EncodeToString(key))
		assert.NotContains(t, out, fmt.Sprintf("%x", key))
		assert.NotContains(t, out, fmt.Sprint(key))
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	for name, in := range map[string]string{
		"std":        base64.StdEncoding.EncodeToString(key),
		"raw std":    base64.RawStdEncoding.EncodeToString(key),
		"url":        base64.URLEncoding.EncodeToString(key),
		"raw url":    base64.RawURLEncoding.EncodeToString(key),
		"whitespace": "  \t" + base64.StdEncoding.EncodeToString(key) + "\r\n",
	} {
		got, err := ParseKey(in)
		require.NoError(t, err, name)
		assert.Equal(t, key, got, name)
	}

	for name, in := range map[string]string{
		"empty":      "",
		"blank":      " \n",
		"16 bytes":   base64.StdEncoding.EncodeToString(key[:16]),
		"31 bytes":   base64.StdEncoding.EncodeToString(key[:31]),
		"33 bytes":   base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 0)),
		"garbage":    "this is not a key!!",
		"hex":        fmt.Sprintf("%x", key),
		"inner junk": base64.StdEncoding.EncodeToString(key)[:20] + "$" + base64.StdEncoding.EncodeToString(key)[21:],
	} {
		_, err := ParseKey(in)
		require.Error(t, err, name)
		if strings.TrimSpace(in) != "" {
			assert.NotContains(t, err.Error(), strings.TrimSpace(in), "%s: error echoes the input", name)
			assert.NotContains(t, err.Error(), strings.TrimSpace(in)[:8], "%s: error echoes part of the input", name)
		}
	}
	_, err := ParseKey(base64.StdEncoding.EncodeToString(key[:31]))
	assert.ErrorContains(t, err, "got 31")
}

func BenchmarkSeal(b *testing.B) {
	k := newKeyring(b, newKey(b))
	msg := strings.Repeat("a report of about six hundred bytes. ", 17)[:600]
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		_ = k.Seal(msg, "messages.body:msg_abc")
	}
}
