package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
)

// notFound classifies a failed single-row read, naming what was missing in
// words safe to show.
func notFound(err error, what string) error {
	err = translate(err)
	if domain.KindOf(err) == domain.KindNotFound {
		return &domain.Error{Kind: domain.KindNotFound, Safe: "no such " + what, Err: err}
	}
	return err
}

// mustAffect turns an UPDATE that matched no row into KindNotFound.
func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return &domain.Error{Kind: domain.KindNotFound, Safe: "no such " + what}
	}
	return nil
}

// Times come back from PostgreSQL in the session's zone and from SQLite as
// UTC; the core always sees UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// aad binds a sealed value to its table, column and row, so a ciphertext
// copied into another row or column fails to open.
func aad(column, id string) string { return column + ":" + id }

// sealedField is one sealed column to open into dst.
type sealedField struct {
	dst    *string
	sealed []byte
	column string
}

// openFields opens several sealed columns of the row id.
func openFields(keys *seal.Keyring, id string, fields ...sealedField) error {
	for _, f := range fields {
		v, err := keys.Open(f.sealed, aad(f.column, id))
		if err != nil {
			return fmt.Errorf("store: opening %s of %s: %w", f.column, id, err)
		}
		*f.dst = v
	}
	return nil
}
