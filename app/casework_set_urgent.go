package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Values of the urgent form's field.
const (
	UrgentOn  = "on"
	UrgentOff = "off"
)

// SetUrgent marks an interaction the actor may see urgent ("on") or not
// ("off"); anything else is a problem with the field urgent. Marking it
// urgent when it was not emails every person of its inbox at once — its
// notification addresses and every member who may see it — whatever
// their notification preferences: the reference and a link, never the
// content. Marking it urgent again, even by two people at the same
// moment, sends nothing more. It reports whether the mark changed.
func (s *Casework) SetUrgent(ctx context.Context, a *Actor, ref, urgent string) (changed bool, err error) {
	defer domain.Wrap(&err, "app.Casework.SetUrgent")
	var on bool
	var problems domain.Problems
	switch urgent {
	case UrgentOn:
		on = true
	case UrgentOff:
	default:
		problems = append(problems, domain.FieldProblem{Field: FilterUrgent, Safe: domain.Say("Choose urgent or not urgent.")})
	}
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		// One conditional write: of two marking it at once, one changes it.
		changed, err = tx.Triage().SetUrgent(ctx, cs.ID, on)
		if err != nil || !changed {
			return err
		}
		kind := domain.HistoryMarkedUrgent
		if !on {
			kind = domain.HistoryUnmarkedUrgent
		}
		if err := recordEvent(ctx, tx, a, cs.ID, kind, "", now); err != nil || !on {
			return err
		}
		inbox, err := tx.Inboxes().Get(ctx, cs.InboxID)
		if err != nil {
			return err
		}
		recipients, err := urgentRecipients(ctx, tx, a.Viewer.OrgID, inbox)
		if err != nil {
			return err
		}
		alerts, err := domain.UrgentAlerts(func() (domain.DeliveryID, error) { return domain.NewDeliveryID(s.random) },
			a.Viewer.OrgID, cs.ID, cs.Ref, recipients, s.links.InteractionURL(cs.Ref), now)
		if err != nil {
			return err
		}
		return tx.Outbox().Enqueue(ctx, alerts...)
	})
	return changed, err
}
