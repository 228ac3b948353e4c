package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Assignees returns the members an interaction may be assigned to: those
// of the actor's organisation who may see it, by name. The interaction
// page offers them.
func (s *Casework) Assignees(ctx context.Context, a *Actor, ref string) (out []Assignee, err error) {
	defer domain.Wrap(&err, "app.Casework.Assignees")
	err = s.store.View(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		members, err := eligibleMembers(ctx, tx, a.Viewer.OrgID, cs.InboxID)
		if err != nil {
			return err
		}
		for _, m := range members {
			out = append(out, Assignee{ID: m.ID, Name: m.FullName()})
		}
		return nil
	})
	return out, err
}
