package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

// Two columns of interactions summarise its messages for the pages that
// would otherwise read every message of every interaction (issue #23):
// first_staff_reply_at, when staff first replied (the statistics' response
// times), and latest_author, who wrote the latest message by time, then
// id, as the staff view orders them (the awaiting filter and the digest).
// Each is exactly what a subquery on messages gives (migrations 44 and
// 52); every path that adds a message keeps them in its transaction:
// messages.Add through refreshReplyColumns, intake and Seed through the
// rows they build (setReplyColumns). Erasure keeps messages' times and
// authors, and so these.

// replyColumnsSet is the SET of an UPDATE of interactions that recomputes
// both columns from the messages, the definition the backfill uses too.
const replyColumnsSet = `first_staff_reply_at = (SELECT MIN(m.created_at) FROM messages AS m
	WHERE m.interaction_id = interactions.id AND m.author = 'staff'),
latest_author = (SELECT m.author FROM messages AS m WHERE m.interaction_id = interactions.id
	ORDER BY m.created_at DESC, m.id DESC LIMIT 1)`

// refreshReplyColumns recomputes the interaction's columns after a message
// was added. The caller holds the interaction's row lock from before the
// insert (lockInteraction), so on PostgreSQL this statement's snapshot
// sees every message committed before it: two messages added at once take
// turns, and the later recomputation counts both.
func refreshReplyColumns(ctx context.Context, db bun.IDB, id domain.InteractionID) error {
	_, err := db.NewRaw("UPDATE interactions SET "+replyColumnsSet+" WHERE id = ?", string(id)).Exec(ctx)
	return translate(err)
}

// setReplyColumns sets a new interaction row's columns from the rows of
// its messages, as refreshReplyColumns would compute them once written.
func setReplyColumns(ia *interactionRow, msgs ...*messageRow) {
	var latest *messageRow
	for _, m := range msgs {
		if m.Author == string(domain.AuthorStaff) && (ia.FirstStaffReplyAt == nil || m.CreatedAt.Before(*ia.FirstStaffReplyAt)) {
			at := m.CreatedAt
			ia.FirstStaffReplyAt = &at
		}
		if latest == nil || laterMessage(m, latest) {
			latest = m
		}
	}
	if latest != nil {
		author := latest.Author
		ia.LatestAuthor = &author
	}
}

// laterMessage reports whether a comes after b in the staff view's order:
// by time, then by id. Ids are ASCII, which both databases compare
// bytewise as Go does.
func laterMessage(a, b *messageRow) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.ID > b.ID
}
