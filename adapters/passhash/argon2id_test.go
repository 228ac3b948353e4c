package passhash

import (
	"context"
	"encoding/hex"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"
)

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	h := New(TestParams(), 0)
	ctx := context.Background()

	enc, err := h.Hash(ctx, "correct horse battery staple")
	require.NoError(t, err)

	ok, err := h.Verify(ctx, "correct horse battery staple", enc)
	require.NoError(t, err)
	assert.True(t, ok)

	ok, err = h.Verify(ctx, "correct horse battery stapler", enc)
	require.NoError(t, err)
	assert.False(t, ok, "wrong password must not verify")

	ok, err = h.Verify(ctx, "", enc)
	require.NoError(t, err)
	assert.False(t, ok, "empty password must not verify")
}

func TestHashIsSalted(t *testing.T) {
	t.Parallel()
	h := New(TestParams(), 0)
	a, err := h.Hash(context.Background(), "same password")
	require.NoError(t, err)
	b, err := h.Hash(context.Background(), "same password")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

func TestHashFormatDefault(t *testing.T) {
	t.Parallel()
	enc, err := New(DefaultParams(), 0).Hash(context.Background(), "pw")
	require.NoError(t, err)
	// 16-byte salt → 22 chars, 32-byte key → 43 chars, no padding.
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	assert.Regexp(t, re, enc)
}

// TestKnownAnswerIDKey checks that Verify accepts a hand-built PHC string for
// a key computed directly with argon2.IDKey, i.e. that the encoding and the
// parameter order match.
func TestKnownAnswerIDKey(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("s3cret"), salt, 3, 128, 2, 24)
	enc := fmt.Sprintf("$argon2id$v=19$m=128,t=3,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))

	h := New(TestParams(), 0)
	ok, err := h.Verify(context.Background(), "s3cret", enc)
	require.NoError(t, err)
	assert.True(t, ok)

	ok, err = h.Verify(context.Background(), "s3creT", enc)
	require.NoError(t, err)
	assert.False(t, ok)
}

// TestKnownAnswerReference uses vectors from the reference implementation
// (phc-winner-argon2 src/test.c), to show that hashes are interchangeable
// with other argon2id implementations.
func TestKnownAnswerReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		enc, tagHex string
	}{
		{
			"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
			"9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe",
		},
		{
			"$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
			"6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037",
		},
	} {
		dec, err := parsePHC(tc.enc)
		require.NoError(t, err)
		assert.Equal(t, tc.tagHex, hex.EncodeToString(dec.key))
		assert.Equal(t, "somesalt", string(dec.salt))
		assert.Equal(t, tc.enc, encodePHC(dec.params, dec.salt, dec.key), "re-encoding must be byte-identical")

		h := New(TestParams(), 4) // the vectors use 256 KiB: four slots of TestParams' 64
		ok, err := h.Verify(context.Background(), "password", tc.enc)
		require.NoError(t, err)
		assert.True(t, ok, tc.enc)
		ok, err = h.Verify(context.Background(), "differentpassword", tc.enc)
		require.NoError(t, err)
		assert.False(t, ok, tc.enc)
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	const (
		salt = "c29tZXNhbHQ"                                 // "somesalt", 8 bytes
		key  = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4" // 32 bytes
		pw   = "hunter2-do-not-leak"
	)
	good := "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + key
	h := New(TestParams(), 4) // 256 KiB: four slots of TestParams' 64
	ok, err := h.Verify(context.Background(), "password", good)
	require.NoError(t, err)
	require.True(t, ok, "the base string must be valid for the cases below to mean anything")

	for name, enc := range map[string]string{
		"empty":              "",
		"garbage":            "not a hash",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":            "$argon2i$v=19$m=256,t=2,p=1$" + salt + "$" + key,
		"argon2d":            "$argon2d$v=19$m=256,t=2,p=1$" + salt + "$" + key,
		"version 16":         "$argon2id$v=16$m=256,t=2,p=1$" + salt + "$" + key,
		"no version":         "$argon2id$m=256,t=2,p=1$" + salt + "$" + key,
		"no leading dollar":  "argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + key,
		"missing hash":       "$argon2id$v=19$m=256,t=2,p=1$" + salt,
		"missing salt":       "$argon2id$v=19$m=256,t=2,p=1$$" + key,
		"empty hash":         "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$",
		"extra field":        good + "$x",
		"missing p":          "$argon2id$v=19$m=256,t=2$" + salt + "$" + key,
		"params reordered":   "$argon2id$v=19$t=2,m=256,p=1$" + salt + "$" + key,
		"extra param":        "$argon2id$v=19$m=256,t=2,p=1,keyid=x$" + salt + "$" + key,
		"non-numeric m":      "$argon2id$v=19$m=abc,t=2,p=1$" + salt + "$" + key,
		"negative t":         "$argon2id$v=19$m=256,t=-2,p=1$" + salt + "$" + key,
		"leading zero":       "$argon2id$v=19$m=0256,t=2,p=1$" + salt + "$" + key,
		"huge m overflow":    "$argon2id$v=19$m=99999999999999999999,t=2,p=1$" + salt + "$" + key,
		"m over 1 GiB":       "$argon2id$v=19$m=1048577,t=2,p=1$" + salt + "$" + key,
		"m below 8 per lane": "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + key,
		"t zero":             "$argon2id$v=19$m=256,t=0,p=1$" + salt + "$" + key,
		"t over 100":         "$argon2id$v=19$m=256,t=101,p=1$" + salt + "$" + key,
		"p zero":             "$argon2id$v=19$m=256,t=2,p=0$" + salt + "$" + key,
		"p over 64":          "$argon2id$v=19$m=8192,t=2,p=65$" + salt + "$" + key,
		"bad base64 salt":    "$argon2id$v=19$m=256,t=2,p=1$c29t*XNhbHQ$" + key,
		"bad base64 hash":    "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + key[:20] + "!" + key[21:],
		"padded base64":      "$argon2id$v=19$m=256,t=2,p=1$" + salt + "=$" + key,
		"url base64":         "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + "nf65EOgLrQMR_uIPnA4rEsF5h7TKyQwu9U1bMCHGi_4",
		"newline in hash":    "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + key[:20] + "\n" + key[20:],
		"salt too short":     "$argon2id$v=19$m=256,t=2,p=1$c29tZXNh$" + key, // 6 bytes
		"salt too long":      "$argon2id$v=19$m=256,t=2,p=1$" + b64.EncodeToString(make([]byte, 65)) + "$" + key,
		"hash too short":     "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + b64.EncodeToString(make([]byte, 15)),
		"hash too long":      "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + b64.EncodeToString(make([]byte, 129)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ok, err := h.Verify(context.Background(), pw, enc)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidHash)
			assert.False(t, ok)
			assert.NotContains(t, err.Error(), pw)
			assert.True(t, h.NeedsRehash(enc), "an unusable hash needs replacing")
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	cur := Params{Memory: 1024, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32}
	h := New(cur, 0)

	enc, err := h.Hash(context.Background(), "pw")
	require.NoError(t, err)
	assert.False(t, h.NeedsRehash(enc), "equal parameters")

	weaker := map[string]func(p *Params){
		"memory":      func(p *Params) { p.Memory = 512 },
		"iterations":  func(p *Params) { p.Iterations = 1 },
		"parallelism": func(p *Params) { p.Parallelism = 1 },
		"salt":        func(p *Params) { p.SaltLength = 8 },
		"key":         func(p *Params) { p.KeyLength = 16 },
	}
	for name, weaken := range weaker {
		p := cur
		weaken(&p)
		enc, err := New(p, 0).Hash(context.Background(), "pw")
		require.NoError(t, err)
		assert.True(t, h.NeedsRehash(enc), "weaker %s", name)
	}

	stronger := cur
	stronger.Memory, stronger.Iterations = 2048, 3
	enc, err = New(stronger, 0).Hash(context.Background(), "pw")
	require.NoError(t, err)
	assert.False(t, h.NeedsRehash(enc), "stronger parameters are kept")

	// The usual upgrade path: a TestParams-era hash under DefaultParams.
	old, err := New(TestParams(), 0).Hash(context.Background(), "pw")
	require.NoError(t, err)
	assert.True(t, New(DefaultParams(), 0).NeedsRehash(old))
}

func TestConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	h := New(TestParams(), 2)
	var active, peak atomic.Int32
	h.slotHook = func(delta int) {
		n := active.Add(int32(delta))
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if delta > 0 {
			time.Sleep(5 * time.Millisecond) // hold the slot so others pile up
		}
	}

	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	hashes := make([]string, n)
	for i := range n {
		wg.Go(func() {
			hashes[i], errs[i] = h.Hash(context.Background(), fmt.Sprintf("password %d", i))
		})
	}
	wg.Wait()

	for i := range n {
		require.NoError(t, errs[i], "goroutine %d", i)
		ok, err := h.Verify(context.Background(), fmt.Sprintf("password %d", i), hashes[i])
		require.NoError(t, err)
		assert.True(t, ok)
	}
	assert.Equal(t, int32(2), peak.Load(), "at most 2 at once, and the bound is actually used")
	assert.Equal(t, int32(0), active.Load())
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	stored, err := New(TestParams(), 1).Hash(context.Background(), "password")
	require.NoError(t, err)
	h := New(TestParams(), 1)
	entered := make(chan struct{})
	unblock := make(chan struct{})
	var once sync.Once
	h.slotHook = func(delta int) {
		if delta > 0 {
			once.Do(func() { close(entered) })
			<-unblock
		}
	}

	// Occupy the only slot.
	var holderErr error
	var wg sync.WaitGroup
	wg.Go(func() { _, holderErr = h.Hash(context.Background(), "holder") })
	<-entered

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	_, err = h.Hash(ctx, "waiter")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)

	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	ok, err := h.Verify(dctx, "password", stored)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, ok)

	close(unblock)
	wg.Wait()
	require.NoError(t, holderErr)
}

