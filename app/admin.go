package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Admin holds what an organisation's admins do in the portal. Every use
// case first checks that the actor is an admin (requireAdmin) and reaches
// only their own organisation's forms, inboxes and members (ownForm,
// ownInbox, ownMember), answering KindNotFound for any other, exactly as
// for what does not exist. Each use case is in its own file, admin_*.go:
// Forms and Form, CreateForm, UpdateForm, SetFormOpen; Inbox, CreateInbox,
// UpdateInbox, ArrangeInbox; Organisation, UpdateOrgSettings, SSO
// (read-only); Staff and Member, InviteStaff, UpdateMember,
// UpdateMemberDetails, RemoveMember; ResendInvitation, SendPasswordReset,
// ResetAuthenticator.
type Admin struct{ *core }

// ownForm loads a form of the actor's organisation; any other is errNoSuch.
func ownForm(ctx context.Context, tx ports.Tx, a *Actor, id domain.FormID) (*domain.Form, error) {
	form, err := tx.Forms().Get(ctx, id)
	var org domain.OrgID
	if form != nil {
		org = form.OrgID
	}
	if err := ownedBy(a, org, err); err != nil {
		return nil, err
	}
	return form, nil
}

// ownInbox loads an inbox of the actor's organisation; any other is
// errNoSuch.
func ownInbox(ctx context.Context, tx ports.Tx, a *Actor, id domain.InboxID) (*domain.Inbox, error) {
	ib, err := tx.Inboxes().Get(ctx, id)
	var org domain.OrgID
	if ib != nil {
		org = ib.OrgID
	}
	if err := ownedBy(a, org, err); err != nil {
		return nil, err
	}
	return ib, nil
}

// errNoSuch answers for anything an admin asks about that is not of their
// organisation, exactly as for what does not exist: another school's ids
// must not be confirmed, even as forbidden.
var errNoSuch = &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("not found")}

// requireAdmin refuses everyone but an organisation's admins. Staff get
// the same answer as for a page that does not exist.
func requireAdmin(a *Actor) error {
	if a == nil || a.Staff == nil || a.Org == nil || !a.IsAdmin() {
		return ErrAdminOnly
	}
	return nil
}

// ownedBy turns a miss, or a find in another organisation, into errNoSuch.
func ownedBy(a *Actor, org domain.OrgID, err error) error {
	if domain.KindOf(err) == domain.KindNotFound || (err == nil && org != a.Org.ID) {
		return errNoSuch
	}
	return err
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
