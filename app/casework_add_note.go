package app

import (
	"context"
	"errors"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// FieldNote is the note box on a report's page.
const FieldNote = "note"

// AddNote keeps an internal note the actor wrote about a report they may
// see: for their colleagues who may see it, never shown or sent to the
// reporter. It changes nothing else of the report: a note is not activity
// the reporter sees, so it neither reopens the report nor marks it unread.
//
// A note with problems (domain.Problems, KindInvalid) adds nothing, and
// answers with the report as ReadInteraction does, for the page that shows
// the note box again with what was typed. A kept note answers with
// nothing: its page is a redirect away. An erased report is
// ErrNoSuchInteraction, as for any report the actor may not see.
func (s *Casework) AddNote(ctx context.Context, a *Actor, ref, body string) (out InteractionView, err error) {
	defer domain.Wrap(&err, "app.Casework.AddNote")
	var problems domain.Problems
	body, err = domain.CheckNote(body)
	problems.Add(FieldNote, err)
	id, err := domain.NewNoteID(s.random)
	if err != nil {
		return out, err
	}
	now := s.now()
	var refused error
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		seen, err := getInteraction(ctx, tx, a, ref)
		if err != nil {
			return err
		}
		if refused = problems.Invalid(); refused != nil {
			out, err = readInteraction(ctx, tx, a, seen, now)
			return err
		}
		note := &domain.Note{ID: id, InteractionID: seen.ID, StaffID: a.Staff.ID, Body: body, CreatedAt: now}
		err = tx.Notes().Add(ctx, note)
		if errors.Is(err, domain.ErrErased) {
			return ErrNoSuchInteraction
		}
		if err != nil {
			return err
		}
		return recordEvent(ctx, tx, a, seen.ID, domain.HistoryNoted, "", now)
	})
	if err != nil {
		return InteractionView{}, err
	}
	return out, refused
}
