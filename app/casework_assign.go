package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Assign makes a member the one looking after an interaction the actor
// may see, or nobody when staffID is "". The member must be one who may
// see the interaction (Assignees); anyone else is a problem with the
// field staff_id, and nothing changes. A new assignee is emailed in their
// language: the reference and a link to the portal, never the
// interaction's content. Assigning it to whom it already is does nothing
// and sends nothing. It reports whether the assignment changed.
func (s *Casework) Assign(ctx context.Context, a *Actor, ref, staffID string) (changed bool, err error) {
	defer domain.Wrap(&err, "app.Casework.Assign")
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		// Hold the member, then the interaction, in the order a change to
		// the member's inboxes takes them (member, then their
		// interactions), so that the two wait for each other rather than
		// deadlock. A change to their inboxes at the same moment comes
		// before (and they are refused) or after (and the store clears
		// the assignment); so does a move of the interaction.
		var member *domain.Staff
		refused := domain.Problems{{Field: FieldStaffID, Safe: domain.Say("Choose a member who can see this report.")}}.Invalid()
		if staffID != "" {
			_, err = tx.Staff().Change(ctx, domain.StaffID(staffID), func(m *domain.Staff) error {
				member = m
				return nil
			})
			if domain.KindOf(err) == domain.KindNotFound {
				return refused
			}
			if err != nil {
				return err
			}
		}
		ia, err := changeInteraction(ctx, tx, cs.ID, func(*domain.Interaction) error { return nil })
		if err != nil {
			return err
		}
		if member == nil {
			changed, err = tx.Triage().SetAssignee(ctx, ia.ID, "")
			if err != nil || !changed {
				return err
			}
			return recordEvent(ctx, tx, a, ia.ID, domain.HistoryUnassigned, "", now)
		}
		if member.OrgID != a.Viewer.OrgID || !canSee(member, ia.InboxID) {
			return refused
		}
		changed, err = tx.Triage().SetAssignee(ctx, ia.ID, member.ID)
		if err != nil || !changed {
			return err
		}
		if err := recordEvent(ctx, tx, a, ia.ID, domain.HistoryAssigned, member.FullName(), now); err != nil {
			return err
		}
		if member.Email == "" {
			return nil
		}
		id, err := domain.NewDeliveryID(s.random)
		if err != nil {
			return err
		}
		to := domain.Recipient{Address: member.Email, Language: member.Language}
		if to.Language == "" {
			to.Language = domain.English
		}
		return tx.Outbox().Enqueue(ctx, domain.AssignedAlert(id, ia.OrgID, ia.ID, ia.Ref, to, s.links.InteractionURL(ia.Ref), now))
	})
	return changed, err
}
