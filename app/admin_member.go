package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

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
