package app

import (
	"context"
	"net/netip"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

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
