package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// AdminInbox is an inbox as its organisation's admins manage it.
type AdminInbox struct {
	Inbox *domain.Inbox
	Form  *domain.Form
	// Staff are the organisation's members with the staff role: those an
	// inbox assignment lets see its reports. Admins see every inbox anyway.
	Staff []*domain.Staff
}

// Inbox returns one inbox of the organisation, or KindNotFound.
func (s *Admin) Inbox(ctx context.Context, a *Actor, id domain.InboxID) (out AdminInbox, err error) {
	defer domain.Wrap(&err, "app.Admin.Inbox")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Inbox, err = ownInbox(ctx, tx, a, id); err != nil {
			return err
		}
		if out.Form, err = tx.Forms().Get(ctx, out.Inbox.FormID); err != nil {
			return err
		}
		out.Staff, err = assignableStaff(ctx, tx, a)
		return err
	})
	return out, err
}

// assignableStaff lists the organisation's current members with the staff
// role, oldest first.
func assignableStaff(ctx context.Context, tx ports.Tx, a *Actor) ([]*domain.Staff, error) {
	all, err := tx.Staff().List(ctx, ports.StaffFilter{OrgID: &a.Org.ID})
	if err != nil {
		return nil, err
	}
	var out []*domain.Staff
	for _, m := range all {
		if m.Role == domain.RoleStaff {
			out = append(out, m)
		}
	}
	return out, nil
}
