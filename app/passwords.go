package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/domain/passwords"
	"github.com/whisper-schools/whisper/ports"
)

// Fields of the sign-in and password forms that problems may name.
const (
	AuthFieldPassword = "password"
	AuthFieldConfirm  = "confirm"
	AuthFieldCurrent  = "current"
	AuthFieldCode     = "code"
)

// checkNewPassword applies the rules for a new password: its length, not
// a common one, and typed the same twice.
func checkNewPassword(password, confirm string) domain.Problems {
	var p domain.Problems
	if err := domain.CheckPassword(password); err != nil {
		p = append(p, domain.FieldProblem{Field: AuthFieldPassword, Safe: domain.Say("Choose a password of at least 12 characters (and at most 256). Several unrelated words make a good one.")})
	} else if passwords.Common(password) {
		p = append(p, domain.FieldProblem{Field: AuthFieldPassword, Safe: domain.Say("That password is too common: it is among the first anyone would guess. Choose another – several unrelated words make a good one.")})
	}
	if confirm != password {
		p = append(p, domain.FieldProblem{Field: AuthFieldConfirm, Safe: domain.Say("The two passwords are not the same. Type your new password again.")})
	}
	return p
}

// confirmPassword checks the actor's password before a sensitive change.
// Wrong guesses count against the account, as at sign-in, so a borrowed
// session cannot be used to guess the password; a wrong one is a problem
// on field.
func (s *core) confirmPassword(ctx context.Context, a *Actor, field, password string) error {
	now := s.now()
	keys := signInKeys(a.Staff.Email, netip.Addr{}, s.limits.IPv6Prefix)
	var counted []countedAttempt
	err := s.store.InTx(ctx, func(tx ports.Tx) (err error) {
		counted, err = reserveAttempt(ctx, tx, keys, now)
		return err
	})
	if err != nil {
		return err
	}
	ok, err := s.verifyPassword(ctx, a.Staff, password)
	if err != nil || ok {
		// Only a wrong password counts.
		s.giveBack(ctx, counted)
		return err
	}
	return domain.Problems{{Field: field, Safe: domain.Say("That is not your current password.")}}.Invalid()
}

// SignInHashingWait is how long a sign-in waits for a hashing slot. When
// many people sign in at once, the rest wait their turn (see
// security.password_hashing_memory_mib); past this, a request would not be
// answered in time anyway (whisperd writes for at most 30 s), so it is told
// to try again instead of hashing for nobody.
const SignInHashingWait = 20 * time.Second

// ErrHashingBusy is a sign-in that could not get a hashing slot in time.
var ErrHashingBusy = &domain.Error{Kind: domain.KindUnavailable,
	Safe: domain.Say("A lot of people are signing in right now. Please try again in a minute.")}

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
