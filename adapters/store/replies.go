package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
)

// What paces a reporter's replies: the count behind the hourly limit, the
// state of each recipient's reply alerts, and the notice a texter over the
// limit gets. See ports.ReplyRepo and domain.ReplyAlertState.

// ReporterSince reads only the messages_interaction index's range of one
// interaction's last hour, and the author of each row in it.
func (m messages) ReporterSince(ctx context.Context, id domain.InteractionID, since time.Time) ([]time.Time, error) {
	var at []time.Time
	err := m.db.NewSelect().Model((*messageRow)(nil)).Column("created_at").
		Where("interaction_id = ?", string(id)).Where("created_at > ?", since).
		Where("author = ?", string(domain.AuthorReporter)).
		Order("created_at").Scan(ctx, &at)
	if err != nil {
		return nil, translate(err)
	}
	for n := range at {
		at[n] = at[n].UTC()
	}
	return at, nil
}

type replyAlertRow struct {
	bun.BaseModel `bun:"table:reply_alerts"`

	InteractionID  string    `bun:"interaction_id,pk"`
	RecipientIndex string    `bun:"recipient_index,pk"`
	WindowEndsAt   time.Time `bun:"window_ends_at"`
	PendingID      *string   `bun:"pending_id"`
	PendingCount   int       `bun:"pending_count"`
}

type replyLimitNoticeRow struct {
	bun.BaseModel `bun:"table:reply_limit_notices"`

	InteractionID string    `bun:"interaction_id,pk"`
	LastSentAt    time.Time `bun:"last_sent_at"`
}

type replies struct{ *tx }

// recipientIndex is the blind index a recipient's state is kept under.
func recipientIndex(keys *seal.Keyring, address string) string {
	return keys.Index("reply_alert.recipient", seal.NormaliseEmailForIndex(address))
}

// AlertStates reads every recipient's row of the interaction in one
// statement: an interaction has a handful of alert recipients.
func (r replies) AlertStates(ctx context.Context, id domain.InteractionID, recipients []string) (map[string]domain.ReplyAlertState, error) {
	var rows []replyAlertRow
	if err := r.db.NewSelect().Model(&rows).Where("interaction_id = ?", string(id)).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	byIndex := make(map[string]*replyAlertRow, len(rows))
	for n := range rows {
		byIndex[rows[n].RecipientIndex] = &rows[n]
	}
	out := make(map[string]domain.ReplyAlertState, len(recipients))
	for _, to := range recipients {
		var st domain.ReplyAlertState
		if row, ok := byIndex[recipientIndex(r.keys, to)]; ok {
			st = domain.ReplyAlertState{WindowEndsAt: row.WindowEndsAt.UTC(), PendingCount: row.PendingCount}
			if row.PendingID != nil {
				st.PendingID = domain.DeliveryID(*row.PendingID)
			}
		}
		out[to] = st
	}
	return out, nil
}

// SaveAlertStates is one multi-row upsert.
func (r replies) SaveAlertStates(ctx context.Context, id domain.InteractionID, states map[string]domain.ReplyAlertState) error {
	if len(states) == 0 {
		return nil
	}
	rows := make([]replyAlertRow, 0, len(states))
	for to, st := range states {
		row := replyAlertRow{InteractionID: string(id), RecipientIndex: recipientIndex(r.keys, to),
			WindowEndsAt: st.WindowEndsAt, PendingCount: st.PendingCount}
		if st.PendingID != "" {
			pending := string(st.PendingID)
			row.PendingID = &pending
		}
		rows = append(rows, row)
	}
	_, err := r.db.NewInsert().Model(&rows).
		On("CONFLICT (interaction_id, recipient_index) DO UPDATE").
		Set("window_ends_at = EXCLUDED.window_ends_at").
		Set("pending_id = EXCLUDED.pending_id").
		Set("pending_count = EXCLUDED.pending_count").
		Exec(ctx)
	return translate(err)
}

// TakeLimitNotice is one statement, as TakeHelpAllowance is: the
// interaction's row is inserted, or renewed only when its last notice is
// at least `every` old.
func (r replies) TakeLimitNotice(ctx context.Context, id domain.InteractionID, now time.Time, every time.Duration) (bool, error) {
	n, err := rowsAffected(r.db.NewInsert().Model(&replyLimitNoticeRow{InteractionID: string(id), LastSentAt: now}).
		On("CONFLICT (interaction_id) DO UPDATE").Set("last_sent_at = EXCLUDED.last_sent_at").
		Where("?TableAlias.last_sent_at <= ?", now.Add(-every)).Exec(ctx))
	return n == 1, err
}

// forgetReplies deletes the pacing rows of erased interactions: the
// recipients' blind indexes and when a texter was told go with the rest.
func forgetReplies(ctx context.Context, db bun.IDB, ids any) error {
	for _, model := range []any{(*replyAlertRow)(nil), (*replyLimitNoticeRow)(nil)} {
		if _, err := db.NewDelete().Model(model).Where("interaction_id IN (?)", ids).Exec(ctx); err != nil {
			return translate(err)
		}
	}
	return nil
}
