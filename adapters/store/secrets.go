package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
)

// Bearer secrets that are checked rather than opened (session tokens,
// set-password links, recovery codes, conversation links) reach the store
// as a hash the app made: SHA-256 of the secret. A bare fast hash is no
// protection for a secret that can be guessed (a recovery code has ten
// characters), and even for one that cannot, it lets whoever holds a dump
// test a secret they hold, or one they see in a log, against every row. So
// the store keeps, and looks up by, a keyed hash of that hash instead: the
// blind index of the data key (seal.Keyring.Index), under a kind for each
// use so that no value of one kind finds a row of another.

// secretKind names each keyed secret column's kind: the kind is part of
// what is hashed.
const (
	secretSession      = "secret.session"
	secretPasswordLink = "secret.password_link"
	secretRecoveryCode = "secret.recovery_code"
	secretConversation = "secret.conversation"
)

// secretIndex is what the store keeps of a secret's hash from the app, and
// looks it up by.
func (t *tx) secretIndex(kind, hash string) string { return t.keys.Index(kind, hash) }

// secretColumns are the columns that hold a keyed secret hash, with their
// kind.
var secretColumns = []struct{ table, column, kind string }{
	{"staff_sessions", "id_hash", secretSession},
	{"password_links", "token_hash", secretPasswordLink},
	{"staff_recovery_codes", "code_hash", secretRecoveryCode},
	{"interactions", "token_hash", secretConversation},
}

// keySecretHashes finishes migration 20261205000011_keyed_secret_hashes:
// rows written before it hold the app's bare hash h, which becomes the
// keyed hash of h, just as if it had been written now. That needs the data
// key, which SQL does not have, so the migration only marks the work due
// (a row in secret_hashes_unkeyed), and Migrate does it here, clearing the
// mark in the same transaction: the rewrite happens once, never twice,
// even if a process stops half way. The caller holds the migration lock.
func (s *Store) keySecretHashes(ctx context.Context) error {
	return s.db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, btx bun.Tx) error {
		res, err := btx.NewRaw("DELETE FROM secret_hashes_unkeyed").Exec(ctx)
		if err != nil {
			return translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return translate(err)
		}
		t := &tx{db: btx, keys: s.keys, postgres: s.postgres}
		for _, c := range secretColumns {
			var hashes []string
			if err := btx.NewRaw("SELECT ? FROM ? WHERE ? IS NOT NULL", bun.Ident(c.column), bun.Ident(c.table), bun.Ident(c.column)).
				Scan(ctx, &hashes); err != nil {
				return fmt.Errorf("store: reading %s.%s: %w", c.table, c.column, translate(err))
			}
			for _, h := range hashes {
				if _, err := btx.NewRaw("UPDATE ? SET ? = ? WHERE ? = ?", bun.Ident(c.table), bun.Ident(c.column),
					t.secretIndex(c.kind, h), bun.Ident(c.column), h).Exec(ctx); err != nil {
					return fmt.Errorf("store: keying %s.%s: %w", c.table, c.column, translate(err))
				}
			}
		}
		return nil
	})
}
