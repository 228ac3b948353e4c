package app

import (
	"context"
	"errors"
	"slices"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Staff read interactions only through the staff view: every read below
// goes through tx.StaffView(), scoped by the actor's viewer, which answers KindNotFound for
// anything of another organisation or another inbox, exactly as for what
// does not exist. The channel, contact and meta data are out of its reach,
// and so out of these use cases' results.

// ErrNoSuchInteraction is returned for a reference the actor cannot see: malformed,
// unknown, erased, or another inbox's or organisation's, all alike.
var ErrNoSuchInteraction = &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such report")}

// VisibleInbox is an inbox as the portal offers it in a choice.
type VisibleInbox struct {
	ID     domain.InboxID
	FormID domain.FormID
	// Label is the inbox's name, with its form's when the organisation
	// has several forms, so that two "General" inboxes can be told apart.
	Label string
}

// actorInboxes returns the inboxes the actor may see, by form and position.
func actorInboxes(ctx context.Context, tx ports.Tx, a *Actor) ([]VisibleInbox, error) {
	org := a.Viewer.OrgID
	forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	formNames := make(map[domain.FormID]string, len(forms))
	formOrder := make(map[domain.FormID]int, len(forms))
	for i, f := range forms {
		formNames[f.ID], formOrder[f.ID] = f.Name, i
	}
	inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &org})
	if err != nil {
		return nil, err
	}
	// Forms oldest first, as their admins made them, then each form's
	// inboxes in their order; ids alone would shuffle the forms.
	slices.SortStableFunc(inboxes, func(a, b *domain.Inbox) int {
		if d := formOrder[a.FormID] - formOrder[b.FormID]; d != 0 {
			return d
		}
		return a.Position - b.Position
	})
	out := make([]VisibleInbox, 0, len(inboxes))
	for _, ib := range inboxes {
		if a.Viewer.InboxIDs != nil && !slices.Contains(a.Viewer.InboxIDs, ib.ID) {
			continue
		}
		label := ib.Name
		if len(forms) > 1 {
			label = formNames[ib.FormID] + ": " + ib.Name
		}
		out = append(out, VisibleInbox{ID: ib.ID, FormID: ib.FormID, Label: label})
	}
	return out, nil
}

// parseReference reads a reference from a URL. One that cannot exist is
// not found, like one that does not.
func parseReference(ref string) (domain.Reference, error) {
	r, err := domain.ParseReference(ref)
	if err != nil {
		return "", ErrNoSuchInteraction
	}
	return r, nil
}

// getInteraction returns the interaction the actor may see, or ErrNoSuchInteraction.
func getInteraction(ctx context.Context, tx ports.Tx, a *Actor, ref string) (*domain.StaffInteraction, error) {
	r, err := parseReference(ref)
	if err != nil {
		return nil, err
	}
	cs, err := tx.StaffView().Get(ctx, a.Viewer, r)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, ErrNoSuchInteraction
	}
	return cs, err
}

// changeInteraction changes the interaction the actor has just been
// shown (see ports.InteractionRepo.Change). One erased since then is
// ErrNoSuchInteraction, as for any erased report.
func changeInteraction(ctx context.Context, tx ports.Tx, id domain.InteractionID, fn func(ia *domain.Interaction) error) (*domain.Interaction, error) {
	ia, err := tx.Interactions().Change(ctx, id, fn)
	if errors.Is(err, domain.ErrErased) {
		return nil, ErrNoSuchInteraction
	}
	return ia, err
}
