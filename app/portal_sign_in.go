package app

import (
	"context"
	"net/netip"
	"strings"
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
	Safe: domain.Say("We could not sign you in with those details. Check your email address, your password and, if you use an authenticator app, its code."),
}

// ErrSignInThrottled is what a ThrottledError is: too many failed attempts
// came from this address or for this account, too recently.
var ErrSignInThrottled = &domain.Error{
	Kind: domain.KindUnavailable,
	Safe: domain.Say("There have been too many attempts to sign in. Please wait before trying again."),
}

// ErrSSORequired refuses a password for an address whose organisation
// signs its staff in only through its own provider. It depends on the
// address's domain alone, which the login page shows anyway, so it
// reveals nothing about who has an account.
var ErrSSORequired = &domain.Error{
	Kind: domain.KindForbidden,
	Safe: domain.Say("Your school signs you in with your school account, not a password."),
}

// ThrottledError refuses an attempt that came too soon after others
// failed. The password was not checked. Wait says how long until an
// attempt will be heard again.
type ThrottledError struct{ Wait time.Duration }

// Error says what happened, without the wait.
func (e *ThrottledError) Error() string { return ErrSignInThrottled.Error() }

// Unwrap makes errors.Is(err, ErrSignInThrottled) hold.
func (e *ThrottledError) Unwrap() error { return ErrSignInThrottled }

// SignedIn is a successful sign-in: the new session's secret, and a fresh
// device cookie for the browser to keep (see device.go).
type SignedIn struct {
	Token  domain.Token
	Device string
}

// SignIn checks an email address, password and, for accounts
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
func (s *Portal) SignIn(ctx context.Context, in SignIn) (out SignedIn, err error) {
	defer domain.Wrap(&err, "app.Portal.SignIn")
	if required, err := s.SSORequiredFor(ctx, strings.TrimSpace(in.Email)); err != nil || required {
		if err == nil {
			err = ErrSSORequired
		}
		return out, err
	}
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
		if m != nil {
			// A member whose address is outside its organisation's SSO
			// domains is still held to a required SSO: the account is
			// treated as unknown, hashed and timed like one.
			set, err := tx.SSO().Get(ctx, m.OrgID)
			if err == nil && set.Required {
				m = nil
			} else if err != nil && domain.KindOf(err) != domain.KindNotFound {
				return err
			}
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
