package app

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/ports"
)

// throttle is how guessing slows down for one kind of key. The first free
// failures in a row cost nothing, since everyone mistypes; after that each
// attempt must wait 2^(failures-free) seconds after the last failure, up to
// maxSignInWait. A key with no failure for quiet starts afresh.
type throttle struct {
	prefix string
	free   int
	quiet  time.Duration
}

var (
	// accountThrottle counts failures for one email address, whether an
	// account has it or not. A successful sign-in clears it.
	accountThrottle = throttle{prefix: "email:", free: 5, quiet: 24 * time.Hour}
	// addressThrottle counts failures from one address. A whole school's
	// staff often share one, so it allows more before it slows, and it is
	// never cleared by a success: an attacker could otherwise clear it by
	// signing in to an account of their own between guesses.
	addressThrottle = throttle{prefix: "ip:", free: 20, quiet: time.Hour}
	// deviceThrottle stands in for accountThrottle when the browser holds
	// a device cookie for the account: as strict, so that a stolen cookie
	// guesses no faster, but its own, so that others' failures for the
	// account do not slow the owner. A successful sign-in clears it.
	deviceThrottle = throttle{prefix: "device:", free: 5, quiet: 24 * time.Hour}
	// trustedAddressThrottle stands in for addressThrottle on attempts
	// from a device cookie's browser. The address still throttles them,
	// but under a count of their own: a pupil who fills the school
	// address's count with failures fills only the count of browsers that
	// have never signed in, and staff on browsers that have still get in.
	// A thief with a stolen cookie fills this count alone.
	trustedAddressThrottle = throttle{prefix: "ip-device:", free: 20, quiet: time.Hour}
)

// maxSignInWait is the longest an attempt must wait: long enough to make
// guessing hopeless, short enough that a locked-out colleague can still
// get in before the lesson ends.
const maxSignInWait = 15 * time.Minute

// wait returns how long after now an attempt must wait, given failures
// and the time of the last.
func (t throttle) wait(failures int, last, now time.Time) time.Duration {
	if failures < t.free || now.Sub(last) >= t.quiet {
		return 0
	}
	d := maxSignInWait
	if n := failures - t.free; n < 10 {
		d = min(time.Duration(1<<n)*time.Second, maxSignInWait)
	}
	return max(last.Add(d).Sub(now), 0)
}

type signInKey struct {
	key string
	throttle
}

// signInKeys are the keys an attempt counts against: the account first,
// then the address, an IPv6 one by its first v6bits bits (a client
// usually holds a whole /64), as the rate limits count it.
func signInKeys(email string, ip netip.Addr, v6bits int) []signInKey {
	keys := []signInKey{{accountThrottle.prefix + strings.ToLower(strings.TrimSpace(email)), accountThrottle}}
	if ip.IsValid() {
		keys = append(keys, signInKey{addressThrottle.prefix + clientAddress(ip, v6bits), addressThrottle})
	}
	return keys
}

// trustedKeys are the keys an attempt from a device cookie's browser
// counts against, in place of keys (signInKeys's): the device instead of
// the account, and each address under trustedAddressThrottle instead of
// addressThrottle.
func trustedKeys(keys []signInKey, dev device) []signInKey {
	out := []signInKey{{deviceThrottle.prefix + dev.id, deviceThrottle}}
	for _, k := range keys[1:] {
		out = append(out, signInKey{trustedAddressThrottle.prefix + strings.TrimPrefix(k.key, k.prefix), trustedAddressThrottle})
	}
	return out
}

// countedAttempt is an attempt counted against one key before its password
// was checked: the key's count before, and the count and time it was made.
type countedAttempt struct {
	signInKey
	before  int
	last    time.Time
	counted int
	at      time.Time
}

// reserveAttempt counts an attempt against every key, holding each key's
// count while it decides, or returns a ThrottledError and counts nothing
// when any key must still wait. The key of the account comes first, so
// that concurrent attempts take the keys in one order.
func reserveAttempt(ctx context.Context, tx ports.Tx, keys []signInKey, now time.Time) ([]countedAttempt, error) {
	out := make([]countedAttempt, len(keys))
	var wait time.Duration
	for i, k := range keys {
		n, last, err := tx.SignInFailures().Lock(ctx, k.key)
		if err != nil {
			return nil, err
		}
		wait = max(wait, k.wait(n, last, now))
		out[i] = countedAttempt{signInKey: k, before: n, last: last, at: now}
	}
	if wait > 0 {
		// The caller's transaction fails, and with it anything written.
		return nil, &ThrottledError{Wait: wait}
	}
	for i, c := range out {
		n := c.before
		if n > 0 && now.Sub(c.last) >= c.quiet {
			n = 0
		}
		out[i].counted = n + 1
		if err := tx.SignInFailures().Set(ctx, c.key, n+1, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// giveBack takes back attempts counted by reserveAttempt that did not fail.
func giveBack(ctx context.Context, tx ports.Tx, counted []countedAttempt) error {
	for _, c := range counted {
		if err := tx.SignInFailures().GiveBack(ctx, c.key, c.counted, c.at, c.last); err != nil {
			return err
		}
	}
	return nil
}

// giveBack takes back, in a transaction of its own, attempts whose password
// could not be checked. It is best effort: if it fails, they stay counted,
// which errs on the side of slowing guesses down.
func (s *core) giveBack(ctx context.Context, counted []countedAttempt) {
	_ = s.store.InTx(ctx, func(tx ports.Tx) error { return giveBack(ctx, tx, counted) })
}
