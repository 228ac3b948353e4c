package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// errAlreadyAMember refuses to make a second account in an organisation
// for one address.
var errAlreadyAMember = domain.Errorf(domain.KindConflict, "someone with that address is already a member of this organisation")

// staffDraft is what a new account needs from outside the transaction:
// random draws and the slow password hash, which must not hold a
// transaction open (and would be redone if the transaction were retried).
type staffDraft struct {
	id   domain.StaffID
	now  time.Time
	hash string
	// link and token are set when no password was given.
	link  *domain.PasswordLink
	token domain.Token
	// elsewhere is set, inside the transaction, when the address signs in
	// to another organisation's account: the member is made as usual but
	// SignsInElsewhere, and the link is not kept, so it opens nothing.
	elsewhere bool
}

// draftStaff prepares the account's id and password (or set-password
// link), checking the password's length. It fills in the default role;
// the rest of in is checked when the account is made.
func (s *core) draftStaff(ctx context.Context, in *CreateStaff) (d staffDraft, err error) {
	if in.Role == "" {
		in.Role = domain.RoleStaff
	}
	if d.id, err = domain.NewStaffID(s.random); err != nil {
		return d, err
	}
	d.now = s.now()
	if in.Password != "" {
		// The same rules as the portal's: a password set from whisperctl
		// is no less guessable for having been typed on the server.
		if err := checkNewPassword(in.Password, in.Password).Invalid(); err != nil {
			return d, err
		}
		if d.hash, err = s.hasher.Hash(ctx, in.Password); err != nil {
			return d, err
		}
		return d, nil
	}
	if d.token, err = domain.NewToken(s.random); err != nil {
		return d, err
	}
	d.link = &domain.PasswordLink{TokenHash: d.token.Hash(), StaffID: d.id, ExpiresAt: d.now.Add(domain.PasswordLinkLifetime), CreatedAt: d.now}
	return d, nil
}

// createStaff writes the drafted account inside tx, so that callers can
// do more in the same transaction (an invitation queues its email).
func createStaff(ctx context.Context, tx ports.Tx, in CreateStaff, d staffDraft) (*domain.Staff, error) {
	if _, err := tx.Organisations().Get(ctx, in.OrgID); err != nil {
		return nil, err
	}
	inboxes := make([]*domain.Inbox, 0, len(in.InboxIDs))
	for _, ibID := range in.InboxIDs {
		ib, err := tx.Inboxes().Get(ctx, ibID)
		if err != nil {
			return nil, err
		}
		inboxes = append(inboxes, ib)
	}
	member, err := domain.NewStaff(d.id, in.OrgID, in.Email, in.FirstName, in.LastName, in.Role, inboxes, d.now)
	if err != nil {
		return nil, err
	}
	member.PasswordHash = d.hash
	member.Language = in.Language.OrEnglish()
	member.SignsInElsewhere = d.elsewhere
	if err := tx.Staff().Create(ctx, member); err != nil {
		return nil, err
	}
	if d.link != nil && !d.elsewhere {
		if err := tx.Staff().AddPasswordLink(ctx, d.link); err != nil {
			return nil, err
		}
	}
	// The new member is named by id: their address stays out of the log.
	err = tx.Audit().Append(ctx, &domain.AuditEntry{At: d.now, Actor: actorOr(in.Actor), Action: domain.AuditStaffInvite, OrgID: in.OrgID,
		Details: map[string]string{"staff": string(member.ID), "role": string(member.Role), "inboxes": howMany(member.InboxIDs)}})
	return member, err
}

// staffCreated reports a committed account with its set-password link.
func (s *core) staffCreated(member *domain.Staff, d staffDraft) StaffCreated {
	out := StaffCreated{Staff: member}
	if d.link != nil {
		out.SetPasswordURL = s.links.Link("staff", "set-password", string(d.token))
		out.LinkExpiresAt = d.link.ExpiresAt
	}
	return out
}

// checkPerson applies the rules for a member's address and names, each
// problem beside its field, and returns the address as it is kept.
func checkPerson(email, first, last string) (string, domain.Problems) {
	var problems domain.Problems
	parsed, err := domain.ParseEmail(email)
	problems.Add("email", err)
	problems.Add("first_name", checkPersonName(first, true))
	problems.Add("last_name", checkPersonName(last, false))
	return parsed, problems
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
