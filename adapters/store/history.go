package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// history keeps each interaction's history (ports.HistoryRepo).
type history struct{ *tx }

func (t *tx) History() ports.HistoryRepo { return history{t} }

type historyRow struct {
	bun.BaseModel `bun:"table:interaction_history"`

	Seq             int64     `bun:"seq,pk,autoincrement"`
	InteractionID   string    `bun:"interaction_id"`
	StaffID         *string   `bun:"staff_id"`
	StaffNameSealed []byte    `bun:"staff_name_sealed"`
	Kind            string    `bun:"kind"`
	DetailSealed    []byte    `bun:"detail_sealed"`
	ReadSlot        *int64    `bun:"read_slot"`
	At              time.Time `bun:"at"`
}

// historyBatch bounds how many lines one INSERT writes, so that a large
// export's statements stay a sensible size on both dialects.
const historyBatch = 500

// Record first holds the interactions that are not erased (FOR SHARE on
// PostgreSQL: an erasure's UPDATE waits for this transaction, and one that
// came first makes the row erased when it is read again; SQLite's one
// writer gives the same), then inserts a line for each, its names sealed
// to that interaction. The unique index on (interaction, member, read
// slot) makes a second read in the same hour do nothing.
func (h history) Record(ctx context.Context, e domain.HistoryEvent, ids ...domain.InteractionID) (int, error) {
	added := 0
	for len(ids) > 0 {
		n := min(len(ids), historyBatch)
		k, err := h.record(ctx, e, ids[:n])
		if err != nil {
			return added, err
		}
		added += k
		ids = ids[n:]
	}
	return added, nil
}

func (h history) record(ctx context.Context, e domain.HistoryEvent, ids []domain.InteractionID) (int, error) {
	q := h.db.NewSelect().Model((*interactionRow)(nil)).Column("id").
		Where("id IN (?)", bun.List(ids)).Where("erased_at IS NULL").Order("id")
	if h.postgres {
		q = q.For("SHARE")
	}
	var live []string
	if err := q.Scan(ctx, &live); err != nil {
		return 0, translate(err)
	}
	if len(live) == 0 {
		return 0, nil
	}
	var staff *string
	if e.StaffID != "" {
		s := string(e.StaffID)
		staff = &s
	}
	var slot *int64
	if e.Kind == domain.HistoryRead {
		s := domain.ReadSlot(e.At)
		slot = &s
	}
	rows := make([]historyRow, len(live))
	for n, id := range live {
		rows[n] = historyRow{
			InteractionID:   id,
			StaffID:         staff,
			StaffNameSealed: h.keys.Seal(e.StaffName, aad("interaction_history.staff_name", id)),
			Kind:            string(e.Kind),
			DetailSealed:    h.keys.Seal(e.Detail, aad("interaction_history.detail", id)),
			ReadSlot:        slot,
			At:              e.At,
		}
	}
	res, err := h.db.NewInsert().Model(&rows).ExcludeColumn("seq").On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return int(n), translate(err)
}

func (h history) List(ctx context.Context, id domain.InteractionID) ([]*domain.HistoryEvent, error) {
	var rows []historyRow
	err := h.db.NewSelect().Model(&rows).Where("interaction_id = ?", string(id)).Order("at", "seq").Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, func(r *historyRow) (*domain.HistoryEvent, error) {
		e := &domain.HistoryEvent{InteractionID: domain.InteractionID(r.InteractionID), Kind: domain.HistoryKind(r.Kind), At: r.At.UTC()}
		if r.StaffID != nil {
			e.StaffID = domain.StaffID(*r.StaffID)
		}
		err := openFields(h.keys, r.InteractionID,
			sealedField{&e.StaffName, r.StaffNameSealed, "interaction_history.staff_name"},
			sealedField{&e.Detail, r.DetailSealed, "interaction_history.detail"})
		return e, err
	})
}

// forgetHistory deletes the history of erased interactions: who handled a
// report goes with the report.
func forgetHistory(ctx context.Context, db bun.IDB, ids any) error {
	_, err := db.NewDelete().Model((*historyRow)(nil)).Where("interaction_id IN (?)", ids).Exec(ctx)
	return translate(err)
}
