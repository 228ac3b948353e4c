package app

import (
	"context"
	"slices"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// formInboxes returns the inboxes of one form that the actor may see.
func formInboxes(ctx context.Context, tx ports.Tx, a *Actor, form domain.FormID) ([]VisibleInbox, error) {
	all, err := actorInboxes(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(ib VisibleInbox) bool { return ib.FormID != form }), nil
}

// MoveInteraction moves a report to another inbox (category) of the same form,
// one the actor may see, and tells that inbox's people of it as of a new
// report. Any other inbox is a problem with the field, not a move.
func (s *Portal) MoveInteraction(ctx context.Context, a *Actor, ref, inboxID string) (err error) {
	defer domain.Wrap(&err, "app.Portal.MoveInteraction")
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		choices, err := formInboxes(ctx, tx, a, cs.FormID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(choices, func(ib VisibleInbox) bool { return string(ib.ID) == inboxID })
		if i < 0 {
			return domain.Problems{{Field: FilterInbox, Safe: domain.Say("Choose one of the inboxes offered.")}}.Invalid()
		}
		if choices[i].ID == cs.InboxID {
			return nil
		}
		ia, err := changeInteraction(ctx, tx, cs.ID, func(ia *domain.Interaction) error {
			ia.InboxID = choices[i].ID
			return nil
		})
		if err != nil {
			return err
		}
		form, err := tx.Forms().Get(ctx, ia.FormID)
		if err != nil {
			return err
		}
		inbox, err := tx.Inboxes().Get(ctx, ia.InboxID)
		if err != nil {
			return err
		}
		if err := recordEvent(ctx, tx, a, ia.ID, domain.HistoryMoved, inbox.Name, now); err != nil {
			return err
		}
		return s.alertNewReport(ctx, tx, ia, form, inbox, now)
	})
}
