package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InboxChoice is an inbox as a list of checkboxes offers it.
type InboxChoice struct {
	ID domain.InboxID
	// Label is the inbox's name, with its form's when the organisation has
	// several forms (each has a "General").
	Label string
}

// StaffDirectory is an organisation's current members, oldest first, and
// the inboxes they may be assigned to.
type StaffDirectory struct {
	Members []*domain.Staff
	Inboxes []InboxChoice
}

// Staff returns the organisation's members; removed accounts are left
// out.
func (s *Admin) Staff(ctx context.Context, a *Actor) (out StaffDirectory, err error) {
	defer domain.Wrap(&err, "app.Admin.Staff")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Members, err = tx.Staff().List(ctx, ports.StaffFilter{OrgID: &a.Org.ID}); err != nil {
			return err
		}
		out.Inboxes, err = inboxChoices(ctx, tx, a)
		return err
	})
	return out, err
}

// inboxChoices lists the organisation's inboxes form by form, oldest form
// first, each form's in order.
func inboxChoices(ctx context.Context, tx ports.Tx, a *Actor) ([]InboxChoice, error) {
	forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &a.Org.ID})
	if err != nil {
		return nil, err
	}
	inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &a.Org.ID})
	if err != nil {
		return nil, err
	}
	var out []InboxChoice
	for _, f := range forms {
		for _, ib := range inboxes {
			if ib.FormID != f.ID {
				continue
			}
			label := ib.Name
			if len(forms) > 1 {
				label += " (" + f.Name + ")"
			}
			out = append(out, InboxChoice{ID: ib.ID, Label: label})
		}
	}
	return out, nil
}

// checkChoices says whether every id is one of choices, and returns them
// without repeats.
func checkChoices(ids []domain.InboxID, choices []InboxChoice) ([]domain.InboxID, error) {
	out := []domain.InboxID{}
	for _, id := range ids {
		if !slices.ContainsFunc(choices, func(c InboxChoice) bool { return c.ID == id }) {
			return nil, domain.Errorf(domain.KindInvalid, "choose inboxes from the list")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// AdminMember is one member as an admin manages them.
type AdminMember struct {
	Member  *domain.Staff
	Inboxes []InboxChoice
	// Self is set when the member is the actor, who may change neither
	// their own role nor remove themselves.
	Self bool
}

// Member returns one current member of the organisation, or
// KindNotFound.
func (s *Admin) Member(ctx context.Context, a *Actor, id domain.StaffID) (out AdminMember, err error) {
	defer domain.Wrap(&err, "app.Admin.Member")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Member, err = ownMember(ctx, tx, a, id); err != nil {
			return err
		}
		out.Self = out.Member.ID == a.Staff.ID
		out.Inboxes, err = inboxChoices(ctx, tx, a)
		return err
	})
	return out, err
}

// ownMember loads a current member of the actor's organisation; a removed
// account, or anyone else's, is errNoSuch.
func ownMember(ctx context.Context, tx ports.Tx, a *Actor, id domain.StaffID) (*domain.Staff, error) {
	m, err := tx.Staff().Get(ctx, id)
	var org domain.OrgID
	if m != nil {
		org = m.OrgID
	}
	if err := ownedBy(a, org, err); err != nil {
		return nil, err
	}
	if m.RemovedAt != nil {
		return nil, errNoSuch
	}
	return m, nil
}

// Invite is an admin's request for a new member.
type Invite struct {
	Email     string
	FirstName string
	LastName  string
	// Role is admin or staff.
	Role     string
	InboxIDs []domain.InboxID
}

// errEmailTaken answers an invitation of someone who is already a member
// of the admin's own organisation. It reveals nothing about any other: an
// address that signs in to another organisation's account is invited like
// any other address (see addressElsewhere).
var errEmailTaken = domain.Errorf(domain.KindInvalid, "someone with that address is already a member here")

// InviteStaff adds a member without a password and, in the same
// transaction, queues an email with their one-time set-password link, so
// that the account and its invitation exist together or not at all. The
// link is never shown to the admin: it lets its holder become the member.
// Problems come back with fields "email", "first_name", "last_name",
// "role" and "inboxes".
//
// An address that already signs in to an account of another organisation
// gets the same answer, and the same entry in the staff list, as any
// other: otherwise any admin could find out who uses Whisper at other
// schools. Its member cannot sign in (one address, one account), and the
// address is emailed a note saying so instead of a link.
func (s *Admin) InviteStaff(ctx context.Context, a *Actor, in Invite) (member *domain.Staff, err error) {
	defer domain.Wrap(&err, "app.Admin.InviteStaff")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var problems domain.Problems
	email, err := domain.ParseEmail(in.Email)
	problems.Add("email", err)
	problems.Add("first_name", checkPersonName(in.FirstName, true))
	problems.Add("last_name", checkPersonName(in.LastName, false))
	role, err := domain.ParseRole(in.Role)
	if err != nil {
		err = domain.Errorf(domain.KindInvalid, "choose staff or admin")
	}
	problems.Add("role", err)
	create := CreateStaff{OrgID: a.Org.ID, Email: email, FirstName: in.FirstName, LastName: in.LastName, Role: role, Actor: staffActor(a.Staff.ID)}
	d, err := s.draftStaff(ctx, &create)
	if err != nil {
		return nil, err
	}
	deliveryID, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return nil, err
	}
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		choices, err := inboxChoices(ctx, tx, a)
		if err != nil {
			return err
		}
		create.InboxIDs, err = checkChoices(in.InboxIDs, choices)
		problems.Add("inboxes", err)
		d := d
		if email != "" {
			if d.elsewhere, err = addressElsewhere(ctx, tx, a.Org.ID, email); domain.KindOf(err) == domain.KindInvalid {
				problems.Add("email", err)
			} else if err != nil {
				return err
			}
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		if member, err = createStaff(ctx, tx, create, d); err != nil {
			return err
		}
		invite := domain.StaffInvite(deliveryID, member, a.Org, s.invitationLink(member, d), d.now)
		return tx.Outbox().Enqueue(ctx, invite)
	})
	if domain.KindOf(err) == domain.KindConflict {
		// Another invitation took the address between the check and the
		// insert.
		return nil, domain.Problems{{Field: "email", Safe: domain.SafeMessage(errEmailTaken)}}.Invalid()
	}
	if err != nil {
		return nil, err
	}
	return member, nil
}

