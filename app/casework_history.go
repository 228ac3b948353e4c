package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// recordEvent adds one line to the history of the interaction id: the
// actor did kind (with detail, see domain.HistoryKind) at at. It runs in
// the transaction of the action it records, after that action's change,
// so that the line is there exactly when the action is. Use cases that
// act on an interaction call it: reading, replying, moving, closing,
// reopening, exporting and printing here; noting, assigning and marking
// urgent where those are built (domain.HistoryNoted, HistoryAssigned,
// HistoryUnassigned, HistoryMarkedUrgent, HistoryUnmarkedUrgent).
func recordEvent(ctx context.Context, tx ports.Tx, a *Actor, id domain.InteractionID, kind domain.HistoryKind, detail string, at time.Time) error {
	_, err := tx.History().Record(ctx, domain.StaffEvent(a.Staff, kind, detail, at), id)
	return err
}

// recordEvents adds the same line to the history of each of ids, in a
// few statements however many there are: an export records one for each
// interaction it holds.
func recordEvents(ctx context.Context, tx ports.Tx, a *Actor, ids []domain.InteractionID, kind domain.HistoryKind, detail string, at time.Time) error {
	_, err := tx.History().Record(ctx, domain.StaffEvent(a.Staff, kind, detail, at), ids...)
	return err
}
