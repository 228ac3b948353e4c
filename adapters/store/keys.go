package store

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// The data key is checked: the database records the fingerprint of the key
// its data is sealed under (table data_key), and a store whose keyring has
// neither that key as its primary nor, while a rotation is being prepared,
// among its older keys refuses to open. Without the check, a process
// given the wrong key served happily and failed on every row.

type dataKeyRow struct {
	bun.BaseModel `bun:"table:data_key"`

	ID          int       `bun:"id,pk"`
	Fingerprint string    `bun:"fingerprint"`
	RecordedAt  time.Time `bun:"recorded_at"`
}

type retiredKeyRow struct {
	bun.BaseModel `bun:"table:retired_index_keys"`

	Fingerprint string    `bun:"fingerprint,pk"`
	KeySealed   []byte    `bun:"key_sealed"`
	AuditChain  bool      `bun:"audit_chain"`
	RetiredAt   time.Time `bun:"retired_at"`
}

// wrongKey is the one-line error a process with the wrong key stops on.
func wrongKey(stored string, keys *seal.Keyring) error {
	return &domain.Error{Kind: domain.KindInvalid, Safe: wrongKeyWords(stored, keys)}
}

func wrongKeyWords(stored string, keys *seal.Keyring) domain.Words {
	have := keys.Fingerprint()
	if older := keys.OlderFingerprints(); len(older) > 0 {
		have += " (older: " + strings.Join(older, ", ") + ")"
	}
	return domain.Say("the data key does not match this database: its data is sealed under the key with fingerprint %s, and this process was given %s; configure the database's own key as security.data_key (while rotating: the new key there and the old one in security.old_data_keys)", stored, have)
}

// hasTable reports whether the schema has table; a database not yet
// migrated to the fingerprint's migration has nothing to check yet.
func (s *Store) hasTable(ctx context.Context, name string) (bool, error) {
	var n int
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	if s.postgres {
		q = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?"
	}
	if err := s.db.NewRaw(q, name).Scan(ctx, &n); err != nil {
		return false, translate(err)
	}
	return n > 0, nil
}

// storedFingerprint returns the recorded fingerprint, or "" when none is.
func storedFingerprint(ctx context.Context, db bun.IDB) (string, error) {
	var fps []string
	if err := db.NewSelect().Model((*dataKeyRow)(nil)).Column("fingerprint").Where("id = 1").Scan(ctx, &fps); err != nil {
		return "", translate(err)
	}
	if len(fps) == 0 {
		return "", nil
	}
	return fps[0], nil
}

// accepts reports whether a process with keys may use a database whose
// recorded fingerprint is fp: its primary key is the database's, or a
// rotation is being prepared (the new key is primary and the database's
// own is among the older ones; `whisperctl key rotate` then records the
// new one).
func accepts(keys *seal.Keyring, fp string) bool {
	if fp == keys.Fingerprint() {
		return true
	}
	for _, older := range keys.OlderFingerprints() {
		if older == fp {
			return true
		}
	}
	return false
}

// checkKey records the keyring's fingerprint in a database that has none,
// refuses a keyring that does not match the recorded one, and gives the
// store the keyring completed with what the database keeps (retained
// index keys, the audit chain's key). It runs at Open and after Migrate,
// before the store serves anything.
func (s *Store) checkKey(ctx context.Context) error {
	ok, err := s.hasTable(ctx, "data_key")
	if err != nil || !ok {
		return err
	}
	fp, err := storedFingerprint(ctx, s.db)
	if err != nil {
		return err
	}
	if fp == "" {
		if fp, err = s.recordFingerprint(ctx); err != nil {
			return err
		}
	}
	if !accepts(s.keys, fp) {
		return wrongKey(fp, s.keys)
	}
	var rows []retiredKeyRow
	if err := s.db.NewSelect().Model(&rows).Order("retired_at", "fingerprint").Scan(ctx); err != nil {
		return translate(err)
	}
	retained := make([]seal.Retained, len(rows))
	for i, r := range rows {
		retained[i] = seal.Retained{Fingerprint: r.Fingerprint, Sealed: r.KeySealed, Chain: r.AuditChain}
	}
	keys, err := s.keys.WithStored(fp, retained)
	if err != nil {
		return err
	}
	s.keys = keys
	return nil
}

// recordFingerprint records the primary key's fingerprint in a database
// that has none: a new one, or one made by a release before the check. In
// the second case its data shows which key sealed it, and a key that holds
// none of it is refused rather than recorded. Of several processes
// recording at once, the first wins and the others compare against it.
func (s *Store) recordFingerprint(ctx context.Context) (string, error) {
	if sealed, err := s.anySealed(ctx); err != nil {
		return "", err
	} else if sealed != nil && !s.keys.Holds(sealed) {
		return "", &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say(
			"the data key does not match this database: its data is sealed under another key; configure the database's own key as security.data_key")}
	}
	err := s.InTx(ctx, func(ptx ports.Tx) error {
		_, err := ptx.(*tx).db.NewInsert().Model(&dataKeyRow{ID: 1, Fingerprint: s.keys.Fingerprint(), RecordedAt: time.Now().UTC()}).
			On("CONFLICT (id) DO NOTHING").Exec(ctx)
		return translate(err)
	})
	if err != nil {
		return "", err
	}
	return storedFingerprint(ctx, s.db)
}

// anySealed returns one sealed value of the database, if it holds any, to
// see which key sealed it.
func (s *Store) anySealed(ctx context.Context) ([]byte, error) {
	for _, c := range []struct{ table, column string }{
		{"messages", "body_sealed"}, {"staff", "email_sealed"}, {"outbox", "to_sealed"},
	} {
		var vals [][]byte
		err := s.db.NewRaw("SELECT ? FROM ? WHERE ? IS NOT NULL LIMIT 1", bun.Ident(c.column), bun.Ident(c.table), bun.Ident(c.column)).
			Scan(ctx, &vals)
		if err != nil {
			return nil, translate(err)
		}
		if len(vals) > 0 {
			return vals[0], nil
		}
	}
	return nil, nil
}

// verifyKey is the readiness probe's half of the check: the recorded
// fingerprint still matches this process's keys. It stops matching when
// another key is recorded meanwhile, for example a rotation began with a
// key this instance was not given.
func (s *Store) verifyKey(ctx context.Context) error {
	ok, err := s.hasTable(ctx, "data_key")
	if err != nil || !ok {
		return err
	}
	fp, err := storedFingerprint(ctx, s.reads)
	if err != nil {
		return err
	}
	if fp != "" && !accepts(s.keys, fp) {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: wrongKeyWords(fp, s.keys)}
	}
	return nil
}
