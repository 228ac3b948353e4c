package app

import (
	"context"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// MemberDetails are a member's name and address as an admin edits them.
type MemberDetails struct {
	FirstName string
	LastName  string
	Email     string
}

// UpdateMemberDetails corrects a member's name and sign-in address.
// Problems come back with fields "first_name", "last_name" and "email";
// an address another member here already has is a problem. An address
// that signs in to another organisation's account is taken like any other,
// as in InviteStaff, and for the same reason: the member then cannot sign
// in, and nothing tells the admin why. Changes are audited, naming which
// fields changed and not their values.
func (s *Admin) UpdateMemberDetails(ctx context.Context, a *Actor, id domain.StaffID, in MemberDetails) (member *domain.Staff, err error) {
	defer domain.Wrap(&err, "app.Admin.UpdateMemberDetails")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	email, problems := checkPerson(in.Email, in.FirstName, in.LastName)
	first, last := strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	// The address is a recipient of the inboxes' alerts, which intake
	// keeps for a while: changing it forgets them.
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		m, err := ownMember(ctx, tx, a, id)
		if err != nil {
			return err
		}
		elsewhere := m.SignsInElsewhere
		moved := email != "" && email != m.Email
		if moved {
			if elsewhere, err = addressElsewhere(ctx, tx, m.OrgID, email, m.ID); domain.KindOf(err) == domain.KindInvalid {
				problems.Add("email", err)
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
		var changed []string
		if first != m.FirstName || last != m.LastName {
			changed = append(changed, "name")
		}
		if moved {
			changed = append(changed, "email")
		}
		if len(changed) == 0 {
			member = m
			return nil
		}
		member, err = tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
			cur.FirstName, cur.LastName = first, last
			if moved {
				cur.Email, cur.SignsInElsewhere = email, elsewhere
			}
			return nil
		})
		if err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditStaffDetails, map[string]string{"staff": string(m.ID), "changed": strings.Join(changed, ",")}))
	})
	if domain.KindOf(err) == domain.KindConflict {
		// Another change took the address between the check and the write.
		return nil, domain.Problems{{Field: "email", Safe: domain.SafeWords(errEmailTaken)}}.Invalid()
	}
	if err != nil {
		return nil, err
	}
	return member, nil
}
