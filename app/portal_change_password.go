package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ChangePassword replaces the actor's password, given the current one,
// and ends every other session of theirs; the one they are using stays.
// Problems name AuthFieldCurrent, AuthFieldPassword and AuthFieldConfirm.
func (s *Portal) ChangePassword(ctx context.Context, a *Actor, current, password, confirm string) (err error) {
	defer domain.Wrap(&err, "app.Portal.ChangePassword")
	problems := checkNewPassword(password, confirm)
	if current == password && len(problems) == 0 {
		problems = append(problems, domain.FieldProblem{Field: AuthFieldPassword, Safe: domain.Say("Choose a password different from your current one.")})
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
				return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("Your password was changed somewhere else just now. Please sign in again.")}
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
