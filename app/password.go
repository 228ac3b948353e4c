package app

import (
	"context"
	"net/netip"
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

// ErrPasswordLinkDead answers a set-password link that is unknown, expired
// or used, all alike: a link that once worked and one that never existed
// look the same.
var ErrPasswordLinkDead = &domain.Error{Kind: domain.KindNotFound, Safe: "This link does not work any more."}

// PasswordLinkFor is whose password a set-password link sets.
type PasswordLinkFor struct {
	FirstName string
	Email     string
	ExpiresAt time.Time
}

// PasswordLink says whether a set-password link may still be used, and
// for whom. It returns ErrPasswordLinkDead (KindNotFound) when it may not.
func (s *Portal) PasswordLink(ctx context.Context, token string) (out PasswordLinkFor, err error) {
	defer domain.Wrap(&err, "app.Portal.PasswordLink")
	now := s.now()
	err = s.store.View(ctx, func(tx ports.Tx) error {
		link, m, err := usableLink(ctx, tx, token, now)
		if err != nil {
			return err
		}
		out = PasswordLinkFor{FirstName: m.FirstName, Email: m.Email, ExpiresAt: link.ExpiresAt}
		return nil
	})
	return out, err
}

// SetPassword sets a staff member's password through a set-password link,
// which it spends, and ends every session the member had. A password that
// is too short, too long or too common, or a confirmation that differs,
// comes back as problems and changes nothing; so does a dead link
// (ErrPasswordLinkDead). Two tabs racing with one link get KindConflict in
// the second.
func (s *Portal) SetPassword(ctx context.Context, token, password, confirm string) (err error) {
	defer domain.Wrap(&err, "app.Portal.SetPassword")
	if _, err := s.PasswordLink(ctx, token); err != nil {
		return err
	}
	if err := checkNewPassword(password, confirm).Invalid(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		link, m, err := usableLink(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if err := tx.Staff().UsePasswordLink(ctx, link.TokenHash, now); err != nil {
			return err
		}
		_, err = tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
			if cur.RemovedAt != nil {
				return ErrPasswordLinkDead
			}
			cur.PasswordHash = hash
			return nil
		})
		if err != nil {
			return err
		}
		// Whoever knew the old password is signed out, and the owner, who
		// has just proved they hold the link, is no longer slowed down.
		if err := tx.Sessions().DeleteForStaff(ctx, m.ID); err != nil {
			return err
		}
		return tx.SignInFailures().Clear(ctx, signInKeys(m.Email, netip.Addr{}, s.limits.IPv6Prefix)[0].key)
	})
}

// ChangePassword replaces the actor's password, given the current one,
// and ends every other session of theirs; the one they are using stays.
// Problems name AuthFieldCurrent, AuthFieldPassword and AuthFieldConfirm.
func (s *Portal) ChangePassword(ctx context.Context, a *Actor, current, password, confirm string) (err error) {
	defer domain.Wrap(&err, "app.Portal.ChangePassword")
	problems := checkNewPassword(password, confirm)
	if current == password && len(problems) == 0 {
		problems = append(problems, domain.FieldProblem{Field: AuthFieldPassword, Safe: "Choose a password different from your current one."})
	}
	// The current password is checked last, and only for otherwise good
	// input, so that a mistyped new password costs no attempt.
	if err := problems.Invalid(); err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, a, AuthFieldCurrent, current); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		cur, err := tx.Staff().Change(ctx, a.Staff.ID, func(cur *domain.Staff) error {
			if cur.PasswordHash != a.Staff.PasswordHash {
				return &domain.Error{Kind: domain.KindConflict, Safe: "Your password was changed somewhere else just now. Please sign in again."}
			}
			cur.PasswordHash = hash
			return nil
		})
		if err != nil {
			return err
		}
		// The store ends sessions only all at once, so this one is put
		// back as it was, with its own start and last use.
		sess, err := tx.Sessions().Get(ctx, a.SessionHash)
		if err != nil {
			return err
		}
		if err := tx.Sessions().DeleteForStaff(ctx, cur.ID); err != nil {
			return err
		}
		return tx.Sessions().Create(ctx, sess)
	})
}

// checkNewPassword applies the rules for a new password: its length, not
// a common one, and typed the same twice.
func checkNewPassword(password, confirm string) domain.Problems {
	var p domain.Problems
	if err := domain.CheckPassword(password); err != nil {
		p = append(p, domain.FieldProblem{Field: AuthFieldPassword, Safe: "Choose a password of at least 12 characters (and at most 256). Several unrelated words make a good one."})
	} else if passwords.Common(password) {
		p = append(p, domain.FieldProblem{Field: AuthFieldPassword, Safe: "That password is too common: it is among the first anyone would guess. Choose another – several unrelated words make a good one."})
	}
	if confirm != password {
		p = append(p, domain.FieldProblem{Field: AuthFieldConfirm, Safe: "The two passwords are not the same. Type your new password again."})
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
	return domain.Problems{{Field: field, Safe: "That is not your current password."}}.Invalid()
}

// usableLink finds the link a token opens and the account it is for, or
// ErrPasswordLinkDead.
func usableLink(ctx context.Context, tx ports.Tx, token string, now time.Time) (*domain.PasswordLink, *domain.Staff, error) {
	t, err := domain.ParseToken(token)
	if err != nil {
		return nil, nil, ErrPasswordLinkDead
	}
	link, err := tx.Staff().GetPasswordLink(ctx, t.Hash())
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, nil, ErrPasswordLinkDead
	}
	if err != nil {
		return nil, nil, err
	}
	if !link.Usable(now) {
		return nil, nil, ErrPasswordLinkDead
	}
	m, err := tx.Staff().Get(ctx, link.StaffID)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, nil, ErrPasswordLinkDead
	}
	if err != nil {
		return nil, nil, err
	}
	if m.RemovedAt != nil {
		return nil, nil, ErrPasswordLinkDead
	}
	return link, m, nil
}
