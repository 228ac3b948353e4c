package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// RemoveMember removes a member: they are signed out at once, everywhere,
// can no longer sign in, and lose their inboxes, password and
// authenticator. Their replies keep their name. An admin cannot remove
// themselves, and an organisation always keeps an admin. A refusal comes
// back as a problem with field "remove".
func (s *Admin) RemoveMember(ctx context.Context, a *Actor, id domain.StaffID) (err error) {
	defer domain.Wrap(&err, "app.Admin.RemoveMember")
	if err := requireAdmin(a); err != nil {
		return err
	}
	now := s.now()
	return s.changeIntake(ctx, func(tx ports.Tx) error {
		// As in UpdateMember: the member is read under the lock.
		if err := tx.Organisations().Lock(ctx, a.Org.ID); err != nil {
			return err
		}
		member, err := ownMember(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if member.ID == a.Staff.ID {
			return domain.Problems{{Field: "remove", Safe: domain.Say("you cannot remove yourself; ask another admin")}}.Invalid()
		}
		if err := keepsAnAdmin(ctx, tx, a, member); err != nil {
			if domain.KindOf(err) == domain.KindInvalid {
				return domain.Problems{{Field: "remove", Safe: domain.SafeWords(err)}}.Invalid()
			}
			return err
		}
		if err := stillAdmin(ctx, tx, a); err != nil {
			return err
		}
		_, err = tx.Staff().Change(ctx, member.ID, func(cur *domain.Staff) error {
			cur.RemovedAt = &now
			cur.InboxIDs = nil
			cur.PasswordHash, cur.TOTPSecret, cur.TOTPEnabled = "", "", false
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.Staff().SetRecoveryCodes(ctx, member.ID, nil); err != nil {
			return err
		}
		if err := tx.Audit().Append(ctx, &domain.AuditEntry{At: now, Actor: staffActor(a.Staff.ID), Action: domain.AuditStaffRemoved,
			OrgID: a.Org.ID, Details: map[string]string{"staff": string(member.ID)}}); err != nil {
			return err
		}
		return tx.Sessions().DeleteForStaff(ctx, member.ID)
	})
}
