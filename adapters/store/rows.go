package store

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
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
		return &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such %s", what), Err: err}
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
		return &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such %s", what)}
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

// jsonList is a list of strings kept as a JSON array in a TEXT column, the
// same on both dialects. An empty list reads back as nil.
type jsonList []string

func (l jsonList) Value() (driver.Value, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

func (l *jsonList) Scan(src any) error {
	var list []string
	if err := scanJSON(src, &list); err != nil {
		return err
	}
	if len(list) == 0 {
		list = nil
	}
	*l = list
	return nil
}

// jsonMap is a string map kept as a JSON object in a TEXT column. An empty
// map reads back as nil.
type jsonMap map[string]string

func (m jsonMap) Value() (driver.Value, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(m))
	return string(b), err
}

func (m *jsonMap) Scan(src any) error {
	var out map[string]string
	if err := scanJSON(src, &out); err != nil {
		return err
	}
	if len(out) == 0 {
		out = nil
	}
	*m = out
	return nil
}

// scanJSON decodes a JSON text column into dst; NULL leaves dst empty.
func scanJSON(src, dst any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		return nil
	default:
		return fmt.Errorf("store: cannot read JSON from %T", src)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("store: reading JSON: %w", err)
	}
	return nil
}

// convertAll turns rows into domain values with convert, stopping at the
// first that fails (a row that cannot be opened).
func convertAll[R, T any](rows []R, convert func(*R) (T, error)) ([]T, error) {
	out := make([]T, len(rows))
	for n := range rows {
		v, err := convert(&rows[n])
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}

// rowsAffected is how many rows a statement inserted, changed or removed.
func rowsAffected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return int(n), translate(err)
}
