package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// CreateStaff asks for a staff account.
type CreateStaff struct {
	OrgID     domain.OrgID
	Email     string
	FirstName string
	LastName  string
	Role      domain.Role
	InboxIDs  []domain.InboxID
	// Language is the member's language for the portal and their emails
	// until they choose; empty is English.
	Language domain.Language
	// Password, when set, becomes the account's password. Otherwise a
	// one-time set-password link is made.
	Password string
	// Actor names who asks, for the audit log; empty is the service.
	Actor string
}

// StaffCreated is a new account and, when no password was given, the link
// that lets its owner choose one.
type StaffCreated struct {
	Staff *domain.Staff
	// SetPasswordURL is shown once and never stored: only its hash is.
	SetPasswordURL string
	LinkExpiresAt  time.Time
}

// CreateStaff adds a staff account assigned to inboxes of its organisation.
//
// An address that already signs in to an account of another organisation
// gets the same answer as any other, as in InviteStaff, and for the same
// reason: the member is made SignsInElsewhere, its link (or password) opens
// nothing, and the address is emailed a note saying why. An address that is
// already a member of the organisation itself is KindConflict.
func (s *Operations) CreateStaff(ctx context.Context, in CreateStaff) (out StaffCreated, err error) {
	defer domain.Wrap(&err, "app.Operations.CreateStaff")
	if _, err := domain.ParseEmail(in.Email); err != nil {
		return out, err
	}
	d, err := s.draftStaff(ctx, &in)
	if err != nil {
		return out, err
	}
	noteID, err := domain.NewDeliveryID(s.random)
	if err != nil {
		return out, err
	}
	var member *domain.Staff
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		d := d
		if d.elsewhere, err = addressElsewhere(ctx, tx, in.OrgID, in.Email, ""); domain.KindOf(err) == domain.KindInvalid {
			return errAlreadyAMember
		} else if err != nil {
			return err
		}
		if member, err = createStaff(ctx, tx, in, d); err != nil || !d.elsewhere {
			return err
		}
		org, err := tx.Organisations().Get(ctx, in.OrgID)
		if err != nil {
			return err
		}
		return tx.Outbox().Enqueue(ctx, domain.StaffInvite(noteID, member, org, "", d.now))
	})
	if err != nil {
		return out, err
	}
	return s.staffCreated(member, d), nil
}
