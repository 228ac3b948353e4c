package ports

import (
	"context"
	"io"
	"time"
)

// Clock tells the time. The core never reads the system clock itself, so
// tests can move time (retention, expiry) at will.
type Clock interface {
	Now() time.Time
}

// Random is the source of every id, reference and token. In production it is
// crypto/rand; tests may make it deterministic.
type Random = io.Reader

// PasswordHasher turns passwords into slow, salted hashes and checks them.
type PasswordHasher interface {
	// Hash returns an encoded hash of password that names its own
	// parameters, so they can be raised later.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded.
	Verify(ctx context.Context, password, encoded string) (bool, error)
}
