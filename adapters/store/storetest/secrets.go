package storetest

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var secretTests = map[string]func(*testing.T, ports.Store){
	"SecretHashesAreKeyed":              testSecretHashesAreKeyed,
	"BareSecretHashesAreKeyedOnMigrate": testBareSecretHashesAreKeyedOnMigrate,
}

// bearerSecrets are one of each secret the store keeps a hash of: a
// session, a set-password link, a recovery code and a conversation link,
// all of one staff member or report.
type bearerSecrets struct {
	staff        *domain.Staff
	session      string // the app's hash of each, as it hands it to the store
	link         string
	recoveryCode string
	ia           *domain.Interaction
	token        domain.Token
}

func writeBearerSecrets(t *testing.T, st ports.Store, email string) bearerSecrets {
	t.Helper()
	f := newFixture(t, st)
	s := bearerSecrets{
		staff:        newStaff(t, f, email),
		session:      must(domain.NewToken(rand.Reader)).Hash(),
		link:         must(domain.NewToken(rand.Reader)).Hash(),
		recoveryCode: must(domain.NewToken(rand.Reader)).Hash(),
	}
	s.ia, _, s.token = newReport(t, f, "", "A report with a link.", now)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Staff().Create(ctx, s.staff); err != nil {
			return err
		}
		if err := tx.Sessions().Create(ctx, &domain.Session{IDHash: s.session, StaffID: s.staff.ID, CreatedAt: now, LastSeenAt: now}); err != nil {
			return err
		}
		if err := tx.Staff().AddPasswordLink(ctx, &domain.PasswordLink{TokenHash: s.link, StaffID: s.staff.ID, ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.Staff().SetRecoveryCodes(ctx, s.staff.ID, []string{s.recoveryCode}); err != nil {
			return err
		}
		return tx.Interactions().Create(ctx, s.ia, s.token, domain.Contact{})
	}))
	return s
}

// columns returns, for each secret, the table, column and row of where it
// is kept, and the app's hash.
func (s bearerSecrets) columns() []struct{ table, column, row, hash string } {
	return []struct{ table, column, row, hash string }{
		{"staff_sessions", "id_hash", string(s.staff.ID), s.session},
		{"password_links", "token_hash", string(s.staff.ID), s.link},
		{"staff_recovery_codes", "code_hash", string(s.staff.ID), s.recoveryCode},
		{"interactions", "token_hash", string(s.ia.ID), s.token.Hash()},
	}
}

// findsEverySecret checks that the store still finds each secret by its
// hash from the app.
func (s bearerSecrets) findsEverySecret(t *testing.T, st ports.Store) {
	t.Helper()
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Sessions().Get(ctx, s.session)
		require.NoError(t, err, "the session")
		assert.Equal(t, s.session, got.IDHash)
		link, err := tx.Staff().GetPasswordLink(ctx, s.link)
		require.NoError(t, err, "the set-password link")
		assert.Equal(t, s.link, link.TokenHash)
		ia, err := tx.Interactions().GetByToken(ctx, s.token)
		require.NoError(t, err, "the conversation link")
		assert.Equal(t, s.ia.ID, ia.ID)
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		used, err := tx.Staff().UseRecoveryCode(ctx, s.staff.ID, s.recoveryCode, now)
		require.NoError(t, err)
		assert.True(t, used, "the recovery code")
		return nil
	}))
}

// Someone with a dump of the database and a secret's bare hash (made from
// a secret they hold, or guess) cannot find its row: what is kept is keyed
// with the data key.
func testSecretHashesAreKeyed(t *testing.T, st ports.Store) {
	s := writeBearerSecrets(t, st, "secrets@oakfield.example")
	db := st.(*store.Store).DB()
	for _, c := range s.columns() {
		idColumn := "staff_id"
		if c.table == "interactions" {
			idColumn = "id"
		}
		var kept []string
		require.NoError(t, db.NewRaw("SELECT "+c.column+" FROM "+c.table+" WHERE "+idColumn+" = ?", c.row).Scan(ctx, &kept))
		require.Len(t, kept, 1, c.table)
		assert.NotEqual(t, c.hash, kept[0], "%s.%s keeps the bare hash", c.table, c.column)
		assert.Len(t, kept[0], 64, "%s.%s", c.table, c.column)
		var n int
		require.NoError(t, db.NewRaw("SELECT COUNT(*) FROM "+c.table+" WHERE "+c.column+" = ?", c.hash).Scan(ctx, &n))
		assert.Zero(t, n, "the bare hash finds a row of %s", c.table)
	}
	s.findsEverySecret(t, st)
}

// Rows written before secrets were keyed hold the bare hash; migrating
// keys them, once, and every secret still works afterwards.
func testBareSecretHashesAreKeyedOnMigrate(t *testing.T, st ports.Store) {
	s := writeBearerSecrets(t, st, "old@oakfield.example")
	db := st.(*store.Store).DB()
	// Put back the old format, as a database from before the migration
	// holds it, and mark the migration's work due, as the migration does.
	for _, c := range s.columns() {
		idColumn := "staff_id"
		if c.table == "interactions" {
			idColumn = "id"
		}
		_, err := db.NewRaw("UPDATE "+c.table+" SET "+c.column+" = ? WHERE "+idColumn+" = ?", c.hash, c.row).Exec(ctx)
		require.NoError(t, err)
	}
	_, err := db.NewRaw("INSERT INTO secret_hashes_unkeyed (pending) VALUES (TRUE)").Exec(ctx)
	require.NoError(t, err)
	err = st.View(ctx, func(tx ports.Tx) error { _, err := tx.Sessions().Get(ctx, s.session); return err })
	require.Equal(t, domain.KindNotFound, domain.KindOf(err), "before the migration, the old rows are not found")

	_, err = st.(*store.Store).Migrate(ctx)
	require.NoError(t, err)
	s.findsEverySecret(t, st)

	_, err = st.(*store.Store).Migrate(ctx)
	require.NoError(t, err, "migrating again keys nothing twice")
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Sessions().Get(ctx, s.session)
		return err
	}))
}
