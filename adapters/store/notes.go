package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Internal notes (issue #20). See ports.NoteRepo.

type noteRow struct {
	bun.BaseModel `bun:"table:notes"`

	ID            string    `bun:"id,pk"`
	InteractionID string    `bun:"interaction_id"`
	StaffID       string    `bun:"staff_id"`
	BodySealed    []byte    `bun:"body_sealed"`
	CreatedAt     time.Time `bun:"created_at"`
}

type notes struct{ *tx }

// Notes returns the transaction's internal notes.
func (t *tx) Notes() ports.NoteRepo { return notes{t} }

// Add reads the interaction under a row lock (lockInteraction), so that
// an erasure that has not committed is waited for and then seen, one that
// comes later waits for the note and deletes it, and the note's words join
// the index search reads in turn with any other text.
func (n notes) Add(ctx context.Context, note *domain.Note) error {
	if err := n.lockInteraction(ctx, note.InteractionID); err != nil {
		return err
	}
	id := string(note.ID)
	err := n.insert(ctx, &noteRow{
		ID: id, InteractionID: string(note.InteractionID), StaffID: string(note.StaffID),
		BodySealed: n.keys.Seal(note.Body, aad("notes.body", id)), CreatedAt: note.CreatedAt,
	})
	if err != nil {
		return err
	}
	return n.addWords(ctx, note.InteractionID, note.Body)
}

type staffNoteRow struct {
	ID              string    `bun:"id"`
	StaffID         string    `bun:"staff_id"`
	BodySealed      []byte    `bun:"body_sealed"`
	CreatedAt       time.Time `bun:"created_at"`
	FirstNameSealed []byte    `bun:"first_name_sealed"`
	LastNameSealed  []byte    `bun:"last_name_sealed"`
}

// List finds the interaction through the staff view, so it is bounded by
// the viewer's organisation and inboxes and never sees an erased one.
func (n notes) List(ctx context.Context, v domain.Viewer, ref domain.Reference) ([]*domain.StaffNote, error) {
	cs, err := staffView(n).Get(ctx, v, ref)
	if err != nil {
		return nil, err
	}
	var rows []staffNoteRow
	err = n.db.NewSelect().TableExpr("notes AS n").
		ColumnExpr("n.id, n.staff_id, n.body_sealed, n.created_at, s.first_name_sealed, s.last_name_sealed").
		Join("JOIN staff AS s ON s.id = n.staff_id").
		Where("n.interaction_id = ?", string(cs.ID)).
		OrderExpr("n.created_at, n.id").Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.StaffNote, len(rows))
	for i, r := range rows {
		note := &domain.StaffNote{ID: domain.NoteID(r.ID), StaffID: domain.StaffID(r.StaffID), CreatedAt: r.CreatedAt.UTC()}
		staff := &domain.Staff{}
		if err := openFields(n.keys, r.ID, sealedField{&note.Body, r.BodySealed, "notes.body"}); err != nil {
			return nil, err
		}
		if err := openFields(n.keys, r.StaffID,
			sealedField{&staff.FirstName, r.FirstNameSealed, "staff.first_name"},
			sealedField{&staff.LastName, r.LastNameSealed, "staff.last_name"},
		); err != nil {
			return nil, err
		}
		note.StaffName = staff.FullName()
		out[i] = note
	}
	return out, nil
}

// forgetNotes deletes the notes of erased interactions: what staff wrote
// about a reporter goes with what the reporter wrote.
func forgetNotes(ctx context.Context, db bun.IDB, ids any) error {
	_, err := db.NewDelete().Model((*noteRow)(nil)).Where("interaction_id IN (?)", ids).Exec(ctx)
	return translate(err)
}
