package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

// testHasher is the password hasher of the app services the suite drives:
// a salted SHA-256, cheap, and no weaker a test of the store than a real
// hash. The suite holds stores to their contract; hashing is
// adapters/passhash's, tested there, and one adapter's suite does not import
// another adapter. Like passhash, it refuses what it cannot parse.
type testHasher struct{}

// testHashPrefix marks the hashes testHasher writes.
const testHashPrefix = "$storetest$"

// Hash returns the prefix, a random salt and the digest, in base64.
func (testHasher) Hash(_ context.Context, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return testHashPrefix + base64.RawStdEncoding.EncodeToString(salt) + "$" + testDigest(salt, password), nil
}

// Verify reports whether password matches encoded.
func (testHasher) Verify(_ context.Context, password, encoded string) (bool, error) {
	salt64, digest, ok := strings.Cut(strings.TrimPrefix(encoded, testHashPrefix), "$")
	salt, err := base64.RawStdEncoding.DecodeString(salt64)
	if !strings.HasPrefix(encoded, testHashPrefix) || !ok || err != nil {
		return false, errors.New("storetest: not a hash of testHasher's")
	}
	return subtle.ConstantTimeCompare([]byte(testDigest(salt, password)), []byte(digest)) == 1, nil
}

func testDigest(salt []byte, password string) string {
	sum := sha256.Sum256(append(salt, password...))
	return base64.RawStdEncoding.EncodeToString(sum[:])
}
