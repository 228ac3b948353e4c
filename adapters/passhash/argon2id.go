// Package passhash implements ports.PasswordHasher with argon2id, storing
// hashes as PHC strings ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash") in the
// format of the reference implementation, so hashes carry their own
// parameters and can be checked by other tools.
package passhash

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/semaphore"

	"github.com/whisper-schools/whisper/ports"
)

var _ ports.PasswordHasher = (*Argon2id)(nil)

// Argon2id hashes and verifies passwords with argon2id. Each hash holds its
// Params.Memory KiB for its duration, so hashing runs in slots, each the
// memory of one hash under the hasher's own parameters, and a weighted
// semaphore bounds the slots in use; callers beyond the bound wait, for as
// long as their context allows. A stored hash whose parameters ask for more
// memory holds as many slots as its memory needs, and one that needs more
// than all of them is refused: a planted or corrupted hash cannot take the
// process past its budget.
//
// Passwords are never logged and never appear in errors. An Argon2id is safe
// for concurrent use.
type Argon2id struct {
	params Params
	slots  int64
	sem    *semaphore.Weighted

	// slotHook, when set (by tests only), is called with +n just after n
	// hashing slots are taken and with -n just before they are given back.
	slotHook func(delta int)
}

// New returns a hasher that hashes new passwords with p and runs at most
// maxConcurrent hash computations at once (runtime.NumCPU() when
// maxConcurrent ≤ 0). It panics if p is not valid; check p.Validate first
// when p comes from configuration.
func New(p Params, maxConcurrent int) *Argon2id {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	slots := int64(maxConcurrent)
	return &Argon2id{params: p, slots: slots, sem: semaphore.NewWeighted(slots)}
}

// Hash returns the PHC string of password under a fresh random salt and the
// hasher's parameters. It returns an error wrapping ctx's error when ctx ends
// while it waits for a hashing slot.
func (h *Argon2id) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passhash: reading salt: %w", err)
	}
	key, err := h.derive(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether password matches encoded, recomputing the hash with
// the parameters encoded names (which may differ from the hasher's own). It
// returns an error wrapping ErrInvalidHash when encoded is malformed, uses
// another algorithm or version, or has parameters out of bounds; and an
// error wrapping ctx's error when ctx ends while it waits for a hashing slot.
// A wrong password is false with a nil error.
func (h *Argon2id) Verify(ctx context.Context, password, encoded string) (bool, error) {
	dec, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	key, err := h.derive(ctx, password, dec.salt, dec.params)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, dec.key) == 1, nil
}

// NeedsRehash reports whether encoded should be replaced by a fresh Hash of
// the same password, typically right after a successful Verify: when any of
// its memory, iterations, parallelism, salt length or key length is below the
// hasher's, or when it cannot be parsed at all. Stronger parameters than the
// hasher's do not need a rehash, so lowering the configuration never
// downgrades stored hashes.
func (h *Argon2id) NeedsRehash(encoded string) bool {
	dec, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	return dec.params.weakerThan(h.params)
}

// derive computes the argon2id key of password while holding the hashing
// slots that p's memory needs.
func (h *Argon2id) derive(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	n := h.slotsFor(p)
	if n > h.slots {
		return nil, fmt.Errorf("%w: it needs %d KiB of memory, more than the hashing budget", ErrInvalidHash, p.Memory)
	}
	if err := h.acquire(ctx, n); err != nil {
		return nil, err
	}
	defer h.release(n)
	return argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength), nil
}

// slotsFor is how many slots a hash with parameters p holds: its memory
// over one slot's, rounded up.
func (h *Argon2id) slotsFor(p Params) int64 {
	return max(int64((p.Memory+h.params.Memory-1)/h.params.Memory), 1)
}

func (h *Argon2id) acquire(ctx context.Context, n int64) error {
	// Check first: Acquire may succeed when slots are free and ctx is
	// already done, and a cancelled request should not burn 19 MiB.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("passhash: waiting for a hashing slot: %w", err)
	}
	if err := h.sem.Acquire(ctx, n); err != nil {
		return fmt.Errorf("passhash: waiting for a hashing slot: %w", err)
	}
	if h.slotHook != nil {
		h.slotHook(int(n))
	}
	return nil
}

func (h *Argon2id) release(n int64) {
	if h.slotHook != nil {
		h.slotHook(-int(n))
	}
	h.sem.Release(n)
}
