package store

import (
	"context"
	"encoding/hex"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/ports"
)

// An inbound text is claimed by its webhook nonce and its carrier message
// id, and both are remembered for as long as the service runs: a webhook
// replayed a year on is still a replay, and a text the carrier delivers
// again is still a duplicate. Each is kept as its claim: the first
// claimSize bytes of its keyed hash (seal's blind index, HMAC-SHA256 under
// the index key), which is all a lookup needs, in a few bytes a text.
//
// 16 bytes are collision-safe enough. HMAC is a pseudorandom function, so
// without the key no one can aim a nonce or id at another's claim; by
// chance, the odds that any two of n claims share 128 bits are about
// n²/2¹²⁹: less than one in 10²⁰ after a billion texts. A collision would only make
// a fresh text look like a duplicate; it could never let a replay in.
const claimSize = 16

// The kinds of claim, keeping a nonce and an id with the same text apart.
const (
	nonceClaim   = "sms.nonce"
	messageClaim = "sms.message_uuid"
)

// claimOf is value's claim of kind; nil for an empty value, which the
// database refuses (every claim is NOT NULL and 16 bytes).
func claimOf(keys *seal.Keyring, kind, value string) []byte {
	sum, err := hex.DecodeString(keys.Index(kind, value))
	if err != nil || len(sum) < claimSize {
		return nil
	}
	return sum[:claimSize]
}

// claimedBefore reports whether value was claimed under an index key
// older than the primary (before a rotation): such claims cannot be made
// again under the new key, and a nonce or message seen then is no newer
// now. Claims under the primary are left to the INSERT, which races
// safely.
func (t texts) claimedBefore(ctx context.Context, table, kind, value string) (bool, error) {
	lookups := t.keys.Lookups(kind, value)
	if len(lookups) < 2 {
		return false, nil
	}
	var older [][]byte
	for _, ix := range lookups[1:] {
		if sum, err := hex.DecodeString(ix); err == nil && len(sum) >= claimSize {
			older = append(older, sum[:claimSize])
		}
	}
	found, err := t.db.NewSelect().Table(table).Where("hash IN (?)", bun.List(older)).Exists(ctx)
	return found, translate(err)
}

type nonceRow struct {
	bun.BaseModel `bun:"table:seen_nonces"`

	Hash []byte `bun:"hash,pk"`
}

type inboundRow struct {
	bun.BaseModel `bun:"table:seen_messages"`

	Hash []byte `bun:"hash,pk"`
}

type helpRow struct {
	bun.BaseModel `bun:"table:sms_help"`

	PhoneIndex string    `bun:"phone_index,pk"`
	LastSentAt time.Time `bun:"last_sent_at"`
}

type texts struct{ *tx }

func (t texts) nonceRow(nonce string) *nonceRow {
	return &nonceRow{Hash: claimOf(t.keys, nonceClaim, nonce)}
}

func (t texts) inboundRow(uuid string) *inboundRow {
	return &inboundRow{Hash: claimOf(t.keys, messageClaim, uuid)}
}

// RememberNonce is one statement: a new nonce is inserted; one seen
// before, however long ago, changes nothing, and is a replay.
func (t texts) RememberNonce(ctx context.Context, nonce string) error {
	if seen, err := t.claimedBefore(ctx, "seen_nonces", nonceClaim, nonce); err != nil || seen {
		if err == nil {
			err = ports.ErrNonceSeen
		}
		return err
	}
	n, err := rowsAffected(t.db.NewInsert().Model(t.nonceRow(nonce)).On("CONFLICT (hash) DO NOTHING").Exec(ctx))
	if err != nil {
		return err
	}
	if n == 0 {
		return ports.ErrNonceSeen
	}
	return nil
}

func (t texts) RememberMessage(ctx context.Context, uuid string) (bool, error) {
	if seen, err := t.claimedBefore(ctx, "seen_messages", messageClaim, uuid); err != nil || seen {
		return false, err
	}
	n, err := rowsAffected(t.db.NewInsert().Model(t.inboundRow(uuid)).On("CONFLICT (hash) DO NOTHING").Exec(ctx))
	return n == 1, err
}

func (t texts) Claim(ctx context.Context, c ports.TextClaim) error {
	if c.Nonce != "" {
		if err := t.RememberNonce(ctx, c.Nonce); err != nil {
			return err
		}
	}
	fresh, err := t.RememberMessage(ctx, c.MessageUUID)
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

// ForgetHelpBefore forgets help records only: nonces and carrier ids are
// never forgotten.
func (t texts) ForgetHelpBefore(ctx context.Context, before time.Time) (int, error) {
	return rowsAffected(t.db.NewDelete().Model((*helpRow)(nil)).Where("last_sent_at < ?", before).Exec(ctx))
}

// legacyClaims are the tables in which releases before migration
// 20261205000008 kept nonces and carrier ids in clear, for a week.
var legacyClaims = []struct{ table, column, kind string }{
	{"webhook_nonces", "nonce", nonceClaim},
	{"sms_inbound", "message_uuid", messageClaim},
}

// textClaimsMigration is the migration that made the hashed tables.
const textClaimsMigration = "20261205000008"

// claimLegacyTexts moves the nonces and carrier ids of the old tables into
// the hashed ones, then drops the old tables: dropping them unread would
// let a webhook or text of the last week before the upgrade in again. It
// is Go, not SQL, because the hash needs the data key (see goSteps). The
// old tables hold a week of texts at most, so one transaction moves them.
func claimLegacyTexts(ctx context.Context, t *tx) error {
	for _, legacy := range legacyClaims {
		exists, err := t.tableExists(ctx, legacy.table)
		if err != nil {
			return err
		}
		if !exists {
			continue
		}
		var values []string
		if err := t.db.NewSelect().Table(legacy.table).Column(legacy.column).
			Where("? <> ''", bun.Ident(legacy.column)).Scan(ctx, &values); err != nil {
			return err
		}
		for batch := range slices.Chunk(values, 500) {
			if err := t.insertClaims(ctx, legacy.kind, batch); err != nil {
				return err
			}
		}
		if _, err := t.db.NewDropTable().Table(legacy.table).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// insertClaims claims values of kind, keeping any claim already made.
func (t *tx) insertClaims(ctx context.Context, kind string, values []string) error {
	var q *bun.InsertQuery
	switch kind {
	case nonceClaim:
		rows := make([]*nonceRow, len(values))
		for i, v := range values {
			rows[i] = texts{t}.nonceRow(v)
		}
		q = t.db.NewInsert().Model(&rows)
	default:
		rows := make([]*inboundRow, len(values))
		for i, v := range values {
			rows[i] = texts{t}.inboundRow(v)
		}
		q = t.db.NewInsert().Model(&rows)
	}
	_, err := q.On("CONFLICT (hash) DO NOTHING").Exec(ctx)
	return err
}

// tableExists reports whether the schema has a table of that name.
func (t *tx) tableExists(ctx context.Context, name string) (bool, error) {
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"
	if t.postgres {
		q = "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?)"
	}
	var exists bool
	err := t.db.NewRaw(q, name).Scan(ctx, &exists)
	return exists, err
}