// A stored hash holds as many slots as its memory needs, and one that
// needs more memory than the whole budget is refused before any is taken.
func TestAHashHoldsTheSlotsItsMemoryNeeds(t *testing.T) {
	t.Parallel()
	reference := "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4" // 256 KiB
	var held []int
	var mu sync.Mutex
	record := func(delta int) { mu.Lock(); held = append(held, delta); mu.Unlock() }

	h := New(TestParams(), 4) // 4 × 64 KiB
	h.slotHook = record
	ok, err := h.Verify(context.Background(), "password", reference)
	require.NoError(t, err)
	assert.True(t, ok)
	_, err = h.Hash(context.Background(), "pw")
	require.NoError(t, err)
	assert.Equal(t, []int{4, -4, 1, -1}, held, "256 KiB takes four slots, a hash of the hasher's own one")

	held = nil
	small := New(TestParams(), 3) // 3 × 64 KiB
	small.slotHook = record
	ok, err = small.Verify(context.Background(), "password", reference)
	assert.ErrorIs(t, err, ErrInvalidHash)
	assert.False(t, ok)
	assert.Empty(t, held, "refused before taking a slot")
}

func TestContextAlreadyCancelled(t *testing.T) {
	t.Parallel()
	h := New(TestParams(), 1) // a slot is free, yet nothing is computed
	var entered atomic.Bool
	h.slotHook = func(int) { entered.Store(true) }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.Hash(ctx, "pw")
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, entered.Load())
}

func TestParamsValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, DefaultParams().Validate())
	require.NoError(t, TestParams().Validate())
	for name, p := range map[string]Params{
		"zero":         {},
		"memory huge":  {Memory: 1<<20 + 1, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32},
		"short salt":   {Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 4, KeyLength: 32},
		"short key":    {Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 8},
		"no iteration": {Memory: 64, Iterations: 0, Parallelism: 1, SaltLength: 16, KeyLength: 32},
	} {
		assert.Error(t, p.Validate(), name)
	}
	assert.Panics(t, func() { New(Params{}, 1) })
}

func TestNewDefaultsConcurrency(t *testing.T) {
	t.Parallel()
	assert.Positive(t, New(TestParams(), 0).slots)
	assert.Positive(t, New(TestParams(), -3).slots)
	assert.Equal(t, int64(5), New(TestParams(), 5).slots)
}

func BenchmarkHashDefault(b *testing.B) {
	h := New(DefaultParams(), 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h := New(DefaultParams(), 1)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ok, err := h.Verify(ctx, "correct horse battery staple", enc)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			b.Fatal("verify failed")
		}
	}
}

func TestSlotsWithinABudget(t *testing.T) {
	p := DefaultParams()
	assert.Equal(t, 19, p.MemoryMiB(), "19 MiB a hash")
	for budget, slots := range map[int]int{0: 1, 19: 1, 37: 1, 38: 2, 64: 3, 200: 10} {
		assert.Equal(t, slots, p.SlotsWithin(budget), "budget %d MiB", budget)
	}
	assert.Equal(t, 2, Params{Memory: 1025}.MemoryMiB(), "rounded up")
}
