package store

import (
	"context"
	"errors"
	"reflect"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

// Change reads the interaction under a row lock (FOR UPDATE on PostgreSQL;
// on SQLite the write transaction already holds the database's one write
// lock), runs fn on it and writes back only the columns fn changed. See
// ports.InteractionRepo.
//
// The write never names the reporter's name, link, contact data or
// erased_at, and states that the row is not erased: a change can neither
// bring personal data back nor undo an erasure.
func (i interactions) Change(ctx context.Context, id domain.InteractionID, fn func(ia *domain.Interaction) error) (*domain.Interaction, error) {
	var row interactionRow
	q := i.lockedSelect().Model(&row).ExcludeColumn("email_sealed", "phone_sealed").Where("id = ?", string(id))
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "interaction")
	}
	if row.ErasedAt != nil {
		return nil, domain.ErrErased
	}
	ia, err := i.fromRow(&row)
	if err != nil {
		return nil, err
	}
	before := *ia
	if err := fn(ia); err != nil {
		return nil, err
	}
	set, err := changedColumns(&before, ia)
	if err != nil {
		return nil, err
	}
	if len(set) == 0 {
		return ia, nil
	}
	up := i.db.NewUpdate().Model((*interactionRow)(nil)).Where("id = ?", string(id)).Where("erased_at IS NULL")
	for _, c := range set {
		up = up.Set("? = ?", bun.Ident(c.name), c.value)
	}
	res, err := up.Exec(ctx)
	if err := mustAffect(res, err, "interaction"); err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			// The row was read above and is held: only an erasure in
			// between, which the lock rules out, could get here.
			return nil, domain.ErrErased
		}
		return nil, err
	}
	return ia, nil
}

// column is one column to write and its new value.
type column struct {
	name  string
	value any
}

// changedColumns lists the columns whose values fn changed, with their new
// values, always in the same order. A change to anything else is a bug in
// the caller, refused.
func changedColumns(before, after *domain.Interaction) ([]column, error) {
	var set []column
	add := func(changed bool, name string, value any) {
		if changed {
			set = append(set, column{name, value})
		}
	}
	add(after.InboxID != before.InboxID, "inbox_id", string(after.InboxID))
	add(after.Status != before.Status, "status", string(after.Status))
	add(after.Flagged != before.Flagged, "flagged", after.Flagged)
	add(after.LegalHold != before.LegalHold, "legal_hold", after.LegalHold)
	add(!after.LastActivityAt.Equal(before.LastActivityAt), "last_activity_at", after.LastActivityAt)
	add(!timesEqual(after.ClosedAt, before.ClosedAt), "closed_at", after.ClosedAt)
	rest := *after
	rest.InboxID, rest.Status, rest.Flagged, rest.LegalHold = before.InboxID, before.Status, before.Flagged, before.LegalHold
	rest.LastActivityAt, rest.ClosedAt = before.LastActivityAt, before.ClosedAt
	if !reflect.DeepEqual(&rest, before) {
		return nil, &domain.Error{Kind: domain.KindInternal,
			Err: errors.New("store: Change may change an interaction's inbox, status, flags, hold and dates only")}
	}
	return set, nil
}

func timesEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
