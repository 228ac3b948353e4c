package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
)

// A row inserted through a prepared statement must read back exactly as
// the same row inserted by bun: same text, same type, in every column, for
// every row type that goes through preparedInserts — or times would stop
// comparing as text, and booleans or blobs would change type.
func TestPreparedInsertsStoreWhatBunStores(t *testing.T) {
	ctx := context.Background()
	st := openMigratedSQLite(t)

	at := time.Date(2026, 3, 14, 15, 9, 26, 535897123, time.FixedZone("BST", 3600)) // nanoseconds: bun keeps microseconds
	name, ix := "it's Zoë", "index"
	rows := map[string]func(id string) any{
		"interaction, all set": func(id string) any {
			token := "token " + id
			return &interactionRow{ID: id, Ref: "R" + id, OrgID: "o", FormID: "f", InboxID: "i", Channel: "web", Status: "open",
				ReporterNameSealed: []byte(name), Flagged: true, TokenHash: &token, EmailSealed: []byte{}, EmailIndex: &ix,
				PhoneSealed: []byte{0, 1, 255}, PhoneIndex: &ix, CreatedAt: at, LastActivityAt: at.Add(time.Microsecond), ClosedAt: &at, ErasedAt: &at}
		},
		"interaction, nothing optional": func(id string) any {
			return &interactionRow{ID: id, Ref: "R" + id, OrgID: "o", FormID: "f", InboxID: "i", Channel: "sms", Status: "open"}
		},
		"message": func(id string) any {
			return &messageRow{ID: id, InteractionID: "x", Author: "reporter", StaffID: &name, BodySealed: []byte("body"), CreatedAt: at}
		},
		"delivery": func(id string) any {
			return &deliveryRow{ID: id, Kind: "staff_new_report", Channel: "email", ToSealed: []byte("to"), Subject: `"quoted" 'and' ✓`,
				Language: "cy", OrgID: &name, Status: "pending", Attempts: 3, NextAttemptAt: at, CreatedAt: at.Truncate(time.Second)}
		},
	}
	for what, row := range rows {
		t.Run(what, func(t *testing.T) {
			btx, err := st.db.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer btx.Rollback()
			// The rows name parents that do not exist; the transaction is
			// rolled back before its foreign keys would be checked.
			_, err = btx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON")
			require.NoError(t, err)

			byBun, prepared := row("bun"), row("prepared")
			_, err = btx.NewInsert().Model(byBun).Exec(ctx)
			require.NoError(t, err)
			require.NoError(t, st.inserts.exec(ctx, btx, prepared))

			table := st.db.Table(reflect.TypeOf(byBun).Elem())
			for _, f := range table.Fields {
				if f.Name == "id" || f.Name == "ref" || f.Name == "token_hash" { // differ by design
					continue
				}
				stored := func(id string) string {
					var quoted, typ string
					require.NoError(t, btx.QueryRowContext(ctx, fmt.Sprintf("SELECT quote(%s), typeof(%s) FROM %s WHERE id = ?",
						f.SQLName, f.SQLName, table.SQLName), id).Scan(&quoted, &typ))
					return typ + " " + quoted
				}
				assert.Equal(t, stored("bun"), stored("prepared"), f.Name)
			}
		})
	}
}

// A slice of rows goes in row by row, in order; a value with no binding is
// refused, not written some other way.
func TestPreparedInsertsTakeSlicesAndRefuseWhatTheyCannotBind(t *testing.T) {
	_, err := bindValue(reflect.ValueOf(struct{}{}))
	assert.Error(t, err)
	_, err = bindValue(reflect.ValueOf("a\x00b"))
	assert.Error(t, err, "bun refuses NUL bytes in text; so do prepared inserts")
	v, err := bindValue(reflect.ValueOf((*string)(nil)))
	require.NoError(t, err)
	assert.Nil(t, v)

	ctx := context.Background()
	st := openMigratedSQLite(t)
	rolledBack := errors.New("roll back")
	err = st.db.RunInTx(ctx, nil, func(ctx context.Context, btx bun.Tx) error {
		_, err := btx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON")
		require.NoError(t, err)
		rows := []*deliveryRow{{ID: "a", Kind: "k", Channel: "email", ToSealed: []byte("a"), Language: "en", Status: "pending"},
			{ID: "b", Kind: "k", Channel: "email", ToSealed: []byte("b"), Language: "en", Status: "pending"}}
		require.NoError(t, st.inserts.exec(ctx, btx, &rows))
		var ids []string
		require.NoError(t, btx.NewSelect().Table("outbox").Column("id").Order("id").Scan(ctx, &ids))
		assert.Equal(t, []string{"a", "b"}, ids)
		return rolledBack
	})
	require.ErrorIs(t, err, rolledBack)
}

// openMigratedSQLite is a migrated embedded store for this package's own tests
// (storetest, which imports this package, cannot be used here).
func openMigratedSQLite(t *testing.T) *Store {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, err := rand.Read(key)
	require.NoError(t, err)
	keys, err := seal.New(key)
	require.NoError(t, err)
	st, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "whisper.db"), keys)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = st.Migrate(context.Background())
	require.NoError(t, err)
	return st
}
