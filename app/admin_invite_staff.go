package app

import (
	"context"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Invite is an admin's request for a new member.
type Invite struct {
	Email     string
	FirstName string
	LastName  string
	// Role is admin or staff.
	Role     string
	InboxIDs []domain.InboxID
	// Language is the language of the invitation, and of the new member's
	// portal and emails until they choose: en or cy. Empty is the
	// inviting admin's own.
	Language string
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
	email, problems := checkPerson(in.Email, in.FirstName, in.LastName)
	role, err := domain.ParseRole(in.Role)
	if err != nil {
		err = domain.Errorf(domain.KindInvalid, "choose staff or admin")
	}
	problems.Add("role", err)
	lang := a.Staff.Language.OrEnglish()
	if in.Language != "" {
		if lang, err = domain.ParseLanguage(in.Language); err != nil {
			problems.Add("language", domain.Errorf(domain.KindInvalid, "choose English or Welsh"))
		}
	}
	create := CreateStaff{OrgID: a.Org.ID, Email: email, FirstName: in.FirstName, LastName: in.LastName, Role: role, Language: lang, Actor: staffActor(a.Staff.ID)}
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
			if d.elsewhere, err = addressElsewhere(ctx, tx, a.Org.ID, email, ""); domain.KindOf(err) == domain.KindInvalid {
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
		return nil, domain.Problems{{Field: "email", Safe: domain.SafeWords(errEmailTaken)}}.Invalid()
	}
	if err != nil {
		return nil, err
	}
	return member, nil
}

// addressElsewhere says whether email signs in to an account of another
// organisation than org. It returns errEmailTaken when the address is
// already a current member of org itself, whether or not they can sign in.
// self is the member taking the address, whose own account is no obstacle;
// empty for a new member.
func addressElsewhere(ctx context.Context, tx ports.Tx, org domain.OrgID, email string, self domain.StaffID) (bool, error) {
	members, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &org})
	if err != nil {
		return false, err
	}
	for _, m := range members {
		if m.ID != self && strings.EqualFold(strings.TrimSpace(m.Email), strings.TrimSpace(email)) {
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
	return found.ID != self && found.OrgID != org, nil
}

// invitationLink is the set-password link an invitation carries, or none
// for a member who SignsInElsewhere: their invitation says why instead.
func (s *core) invitationLink(member *domain.Staff, d staffDraft) string {
	if d.elsewhere {
		return ""
	}
	return s.staffCreated(member, d).SetPasswordURL
}
