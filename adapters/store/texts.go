package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/ports"
)

// nonceMemory is how long webhook nonces are remembered.
const nonceMemory = 24 * time.Hour

type nonceRow struct {
	bun.BaseModel `bun:"table:webhook_nonces"`

	Nonce  string    `bun:"nonce,pk"`
	SeenAt time.Time `bun:"seen_at"`
}

type inboundRow struct {
	bun.BaseModel `bun:"table:sms_inbound"`

	MessageUUID string    `bun:"message_uuid,pk"`
	ReceivedAt  time.Time `bun:"received_at"`
}

type helpRow struct {
	bun.BaseModel `bun:"table:sms_help"`

	PhoneIndex string    `bun:"phone_index,pk"`
	LastSentAt time.Time `bun:"last_sent_at"`
}

type texts struct{ *tx }

// RememberNonce is one statement: a new nonce is inserted; one seen over
// a day ago is taken as new and its time renewed; one seen within the day
// changes nothing, and is a replay. Housekeeping forgets old nonces.
func (t texts) RememberNonce(ctx context.Context, nonce string, now time.Time) error {
	n, err := rowsAffected(t.db.NewInsert().Model(&nonceRow{Nonce: nonce, SeenAt: now}).
		On("CONFLICT (nonce) DO UPDATE").Set("seen_at = EXCLUDED.seen_at").
		Where("?TableAlias.seen_at < ?", now.Add(-nonceMemory)).Exec(ctx))
	if err != nil {
		return err
	}
	if n == 0 {
		return ports.ErrNonceSeen
	}
	return nil
}

func (t texts) RememberMessage(ctx context.Context, uuid string, now time.Time) (bool, error) {
	n, err := rowsAffected(t.db.NewInsert().Model(&inboundRow{MessageUUID: uuid, ReceivedAt: now}).
		On("CONFLICT (message_uuid) DO NOTHING").Exec(ctx))
	return n == 1, err
}

func (t texts) Claim(ctx context.Context, c ports.TextClaim) error {
	if c.Nonce != "" {
		if err := t.RememberNonce(ctx, c.Nonce, c.At); err != nil {
			return err
		}
	}
	fresh, err := t.RememberMessage(ctx, c.MessageUUID, c.At)
	if err == nil && !fresh {
		err = ports.ErrTextSeen
	}
	return err
}

// TakeHelpAllowance is one statement, so that two texts from one number
// at the same moment cannot both take the day's help text: the number's
// row is inserted, or renewed only when its last help text is at least
// `every` old.
func (t texts) TakeHelpAllowance(ctx context.Context, phone string, now time.Time, every time.Duration) (bool, error) {
	n, err := rowsAffected(t.db.NewInsert().Model(&helpRow{PhoneIndex: t.keys.Index("reporter.phone", phone), LastSentAt: now}).
		On("CONFLICT (phone_index) DO UPDATE").Set("last_sent_at = EXCLUDED.last_sent_at").
		Where("?TableAlias.last_sent_at <= ?", now.Add(-every)).Exec(ctx))
	return n == 1, err
}

func (t texts) ForgetBefore(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for _, q := range []*bun.DeleteQuery{
		t.db.NewDelete().Model((*nonceRow)(nil)).Where("seen_at < ?", before),
		t.db.NewDelete().Model((*inboundRow)(nil)).Where("received_at < ?", before),
		t.db.NewDelete().Model((*helpRow)(nil)).Where("last_sent_at < ?", before),
	} {
		n, err := rowsAffected(q.Exec(ctx))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
