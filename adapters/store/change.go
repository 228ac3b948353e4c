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
	u := i.updateRow((*interactionRow)(nil), string(id))
	u.q = u.q.Where("erased_at IS NULL")
	if err := changedColumns(u, &before, ia); err != nil {
		return nil, err
	}
	if err := u.exec(ctx, "interaction"); err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			// The row was read above and is held: only an erasure in
			// between, which the lock rules out, could get here.
			return nil, domain.ErrErased
		}
		return nil, err
	}
	if ia.InboxID != before.InboxID {
		// An assignee who cannot see the new inbox is one no longer
		// (triage.go).
		if err := releaseInteraction(ctx, i.db, id); err != nil {
			return nil, err
		}
	}
	return ia, nil
}

// changedColumns sets in u the columns whose values fn changed. A change
// to anything else is a bug in the caller, refused.
func changedColumns(u *rowUpdate, before, after *domain.Interaction) error {
	u.set(after.InboxID != before.InboxID, "inbox_id", string(after.InboxID))
	u.set(after.Status != before.Status, "status", string(after.Status))
	u.set(after.Flagged != before.Flagged, "flagged", after.Flagged)
	u.set(after.LegalHold != before.LegalHold, "legal_hold", after.LegalHold)
	u.set(!after.LastActivityAt.Equal(before.LastActivityAt), "last_activity_at", after.LastActivityAt)
	u.set(!sameTime(after.ClosedAt, before.ClosedAt), "closed_at", after.ClosedAt)
	rest := *after
	rest.InboxID, rest.Status, rest.Flagged, rest.LegalHold = before.InboxID, before.Status, before.Flagged, before.LegalHold
	rest.LastActivityAt, rest.ClosedAt = before.LastActivityAt, before.ClosedAt
	if !reflect.DeepEqual(&rest, before) {
		return &domain.Error{Kind: domain.KindInternal,
			Err: errors.New("store: Change may change an interaction's inbox, status, flags, hold and dates only")}
	}
	return nil
}

// rowUpdate is the UPDATE a Change method writes: of one row, setting only
// the columns whose values changed.
type rowUpdate struct {
	q       *bun.UpdateQuery
	changed bool
}

// updateRow starts the update of model's row with that id.
func (t *tx) updateRow(model any, id string) *rowUpdate {
	return &rowUpdate{q: t.db.NewUpdate().Model(model).Where("id = ?", id)}
}

// set sets column to v when its value differs.
func (u *rowUpdate) set(differs bool, column string, v any) {
	if differs {
		u.q, u.changed = u.q.Set("? = ?", bun.Ident(column), v), true
	}
}

// exec runs the update, unless nothing changed. A row it does not find is
// KindNotFound, named what.
func (u *rowUpdate) exec(ctx context.Context, what string) error {
	if !u.changed {
		return nil
	}
	res, err := u.q.Exec(ctx)
	return mustAffect(res, err, what)
}

// sameTime says whether two optional times are the same instant.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
