package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/ports"
)

// textDatabases are a new database of each kind: the store's URL and the
// database/sql driver and data source to reach its tables directly.
func textDatabases(t *testing.T) map[string]func(t *testing.T) (url, driver, dsn string) {
	return map[string]func(t *testing.T) (string, string, string){
		"SQLite": func(t *testing.T) (string, string, string) {
			path := filepath.Join(t.TempDir(), "whisper.db")
			return "sqlite:" + path, "sqlite", path
		},
		"PostgreSQL": func(t *testing.T) (string, string, string) {
			url := pgtest.NewDatabase(t)
			return url, "pgx", url
		},
	}
}

// upgradeDatabase is a database for a test of an upgrade: the test opens it
// migrated, winds part of it back to an older release's shape through
// database/sql (driver, dsn), and migrates it again.
type upgradeDatabase struct {
	url, driver, dsn string
	keys             *seal.Keyring
}

func newUpgradeDatabase(t *testing.T, open func(t *testing.T) (url, driver, dsn string)) upgradeDatabase {
	d := upgradeDatabase{keys: storetest.Keys(t)}
	d.url, d.driver, d.dsn = open(t)
	return d
}

// migrate opens the store and applies every pending migration; it returns
// the store and the migrations it applied.
func (d upgradeDatabase) migrate(t *testing.T) (*store.Store, []string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, d.url, d.keys)
	require.NoError(t, err)
	applied, err := st.Migrate(ctx)
	require.NoError(t, err)
	return st, applied
}

// Nonces and carrier ids that a release before the hashed tables kept in
// clear are still refused after the upgrade: Migrate moves them into the
// hashed tables and drops the old ones.
func TestLegacyTextClaimsSurviveTheUpgrade(t *testing.T) {
	for name, open := range textDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := newUpgradeDatabase(t, open)
			st, _ := d.migrate(t)
			require.NoError(t, st.Close())

			// The tables as migration 20261122000004 made them, with rows.
			db, err := sql.Open(d.driver, d.dsn)
			require.NoError(t, err)
			defer db.Close()
			for _, q := range []string{
				"CREATE TABLE webhook_nonces (nonce TEXT PRIMARY KEY, seen_at TIMESTAMP NOT NULL)",
				"CREATE INDEX webhook_nonces_seen ON webhook_nonces (seen_at)",
				"CREATE TABLE sms_inbound (message_uuid TEXT PRIMARY KEY, received_at TIMESTAMP NOT NULL)",
				"INSERT INTO webhook_nonces VALUES ('nonce-before-the-upgrade', CURRENT_TIMESTAMP), ('nonce-2', CURRENT_TIMESTAMP)",
				"INSERT INTO sms_inbound VALUES ('uuid-before-the-upgrade', CURRENT_TIMESTAMP)",
				// The migration that moves them is due again.
				"DELETE FROM schema_migrations WHERE name = '20261205000008'",
			} {
				_, err := db.ExecContext(ctx, q)
				require.NoError(t, err, q)
			}

			st, _ = d.migrate(t)
			defer st.Close()
			_, err = st.Migrate(ctx)
			require.NoError(t, err, "again, with the old tables gone")
			require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
				assert.ErrorIs(t, tx.Texts().RememberNonce(ctx, "nonce-before-the-upgrade"), ports.ErrNonceSeen)
				assert.ErrorIs(t, tx.Texts().RememberNonce(ctx, "nonce-2"), ports.ErrNonceSeen)
				fresh, err := tx.Texts().RememberMessage(ctx, "uuid-before-the-upgrade")
				assert.False(t, fresh, "the carrier id")
				return err
			}))
			for _, table := range []string{"webhook_nonces", "sms_inbound"} {
				_, err := db.ExecContext(ctx, "SELECT 1 FROM "+table)
				assert.Error(t, err, "%s is dropped", table)
			}
		})
	}
}

// A nonce or carrier id is kept as 16 bytes of keyed hash, never in clear.
func TestTextClaimsAreSixteenBytesOfKeyedHash(t *testing.T) {
	for name, open := range textDatabases(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url, driver, dsn := open(t)
			st := storetest.OpenURL(t, url)
			require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
				return tx.Texts().Claim(ctx, ports.TextClaim{Nonce: "nonce-in-clear", MessageUUID: "uuid-in-clear"})
			}))
			db, err := sql.Open(driver, dsn)
			require.NoError(t, err)
			defer db.Close()
			for _, table := range []string{"seen_nonces", "seen_messages"} {
				var hash []byte
				require.NoError(t, db.QueryRowContext(ctx, "SELECT hash FROM "+table).Scan(&hash))
				assert.Len(t, hash, 16, table)
				assert.NotContains(t, string(hash), "in-clear", table)
			}
			_, err = db.ExecContext(ctx, "INSERT INTO seen_nonces (hash) VALUES ($1)", []byte("longer than sixteen bytes"))
			assert.Error(t, err, "the database refuses a claim that is not 16 bytes")
		})
	}
}
