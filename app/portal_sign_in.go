package app

import (
	"context"
	"net/netip"
	"time"

	"github.com/whisper-schools/whisper/domain"
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
