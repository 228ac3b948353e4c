package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// errHasPassword refuses to resend an invitation to a member who has
// accepted it.
var errHasPassword = domain.Errorf(domain.KindConflict, "they have already chosen a password: send them a password reset link instead")

// errNoPasswordYet refuses a reset link to a member who has never chosen a
// password.
var errNoPasswordYet = domain.Errorf(domain.KindConflict, "they have not chosen a password yet: resend their invitation instead")

// ResendInvitation emails a member who has not yet chosen a password a
// fresh invitation with a new set-password link, valid as long as the
// first. The link is never shown to the admin: it lets its holder become
// the member. It is audited.
func (s *Admin) ResendInvitation(ctx context.Context, a *Actor, id domain.StaffID) (err error) {
	defer domain.Wrap(&err, "app.Admin.ResendInvitation")
	return s.emailLink(ctx, a, id, false)
}

// SendPasswordReset emails a member a link, valid for an hour, to choose a
// new password; using it signs them out everywhere. Their password works
// until then. The link is never shown to the admin. It is audited.
func (s *Admin) SendPasswordReset(ctx context.Context, a *Actor, id domain.StaffID) (err error) {
	defer domain.Wrap(&err, "app.Admin.SendPasswordReset")
	return s.emailLink(ctx, a, id, true)
}

// emailLink sends member id a set-password link: a reset when reset is
// set, which needs a password already chosen, else an invitation, which
// needs none.
func (s *Admin) emailLink(ctx context.Context, a *Actor, id domain.StaffID, reset bool) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	d, err := s.draftLink()
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		m, err := ownMember(ctx, tx, a, id)
		if err != nil {
			return err
		}
		switch {
		case reset && m.PasswordHash == "":
			return errNoPasswordYet
		case !reset && m.PasswordHash != "":
			return errHasPassword
		}
		if err := stillAdmin(ctx, tx, a); err != nil {
			return err
		}
		if _, err := s.sendLink(ctx, tx, m, d); err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditStaffPasswordLink, map[string]string{"staff": string(m.ID), "sent": "email"}))
	})
}
