package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InteractionView is one report as a staff member opens it.
type InteractionView struct {
	Interaction *domain.StaffInteraction
	Messages    []*domain.StaffMessage
	// Inboxes are the inboxes of the report's form that the actor may
	// see, its own among them: where it may be moved.
	Inboxes []VisibleInbox
}

// ReadInteraction returns one report with its conversation and the inboxes it may
// be moved to, and records that the actor has read it.
func (s *Portal) ReadInteraction(ctx context.Context, a *Actor, ref string) (out InteractionView, err error) {
	defer domain.Wrap(&err, "app.Portal.ReadInteraction")
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		msgs, err := tx.StaffView().Messages(ctx, a.Viewer, cs.Ref)
		if err != nil {
			return err
		}
		inboxes, err := formInboxes(ctx, tx, a, cs.FormID)
		if err != nil {
			return err
		}
		if err := tx.StaffView().MarkRead(ctx, a.Viewer, cs.ID, now); err != nil {
			return err
		}
		out = InteractionView{Interaction: cs, Messages: msgs, Inboxes: inboxes}
		return nil
	})
	return out, err
}
