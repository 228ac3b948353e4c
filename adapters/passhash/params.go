package passhash

import (
	"errors"
	"fmt"
)

// Bounds on the parameters this package will hash with or verify against.
// They are generous enough for any sensible configuration and small enough
// that a corrupted or planted hash cannot make one Verify call allocate
// gigabytes or run for minutes.
const (
	maxMemoryKiB   = 1 << 20 // 1 GiB
	maxIterations  = 100
	maxParallelism = 64
	minSaltLength  = 8 // the Argon2 minimum
	maxSaltLength  = 64
	minKeyLength   = 16
	maxKeyLength   = 128
)

// Params are the argon2id cost parameters. They are written into every
// encoded hash, so they can be raised later without breaking old hashes; see
// NeedsRehash.
type Params struct {
	Memory      uint32 // memory cost in KiB
	Iterations  uint32 // time cost: passes over memory
	Parallelism uint8  // lanes (threads)
	SaltLength  uint32 // bytes of random salt per hash
	KeyLength   uint32 // bytes of derived key (the stored hash)
}

// DefaultParams returns the OWASP / ASVS recommended argon2id parameters:
// 19 MiB of memory, 2 iterations, parallelism 1, a 16-byte salt and a 32-byte
// key. One hash takes roughly 19 MiB and some tens of milliseconds.
func DefaultParams() Params {
	return Params{
		Memory:      19 * 1024,
		Iterations:  2,
		Parallelism: 1,
		SaltLength:  16,
		KeyLength:   32,
	}
}

// TestParams returns tiny parameters (64 KiB, one iteration) so that test
// suites which hash passwords stay fast. They offer no real protection: use
// them in tests only, never in a running server.
func TestParams() Params {
	return Params{
		Memory:      64,
		Iterations:  1,
		Parallelism: 1,
		SaltLength:  16,
		KeyLength:   32,
	}
}

// Validate reports whether p lies within the bounds this package accepts:
// memory from 8 KiB per lane up to 1 GiB, 1–100 iterations, parallelism 1–64,
// salt 8–64 bytes and key 16–128 bytes. Call it when p comes from
// configuration, before New.
func (p Params) Validate() error {
	switch {
	case p.Parallelism < 1 || p.Parallelism > maxParallelism:
		return errors.New("passhash: parallelism must be between 1 and 64")
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemoryKiB:
		return errors.New("passhash: memory must be between 8 KiB per lane and 1 GiB")
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return errors.New("passhash: iterations must be between 1 and 100")
	case p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength:
		return errors.New("passhash: salt length must be between 8 and 64 bytes")
	case p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength:
		return errors.New("passhash: key length must be between 16 and 128 bytes")
	}
	return nil
}

// weakerThan reports whether any of p's costs is below the matching cost in
// q.
func (p Params) weakerThan(q Params) bool {
	return p.Memory < q.Memory ||
		p.Iterations < q.Iterations ||
		p.Parallelism < q.Parallelism ||
		p.SaltLength < q.SaltLength ||
		p.KeyLength < q.KeyLength
}

// String formats p for logs and configuration dumps; parameters are not
// secret.
func (p Params) String() string {
	return fmt.Sprintf("m=%d,t=%d,p=%d,salt=%d,key=%d", p.Memory, p.Iterations, p.Parallelism, p.SaltLength, p.KeyLength)
}

// MemoryMiB is the memory one hash holds while it runs, in MiB rounded up.
func (p Params) MemoryMiB() int { return int((p.Memory + 1023) / 1024) }

// SlotsWithin returns how many hashes may run at once within budgetMiB of
// memory: the budget divided by one hash's memory, rounded down, and at
// least one. It is what New's maxConcurrent should be under a budget.
func (p Params) SlotsWithin(budgetMiB int) int { return max(budgetMiB/p.MemoryMiB(), 1) }
