package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Actor is a signed-in staff member: who they are, their organisation and
// what they may see.
type Actor struct {
	Staff  *domain.Staff
	Org    *domain.Organisation
	Viewer domain.Viewer
	// SessionHash names the session the actor came through.
	SessionHash string
}

// IsAdmin says whether the actor manages the organisation.
func (a *Actor) IsAdmin() bool { return a.Staff.Role == domain.RoleAdmin }

// ErrNotSignedIn is returned for a missing, unknown, expired or ended
// session; the portal then asks the person to sign in.
var ErrNotSignedIn = &domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("please sign in")}

// ErrAdminOnly is returned when a staff member tries what only admins may.
// The portal shows it as a page that does not exist.
var ErrAdminOnly = &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("not found")}

// loadActor loads a staff member who may still sign in.
func loadActor(ctx context.Context, tx ports.Tx, id domain.StaffID) (*Actor, error) {
	m, err := tx.Staff().Get(ctx, id)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, ErrNotSignedIn
	}
	if err != nil {
		return nil, err
	}
	if m.RemovedAt != nil {
		return nil, ErrNotSignedIn
	}
	org, err := tx.Organisations().Get(ctx, m.OrgID)
	if err != nil {
		return nil, err
	}
	return &Actor{Staff: m, Org: org, Viewer: domain.ViewerOf(m)}, nil
}

// staffActor names a staff member in the audit log.
func staffActor(id domain.StaffID) string { return "staff:" + string(id) }

// MustEnrolTOTP says whether the actor must set up an authenticator app
// they do not have: their organisation requires one, or an admin reset
// theirs. Until they do, the portal shows them only their account page.
func (a *Actor) MustEnrolTOTP() bool {
	return (a.Org.RequireTOTP || a.Staff.EnrolTOTP) && !a.Staff.TOTPEnabled
}