// addressElsewhere says whether email signs in to an account of another
// organisation than org. It returns errEmailTaken when the address is
// already a current member of org itself, whether or not they can sign in.
func addressElsewhere(ctx context.Context, tx ports.Tx, org domain.OrgID, email string) (bool, error) {
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
	if err != nil {
		return false, err
	}
	for _, m := range members {
		if strings.EqualFold(strings.TrimSpace(m.Email), strings.TrimSpace(email)) {
			return false, errEmailTaken
		}
	}
	found, err := tx.Staff().GetByEmail(ctx, email)
	if domain.KindOf(err) == domain.KindNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return found.OrgID != org, nil
}

// invitationLink is the set-password link an invitation carries, or none
// for a member who SignsInElsewhere: their invitation says why instead.
func (s *core) invitationLink(member *domain.Staff, d staffDraft) string {
	if d.elsewhere {
		return ""
	}
	return s.staffCreated(member, d).SetPasswordURL
}

// checkPersonName applies domain.NewStaff's rules to one name, so that the
// message can stand beside its field.
func checkPersonName(name string, required bool) error {
	name = strings.TrimSpace(name)
	if required && name == "" {
		return domain.Errorf(domain.KindInvalid, "enter a first name: reporters see it on replies")
	}
	if utf8.RuneCountInString(name) > 100 {
		return domain.Errorf(domain.KindInvalid, "a name is at most 100 characters")
	}
	return nil
}

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
			return domain.Problems{{Field: "remove", Safe: "you cannot remove yourself; ask another admin"}}.Invalid()
		}
		if err := keepsAnAdmin(ctx, tx, a, member); err != nil {
			if domain.KindOf(err) == domain.KindInvalid {
				return domain.Problems{{Field: "remove", Safe: domain.SafeMessage(err)}}.Invalid()
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
