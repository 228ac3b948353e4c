package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// MemberSettings are a member's role and inboxes as an admin edits them.
type MemberSettings struct {
	// Role is admin or staff.
	Role     string
	InboxIDs []domain.InboxID
}

// UpdateMember sets a member's role and inbox assignments. An admin cannot
// change their own role, and an organisation always keeps an admin.
// Problems come back with fields "role" and "inboxes".
func (s *Admin) UpdateMember(ctx context.Context, a *Actor, id domain.StaffID, in MemberSettings) (member *domain.Staff, err error) {
	defer domain.Wrap(&err, "app.Admin.UpdateMember")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var problems domain.Problems
	role, err := domain.ParseRole(in.Role)
	if err != nil {
		err = domain.Errorf(domain.KindInvalid, "choose staff or admin")
	}
	problems.Add("role", err)
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		// The member is read under the organisation's lock, so their role
		// is as it is now, not as it was before another admin's change.
		if err := tx.Organisations().Lock(ctx, a.Org.ID); err != nil {
			return err
		}
		if member, err = ownMember(ctx, tx, a, id); err != nil {
			return err
		}
		choices, err := inboxChoices(ctx, tx, a)
		if err != nil {
			return err
		}
		inboxes, err := checkChoices(in.InboxIDs, choices)
		problems.Add("inboxes", err)
		if role != "" && role != member.Role {
			if member.ID == a.Staff.ID {
				problems.Add("role", domain.Errorf(domain.KindInvalid, "you cannot change your own role; ask another admin"))
			} else if err := keepsAnAdmin(ctx, tx, a, member); domain.KindOf(err) == domain.KindInvalid {
				problems.Add("role", err)
			} else if err != nil {
				return err
			}
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		if err := stillAdmin(ctx, tx, a); err != nil {
			return err
		}
		if role != member.Role {
			if err := tx.Audit().Append(ctx, &domain.AuditEntry{At: s.now(), Actor: staffActor(a.Staff.ID), Action: domain.AuditStaffRole,
				OrgID: a.Org.ID, Details: map[string]string{"staff": string(member.ID), "from": string(member.Role), "to": string(role)}}); err != nil {
				return err
			}
		}
		if !sameInboxes(member.InboxIDs, inboxes) {
			if err := s.record(ctx, tx, byStaff(a, domain.AuditStaffInboxes, map[string]string{"staff": string(member.ID), "inboxes": howMany(inboxes)})); err != nil {
				return err
			}
		}
		member, err = tx.Staff().Change(ctx, member.ID, func(cur *domain.Staff) error {
			cur.Role, cur.InboxIDs = role, inboxes
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return member, nil
}

// keepsAnAdmin refuses to take away the last admin of the organisation:
// without one, nobody could manage it again. The caller holds the
// organisation's lock (OrganisationRepo.Lock) from before it read leaving,
// and every change of a role or removal takes it, so that two admins
// demoting each other at once cannot both succeed.
func keepsAnAdmin(ctx context.Context, tx ports.Tx, a *Actor, leaving *domain.Staff) error {
	if leaving.Role != domain.RoleAdmin {
		return nil
	}
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &a.Org.ID})
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == domain.RoleAdmin && m.ID != leaving.ID {
			return nil
		}
	}
	return domain.Errorf(domain.KindInvalid, "an organisation needs at least one admin")
}

// stillAdmin refuses an actor who is no longer an admin of the
// organisation: the actor was loaded when the request began, and another
// admin may have demoted or removed them since. The caller holds the
// organisation's lock, so the answer holds until it commits. It comes after
// the last-admin rule, which refuses whoever asks.
func stillAdmin(ctx context.Context, tx ports.Tx, a *Actor) error {
	cur, err := tx.Staff().Get(ctx, a.Staff.ID)
	if domain.KindOf(err) == domain.KindNotFound {
		return ErrAdminOnly
	}
	if err != nil {
		return err
	}
	if cur.RemovedAt != nil || cur.Role != domain.RoleAdmin || cur.OrgID != a.Org.ID {
		return ErrAdminOnly
	}
	return nil
}
