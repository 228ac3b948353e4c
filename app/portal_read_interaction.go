package app

import (
	"context"
	"time"

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

	// Notes are the staff's internal notes on the report, oldest first:
	// never shown or sent to the reporter.
	Notes []*domain.StaffNote
	// History is what staff did to the report, oldest first, this read
	// among it.
	History []*domain.HistoryEvent
}

// ReadInteraction returns one report with its conversation and the inboxes it may
// be moved to, and records that the actor has read it.
func (s *Portal) ReadInteraction(ctx context.Context, a *Actor, ref string) (out InteractionView, err error) {
	defer domain.Wrap(&err, "app.Portal.ReadInteraction")
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		seen, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		out, err = readInteraction(ctx, tx, a, seen, now)
		return err
	})
	return out, err
}

// readInteraction reads the rest of what the actor sees of an interaction
// they may see, and records that they have read it.
func readInteraction(ctx context.Context, tx ports.Tx, a *Actor, seen *domain.StaffInteraction, now time.Time) (InteractionView, error) {
	msgs, err := tx.StaffView().Messages(ctx, a.Viewer, seen.Ref)
	if err != nil {
		return InteractionView{}, err
	}
	inboxes, err := formInboxes(ctx, tx, a, seen.FormID)
	if err != nil {
		return InteractionView{}, err
	}
	if err := tx.StaffView().MarkRead(ctx, a.Viewer, seen.ID, now); err != nil {
		return InteractionView{}, err
	}
	notes, err := tx.Notes().List(ctx, a.Viewer, seen.Ref)
	if err != nil {
		return InteractionView{}, err
	}
	if err := recordEvent(ctx, tx, a, seen.ID, domain.HistoryRead, "", now); err != nil {
		return InteractionView{}, err
	}
	history, err := tx.History().List(ctx, seen.ID)
	if err != nil {
		return InteractionView{}, err
	}
	return InteractionView{Interaction: seen, Messages: msgs, Inboxes: inboxes, Notes: notes, History: history}, nil
}
