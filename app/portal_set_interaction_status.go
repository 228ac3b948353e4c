package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetInteractionStatus opens or closes a report. Closing starts the retention
// period from now; reopening ends that and counts as activity.
func (s *Portal) SetInteractionStatus(ctx context.Context, a *Actor, ref, status string) (err error) {
	defer domain.Wrap(&err, "app.Portal.SetInteractionStatus")
	var problems domain.Problems
	st, perr := domain.ParseStatus(status)
	if perr != nil {
		problems = append(problems, domain.FieldProblem{Field: FilterStatus, Safe: domain.Say("Choose open or closed.")})
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		cs, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		if cs.Status == st {
			return nil
		}
		// done is what this request did, for the history: nothing when
		// another request got there first.
		var done domain.HistoryKind
		ia, err := changeInteraction(ctx, tx, cs.ID, func(ia *domain.Interaction) error {
			done = ""
			switch {
			case ia.Status == st: // another request got there first
			case st == domain.StatusClosed:
				ia.Close(now)
				done = domain.HistoryClosed
			default:
				ia.Reopen(now)
				done = domain.HistoryReopened
			}
			return nil
		})
		if err != nil {
			return err
		}
		if done != "" {
			if err := recordEvent(ctx, tx, a, ia.ID, done, "", now); err != nil {
				return err
			}
		}
		return tx.StaffView().MarkRead(ctx, a.Viewer, ia.ID, now)
	})
}
