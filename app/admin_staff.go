package app

import (
	"context"
	"slices"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// InboxChoice is an inbox as a list of checkboxes offers it.
type InboxChoice struct {
	ID domain.InboxID
	// Label is the inbox's name, with its form's when the organisation has
	// several forms (each has a "General").
	Label string
}

// StaffDirectory is an organisation's current members, oldest first, and
// the inboxes they may be assigned to.
type StaffDirectory struct {
	Members []*domain.Staff
	Inboxes []InboxChoice
}

// Staff returns the organisation's members; removed accounts are left
// out.
func (s *Admin) Staff(ctx context.Context, a *Actor) (out StaffDirectory, err error) {
	defer domain.Wrap(&err, "app.Admin.Staff")
	if err := requireAdmin(a); err != nil {
		return out, err
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		if out.Members, err = tx.Staff().List(ctx, ports.StaffFilter{OrgID: &a.Org.ID}); err != nil {
			return err
		}
		out.Inboxes, err = inboxChoices(ctx, tx, a)
		return err
	})
	return out, err
}

// inboxChoices lists the organisation's inboxes form by form, oldest form
// first, each form's in order.
func inboxChoices(ctx context.Context, tx ports.Tx, a *Actor) ([]InboxChoice, error) {
	forms, err := tx.Forms().List(ctx, ports.FormFilter{OrgID: &a.Org.ID})
	if err != nil {
		return nil, err
	}
	inboxes, err := tx.Inboxes().List(ctx, ports.InboxFilter{OrgID: &a.Org.ID})
	if err != nil {
		return nil, err
	}
	var out []InboxChoice
	for _, f := range forms {
		for _, ib := range inboxes {
			if ib.FormID != f.ID {
				continue
			}
			label := ib.Name
			if len(forms) > 1 {
				label += " (" + f.Name + ")"
			}
			out = append(out, InboxChoice{ID: ib.ID, Label: label})
		}
	}
	return out, nil
}

// checkChoices says whether every id is one of choices, and returns them
// without repeats.
func checkChoices(ids []domain.InboxID, choices []InboxChoice) ([]domain.InboxID, error) {
	out := []domain.InboxID{}
	for _, id := range ids {
		if !slices.ContainsFunc(choices, func(c InboxChoice) bool { return c.ID == id }) {
			return nil, domain.Errorf(domain.KindInvalid, "choose inboxes from the list")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
