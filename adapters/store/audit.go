package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`

	Seq      int64     `bun:"seq,pk"`
	At       time.Time `bun:"at"`
	Actor    string    `bun:"actor"`
	Action   string    `bun:"action"`
	OrgID    string    `bun:"org_id"`
	Ref      string    `bun:"ref"`
	Reason   string    `bun:"reason"`
	Details  jsonMap   `bun:"details"`
	PrevHash string    `bun:"prev_hash"`
	Hash     string    `bun:"hash"`
}

// auditLockKey serialises appends on PostgreSQL; SQLite has one writer.
const auditLockKey = 0x57_41_55_44 // "WAUD"

type audit struct{ *tx }

func (a audit) Append(ctx context.Context, e *domain.AuditEntry) error {
	if a.postgres {
		if _, err := a.db.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockKey); err != nil {
			return translate(err)
		}
	}
	var last auditRow
	err := a.db.NewSelect().Model(&last).Order("seq DESC").Limit(1).Scan(ctx)
	if err = translate(err); err != nil && domain.KindOf(err) != domain.KindNotFound {
		return err
	}
	e.Seq, e.PrevHash, e.At = last.Seq+1, last.Hash, e.At.UTC()
	e.Hash = domain.ChainHash(e.PrevHash, e)
	_, err = a.db.NewInsert().Model(&auditRow{
		Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, OrgID: string(e.OrgID), Ref: string(e.Ref),
		Reason: e.Reason, Details: jsonMap(e.Details), PrevHash: e.PrevHash, Hash: e.Hash,
	}).Exec(ctx)
	return translate(err)
}

func (a audit) List(ctx context.Context, afterSeq int64, limit int) ([]*domain.AuditEntry, error) {
	var rows []auditRow
	q := a.db.NewSelect().Model(&rows).Where("seq > ?", afterSeq).Order("seq")
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = &domain.AuditEntry{
			Seq: r.Seq, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, OrgID: domain.OrgID(r.OrgID),
			Ref: domain.Reference(r.Ref), Reason: r.Reason, Details: map[string]string(r.Details),
			PrevHash: r.PrevHash, Hash: r.Hash,
		}
	}
	return out, nil
}
