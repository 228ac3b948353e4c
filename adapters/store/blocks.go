package store

import (
	"context"
	"net/netip"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

type blockRow struct {
	bun.BaseModel `bun:"table:blocks"`

	ID         string     `bun:"id,pk"`
	Kind       string     `bun:"kind"`
	ValueIndex string     `bun:"value_index"`
	Ref        string     `bun:"ref"`
	Reason     string     `bun:"reason"`
	ExpiresAt  *time.Time `bun:"expires_at"`
	CreatedAt  time.Time  `bun:"created_at"`
}

type blocks struct{ *tx }

// blockIndex is the blind index a block matches on. Emails and phone
// numbers share the indexes of the interactions' contact data; addresses
// are compared in their canonical form, so "::ffff:192.0.2.1" is 192.0.2.1.
func (b blocks) blockIndex(kind domain.BlockKind, value string) *string {
	if kind == domain.BlockIP {
		addr, err := netip.ParseAddr(value)
		if err != nil {
			return nil
		}
		ix := b.keys.Index("reporter.ip", addr.Unmap().String())
		return &ix
	}
	return contactIndex(b.keys, string(kind), value)
}

// blockLookups are the blind indexes a block of value may be kept under:
// one per key the keyring knows, since a block holds no value to index
// again when the key is rotated.
func (b blocks) blockLookups(kind domain.BlockKind, value string) []string {
	if kind == domain.BlockIP {
		addr, err := netip.ParseAddr(value)
		if err != nil {
			return nil
		}
		return b.keys.Lookups("reporter.ip", addr.Unmap().String())
	}
	return contactLookups(b.keys, string(kind), value)
}

// senderIndexes are the blind indexes of whatever the sender is known by.
func (b blocks) senderIndexes(s domain.Sender) []string {
	var indexes []string
	for kind, value := range map[domain.BlockKind]string{domain.BlockEmail: s.Email, domain.BlockPhone: s.Phone, domain.BlockIP: s.IP} {
		indexes = append(indexes, b.blockLookups(kind, value)...)
	}
	return indexes
}

func (b blocks) Create(ctx context.Context, bl *domain.Block) error {
	ix := b.blockIndex(bl.Kind, bl.Value)
	if ix == nil {
		return domain.Errorf(domain.KindInvalid, "there is nothing to block")
	}
	_, err := b.db.NewInsert().Model(&blockRow{
		ID: string(bl.ID), Kind: string(bl.Kind), ValueIndex: *ix, Ref: string(bl.Ref), Reason: bl.Reason,
		ExpiresAt: bl.ExpiresAt, CreatedAt: bl.CreatedAt,
	}).Exec(ctx)
	return translate(err)
}

func (b blocks) Blocked(ctx context.Context, s domain.Sender, now time.Time) (bool, error) {
	indexes := b.senderIndexes(s)
	if len(indexes) == 0 {
		return false, nil
	}
	n, err := b.db.NewSelect().Model((*blockRow)(nil)).
		Where("value_index IN (?)", bun.List(indexes)).
		Where("expires_at IS NULL OR expires_at > ?", now).
		Count(ctx)
	if err != nil {
		return false, translate(err)
	}
	return n > 0, nil
}

func (b blocks) AnyInForce(ctx context.Context, now time.Time) (bool, error) {
	found, err := b.db.NewSelect().Model((*blockRow)(nil)).
		Where("expires_at IS NULL OR expires_at > ?", now).
		Exists(ctx)
	return found, translate(err)
}

func (b blocks) Lift(ctx context.Context, s domain.Sender) (int, error) {
	indexes := b.senderIndexes(s)
	if len(indexes) == 0 {
		return 0, nil
	}
	res, err := b.db.NewDelete().Model((*blockRow)(nil)).Where("value_index IN (?)", bun.List(indexes)).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return int(n), translate(err)
}

func (b blocks) InForce(ctx context.Context, now time.Time) ([]*domain.Block, error) {
	var rows []blockRow
	err := b.db.NewSelect().Model(&rows).
		Where("expires_at IS NULL OR expires_at > ?", now).
		Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.Block, len(rows))
	for i, r := range rows {
		out[i] = &domain.Block{ID: domain.BlockID(r.ID), Kind: domain.BlockKind(r.Kind), Ref: domain.Reference(r.Ref),
			Reason: r.Reason, ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ipBlocksMigration keeps each block's reference and ends old IP blocks.
const ipBlocksMigration = "20261206000023"

// endLegacyIPBlocks ends each IP block at most domain.IPBlockDays after
// the upgrade. Such blocks were made by every `whisperctl block`, without
// a warning that a school often shares one address, and so may be
// silencing a whole school. It runs in Go so that the time is written as
// the store writes every other.
func endLegacyIPBlocks(ctx context.Context, t *tx) error {
	end := time.Now().AddDate(0, 0, domain.IPBlockDays)
	_, err := t.db.NewUpdate().Model((*blockRow)(nil)).Set("expires_at = ?", end).
		Where("kind = ?", string(domain.BlockIP)).
		Where("expires_at IS NULL OR expires_at > ?", end).Exec(ctx)
	return err
}
