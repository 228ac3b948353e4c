package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SignIn is a staff member's attempt to sign in.
type SignIn struct {
	Email    string
	Password string
	// Code is an authenticator code, or a recovery code, for accounts that
	// use an authenticator app; ignored for the others.
	Code string
	// IP is where the attempt came from, for throttling; never stored in
	// clear and never logged.
	IP netip.Addr
	// Previous is the session token the browser already held, if any. It
	// ends when the new session starts, so that signing in always gives a
	// fresh session id that no one could have planted beforehand.
	Previous string
	// Device is the device cookie the browser holds, if any: proof that it
	// has signed in to an account before (see device.go).
	Device string
}

// ErrSignInFailed refuses a sign-in. It is the same error, with the same
// words, for an unknown or removed account, a wrong password and a missing
// or wrong code, so that the sign-in page reveals nothing about who has an
// account.
var ErrSignInFailed = &domain.Error{
	Kind: domain.KindForbidden,
	Safe: "We could not sign you in with those details. Check your email address, your password and, if you use an authenticator app, its code.",
}

// ErrSignInThrottled is what a ThrottledError is: too many failed attempts
// came from this address or for this account, too recently.
var ErrSignInThrottled = &domain.Error{
	Kind: domain.KindUnavailable,
	Safe: "There have been too many attempts to sign in. Please wait before trying again.",
}

// ThrottledError refuses an attempt that came too soon after others
// failed. The password was not checked. Wait says how long until an
// attempt will be heard again.
type ThrottledError struct{ Wait time.Duration }

// Error says what happened, without the wait.
func (e *ThrottledError) Error() string { return ErrSignInThrottled.Error() }

// Unwrap makes errors.Is(err, ErrSignInThrottled) hold.
func (e *ThrottledError) Unwrap() error { return ErrSignInThrottled }

// SignIn checks an email address, password and, for accounts that use
// one, an authenticator or recovery code, and opens a new session. It
// returns the session's secret for the browser's cookie. It is
// SignInFromDevice for callers that keep no device cookie.
func (s *Portal) SignIn(ctx context.Context, in SignIn) (domain.Token, error) {
	out, err := s.SignInFromDevice(ctx, in)
	return out.Token, err
}

// SignedIn is a successful sign-in: the new session's secret, and a fresh
// device cookie for the browser to keep (see device.go).
type SignedIn struct {
	Token  domain.Token
	Device string
}

// SignInFromDevice checks an email address, password and, for accounts
// that use one, an authenticator or recovery code, and opens a new
// session. It returns the session's secret and a new device cookie for the
// browser.
//
// Guessing slows down rather than locks anyone out: after a few failures
// for one account, or many from one address, each further attempt must
// wait twice as long as the last, up to maxSignInWait (see throttle). An
// attempt that comes too soon gets a ThrottledError without its password
// being looked at. Every other attempt is counted as a failure before its
// password is hashed (see reserveAttempt), so that many attempts at once
// are throttled as if they came one after another; one that succeeds is
// then taken back. Unknown accounts are throttled, hashed and timed just
// like real ones.
//
// An attempt from a browser holding a device cookie for the account it
// signs in to is counted against the device and not the account, so that
// failures by others cannot keep the owner out (see trustedKeys).
func (s *Portal) SignInFromDevice(ctx context.Context, in SignIn) (out SignedIn, err error) {
	defer domain.Wrap(&err, "app.Portal.SignInFromDevice")
	now := s.now()
	dev, hasDevice := s.readDeviceCookie(in.Device, now)
	var (
		m       *domain.Staff
		counted []countedAttempt
	)
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		m = nil
		found, err := tx.Staff().GetByEmail(ctx, strings.TrimSpace(in.Email))
		if err != nil && domain.KindOf(err) != domain.KindNotFound {
			return err
		}
		if err == nil && found.RemovedAt == nil {
			m = found
		}
		keys := signInKeys(in.Email, in.IP, s.limits.IPv6Prefix)
		if hasDevice && m != nil && dev.staff == m.ID {
			keys = trustedKeys(keys, dev)
		}
		counted, err = reserveAttempt(ctx, tx, keys, now)
		return err
	})
	if err != nil {
		return out, err
	}
	// The slow hash runs outside any transaction.
	ok, err := s.verifyPassword(ctx, m, in.Password)
	if err != nil {
		// Not a wrong password: the attempt does not count.
		s.giveBack(ctx, counted)
		return out, err
	}
	// A wrong password or code leaves the attempt counted as it was
	// before the hash.
	failed := !ok
	if ok {
		err = s.store.InTx(ctx, func(tx ports.Tx) error {
			var err error
			if failed, err = spendSecondFactor(ctx, tx, m, in.Code, now); err != nil || failed {
				return err
			}
			// The account (or the device) starts afresh; the address,
			// shared by a school's staff, only has this attempt taken back.
			if err := tx.SignInFailures().Clear(ctx, counted[0].key); err != nil {
				return err
			}
			if err := giveBack(ctx, tx, counted[1:]); err != nil {
				return err
			}
			if prev, err := domain.ParseToken(in.Previous); err == nil {
				if err := tx.Sessions().Delete(ctx, prev.Hash()); err != nil {
					return err
				}
			}
			t, err := s.startSession(ctx, tx, m, now)
			if err != nil {
				return err
			}
			out.Token = t
			return tx.Audit().Append(ctx, &domain.AuditEntry{At: now, Actor: staffActor(m.ID), Action: domain.AuditStaffSignIn, OrgID: m.OrgID})
		})
		if err != nil {
			return SignedIn{}, err
		}
	}
	if failed {
		s.meter.SignInFailed()
		return SignedIn{}, ErrSignInFailed
	}
	s.rehash(ctx, m, in.Password)
	if out.Device, err = s.newDeviceCookie(m.ID, now); err != nil {
		return SignedIn{}, err
	}
	return out, nil
}

