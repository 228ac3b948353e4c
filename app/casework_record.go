package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// CaseRecord is what the printable record of a report holds: what the
// report's page shows of it, and nothing of the reporter's contact or meta
// data, which the staff view cannot reach.
type CaseRecord struct {
	Interaction *domain.StaffInteraction
	Messages    []*domain.StaffMessage
	// Notes are the staff's internal notes, oldest first, marked as such
	// on the record as on the report's page.
	Notes []*domain.StaffNote
	// History is what staff did to the report, oldest first, this
	// printing last.
	History []*domain.HistoryEvent
	// TakenBy and TakenAt are who took this record, and when.
	TakenBy string
	TakenAt time.Time
}

// Record returns a report's record, for the school's own safeguarding
// system (printed, saved as PDF, or copied into CPOMS or MyConcern), and
// records in its history that the actor took it: once it is on paper,
// the history is all that says where it went.
func (s *Casework) Record(ctx context.Context, a *Actor, ref string) (out CaseRecord, err error) {
	defer domain.Wrap(&err, "app.Casework.Record")
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		seen, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		msgs, err := tx.StaffView().Messages(ctx, a.Viewer, seen.Ref)
		if err != nil {
			return err
		}
		notes, err := tx.Notes().List(ctx, a.Viewer, seen.Ref)
		if err != nil {
			return err
		}
		if err := recordEvent(ctx, tx, a, seen.ID, domain.HistoryPrinted, "", now); err != nil {
			return err
		}
		history, err := tx.History().List(ctx, seen.ID)
		if err != nil {
			return err
		}
		out = CaseRecord{Interaction: seen, Messages: msgs, Notes: notes, History: history, TakenBy: a.Staff.FullName(), TakenAt: now}
		return nil
	})
	return out, err
}
