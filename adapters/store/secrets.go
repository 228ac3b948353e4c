package store

import (
	"context"
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

// secretLookups is what a secret's row is looked up by: its keyed hash
// under every index key the keyring knows, since a secret stored before a
// rotation cannot be keyed again (the store does not hold it).
func (t *tx) secretLookups(kind, hash string) bun.ListValues {
	return bun.List(t.keys.Lookups(kind, hash))
}

// secretColumns are the columns that hold a keyed secret hash, with their
// kind.
var secretColumns = []struct{ table, column, kind string }{
	{"staff_sessions", "id_hash", secretSession},
	{"password_links", "token_hash", secretPasswordLink},
	{"staff_recovery_codes", "code_hash", secretRecoveryCode},
	{"interactions", "token_hash", secretConversation},
}

// keyedSecretsMigration is the migration after which secret hashes are
// keyed.
const keyedSecretsMigration = "20261205000011"

// keySecretHashes rewrites the rows written before secrets were keyed:
// each holds the app's bare hash h, which becomes the keyed hash of h, just
// as if it had been written now. It needs the data key, so it is Go, not
// SQL (see goSteps), and runs once, in its migration's transaction.
func keySecretHashes(ctx context.Context, t *tx) error {
	for _, c := range secretColumns {
		var hashes []string
		if err := t.db.NewRaw("SELECT ? FROM ? WHERE ? IS NOT NULL", bun.Ident(c.column), bun.Ident(c.table), bun.Ident(c.column)).
			Scan(ctx, &hashes); err != nil {
			return fmt.Errorf("reading %s.%s: %w", c.table, c.column, err)
		}
		for _, h := range hashes {
			if _, err := t.db.NewRaw("UPDATE ? SET ? = ? WHERE ? = ?", bun.Ident(c.table), bun.Ident(c.column),
				t.secretIndex(c.kind, h), bun.Ident(c.column), h).Exec(ctx); err != nil {
				return fmt.Errorf("keying %s.%s: %w", c.table, c.column, err)
			}
		}
	}
	return nil
}
