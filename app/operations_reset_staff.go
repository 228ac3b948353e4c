package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ResetStaff is the operator's request to let a locked-out member back in.
type ResetStaff struct {
	ID domain.StaffID
	// Authenticator also resets the member's authenticator app, as an
	// admin can (Admin.ResetAuthenticator).
	Authenticator bool
	// Email queues the link to the member's address instead of returning
	// it.
	Email  bool
	Reason string
}

// ResetStaff makes a set-password link for a member: for an hour once they
// have a password, for an invitation's life while they have none. With
// in.Email it is queued to their address, as an admin's would be, and not
// returned; otherwise it is returned, for the operator to pass on. Either
// way it is audited, with the reason, in the same transaction. A removed
// member, or none, is KindNotFound; a member whose address signs in to
// another organisation's account is KindConflict.
func (s *Operations) ResetStaff(ctx context.Context, op Operator, in ResetStaff) (out IssuedLink, err error) {
	defer domain.Wrap(&err, "app.Operations.ResetStaff")
	reason, err := requireReason(in.Reason)
	if err != nil {
		return out, err
	}
	d, err := s.draftLink()
	if err != nil {
		return out, err
	}
	sent := "printed"
	if in.Email {
		sent = "email"
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditStaffPasswordLink, Reason: reason,
		Details: map[string]string{"staff": string(in.ID), "sent": sent}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		m, err := tx.Staff().Get(ctx, in.ID)
		if err != nil {
			return err
		}
		if m.RemovedAt != nil {
			return &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("that member was removed; invite them again instead")}
		}
		e.OrgID = m.OrgID
		if in.Authenticator {
			if err := resetAuthenticator(ctx, tx, m.ID); err != nil {
				return err
			}
			e.Details["authenticator"] = "reset"
		}
		if in.Email {
			out, err = s.sendLink(ctx, tx, m, d)
			out.URL = ""
			return err
		}
		if m.SignsInElsewhere {
			return errCannotSignIn
		}
		lifetime := domain.PasswordResetLifetime
		if m.PasswordHash == "" {
			lifetime = domain.PasswordLinkLifetime
		}
		out, err = s.keepLink(ctx, tx, m, d, lifetime)
		return err
	})
	return out, err
}