// spendSecondFactor checks the code of an account that uses an
// authenticator app, against the account as it is now, and spends it: an
// authenticator code's time step is recorded so that it cannot be used
// again, a recovery code is marked used. It reports whether the sign-in
// fails.
func spendSecondFactor(ctx context.Context, tx ports.Tx, m *domain.Staff, code string, now time.Time) (failed bool, err error) {
	cur, err := tx.Staff().Get(ctx, m.ID)
	if err != nil {
		return false, err
	}
	// The account may have changed while the password was being hashed.
	if cur.RemovedAt != nil || cur.PasswordHash != m.PasswordHash {
		return true, nil
	}
	if !cur.TOTPEnabled {
		return false, nil
	}
	if step, ok := totpStep(cur.TOTPSecret, code, now); ok {
		// The step is spent in one conditional write, not from what was
		// read above: requests racing with one code get one true.
		spent, err := tx.Staff().SpendTOTPStep(ctx, cur.ID, step)
		return !spent, err
	}
	rc, ok := normaliseRecoveryCode(code)
	if !ok {
		return true, nil
	}
	used, err := tx.Staff().UseRecoveryCode(ctx, cur.ID, recoveryCodeHash(cur.ID, rc), now)
	return !used, err
}

// EndSession ends the session whose secret is token, if there is one. It is
// how signing out works: knowing a session's secret is the right to end it.
func (s *Portal) EndSession(ctx context.Context, token string) (err error) {
	defer domain.Wrap(&err, "app.Portal.EndSession")
	t, err := domain.ParseToken(token)
	if err != nil {
		return nil
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error { return tx.Sessions().Delete(ctx, t.Hash()) })
}

// MustEnrolTOTP says whether the actor's organisation requires an
// authenticator app that the actor has not yet set up. Until they do, the
// portal shows them only their account page.
func (a *Actor) MustEnrolTOTP() bool { return a.Org.RequireTOTP && !a.Staff.TOTPEnabled }

// SignInHashingWait is how long a sign-in waits for a hashing slot. When
// many people sign in at once, the rest wait their turn (see
// security.password_hashing_memory_mib); past this, a request would not be
// answered in time anyway (whisperd writes for at most 30 s), so it is told
// to try again instead of hashing for nobody.
const SignInHashingWait = 20 * time.Second

// ErrHashingBusy is a sign-in that could not get a hashing slot in time.
var ErrHashingBusy = &domain.Error{Kind: domain.KindUnavailable,
	Safe: "A lot of people are signing in right now. Please try again in a minute."}

// verifyPassword checks password against m's hash, waiting at most
// SignInHashingWait for a hashing slot (ErrHashingBusy).
func (s *core) verifyPassword(ctx context.Context, m *domain.Staff, password string) (bool, error) {
	waiting, cancel := context.WithTimeout(ctx, SignInHashingWait)
	defer cancel()
	ok, err := s.checkPassword(waiting, m, password)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return false, fmt.Errorf("%w: %w", ErrHashingBusy, err)
	}
	return ok, err
}

// checkPassword checks password against m's hash. With no account, or an
// account whose owner has not yet chosen a password, it checks against a
// dummy hash instead, so that the answer takes as long as for a real one.
func (s *core) checkPassword(ctx context.Context, m *domain.Staff, password string) (bool, error) {
	if m != nil && m.PasswordHash != "" {
		return s.hasher.Verify(ctx, password, m.PasswordHash)
	}
	dummy, err := s.dummyHash(ctx)
	if err != nil {
		return false, err
	}
	_, err = s.hasher.Verify(ctx, password, dummy)
	return false, err
}

// dummyHashes keeps, for each hasher, a hash of a random password nobody
// knows. It is made by the hasher itself, so it carries the hasher's
// current parameters and costs what a real account's hash costs.
var dummyHashes sync.Map

func (s *core) dummyHash(ctx context.Context) (string, error) {
	cacheable := reflect.TypeOf(s.hasher).Comparable()
	if cacheable {
		if h, ok := dummyHashes.Load(s.hasher); ok {
			return h.(string), nil
		}
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	h, err := s.hasher.Hash(ctx, base64.RawStdEncoding.EncodeToString(secret))
	if err != nil {
		return "", err
	}
	if cacheable {
		dummyHashes.Store(s.hasher, h)
	}
	return h, nil
}

// rehash replaces m's password hash after a successful sign-in when the
// hasher's parameters have been raised since it was made. It is best
// effort: the sign-in has already succeeded, and a failure here only means
// the next sign-in tries again.
func (s *core) rehash(ctx context.Context, m *domain.Staff, password string) {
	h, ok := s.hasher.(interface{ NeedsRehash(encoded string) bool })
	if !ok || !h.NeedsRehash(m.PasswordHash) {
		return
	}
	fresh, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return
	}
	_ = s.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
			// A password changed meanwhile stays changed.
			if cur.PasswordHash == m.PasswordHash {
				cur.PasswordHash = fresh
			}
			return nil
		})
		return err
	})
}

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
