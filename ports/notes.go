package ports

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// NoteRepo keeps the internal notes staff write about interactions. They
// are for staff only: nothing a reporter reads or is sent is built from
// them. Their texts are sealed at rest and erasing an interaction deletes
// its notes.
type NoteRepo interface {
	// Add keeps note on its interaction, its text sealed. It holds the
	// interaction until the transaction ends and states that it is not
	// erased, so that an erasure comes wholly before the note (which is
	// then refused) or after it (and deletes it). It returns KindNotFound
	// when the interaction does not exist and domain.ErrErased when it is
	// erased.
	Add(ctx context.Context, note *domain.Note) error
	// List returns the notes of one of the viewer's interactions, oldest
	// first, each with its writer's full name. It answers KindNotFound
	// for an interaction the viewer may not see, as StaffViewRepo does.
	List(ctx context.Context, v domain.Viewer, ref domain.Reference) ([]*domain.StaffNote, error)
}

// SearchRepo finds, among the interactions a viewer may see, those whose
// texts hold what staff look for. Texts are sealed at rest, so it opens
// and matches them inside the process and never hands them to the
// database or a log.
type SearchRepo interface {
	// Find returns the ids of the viewer's interactions that match f and
	// s: whose reference s.MatchesRef, or whose messages and notes, taken
	// together, hold every one of s's words. f.IDs and paging are ignored.
	Find(ctx context.Context, v domain.Viewer, f StaffViewFilter, s domain.Search) ([]domain.InteractionID, error)
	// IndexMissing prepares up to limit interactions written before this
	// version for fast search, and returns how many it prepared: none
	// means none is left. Find finds them either way; prepared, it finds
	// them faster.
	IndexMissing(ctx context.Context, limit int) (int, error)
	// AnyMissing reports whether any interaction still needs IndexMissing.
	// It reads every interaction to say no, and changes nothing, so it is
	// asked in a View: no row is locked and, on SQLite, the one write lock
	// is not held while it reads.
	AnyMissing(ctx context.Context) (bool, error)
}
