package storetest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// The rotation's half of RunKeys.

func init() {
	rotationTests = map[string]func(*testing.T, string){
		"RotationReSealsAndReIndexes":     testRotation,
		"RotationResumesAndFindsBoth":     testRotationResumes,
		"RaceReportsDuringRotation":       testRaceRotation,
		"RotationCoversEverySealedColumn": testRotationCoverage,
		"StaffEmailUniqueDuringRotation":  testStaffEmailUniqueDuringRotation,
		"ClaimsOutliveRotation":           testClaimsOutliveRotation,
		"RotationCatchesAStraggler":       testRotationStraggler,
	}
}

var rotationTests map[string]func(*testing.T, string)

// withData opens url under old and writes a report with contact data and a
// message, returning the store, the report and its link.
func withData(t *testing.T, url string, old []byte, email string) (*store.Store, *domain.Interaction, domain.Token) {
	t.Helper()
	st, err := openMigrated(t, url, keyring(t, old))
	require.NoError(t, err)
	f := newFixture(t, st)
	ia, _, token := createReport(t, st, f, now, domain.Contact{Email: email, Phone: "+447700900" + randomDigits(t, 3)}, domain.Meta{IP: "192.0.2.7"})
	return st, ia, token
}

// rotate runs a whole rotation in batches of n.
func rotate(t *testing.T, st *store.Store, n int) {
	t.Helper()
	_, err := st.BeginRotation(ctx, "os:test", "test")
	require.NoError(t, err)
	batches(t, st, n)
	finish(t, st, n)
}

// batches runs a rotation's batches until every table is done.
func batches(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for {
		_, done, err := st.RotateBatch(ctx, n)
		require.NoError(t, err)
		if done {
			return
		}
	}
}

// finish ends a rotation, running again the tables it finds leftovers in.
func finish(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for range 3 {
		again, err := st.FinishRotation(ctx, "os:test", "test")
		require.NoError(t, err)
		if len(again) == 0 {
			return
		}
		batches(t, st, n)
	}
	t.Fatal("leftovers after three passes")
}

// requireFound checks that a store finds the report by its link and its
// email address, and opens its message.
func requireFound(t *testing.T, st *store.Store, ia *domain.Interaction, token domain.Token, email string) {
	t.Helper()
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Interactions().GetByToken(ctx, token)
		require.NoError(t, err, "by link")
		assert.Equal(t, ia.ID, got.ID)
		found, err := tx.Interactions().FindByContact(ctx, domain.Contact{Email: email})
		require.NoError(t, err)
		require.Len(t, found, 1, "by email")
		assert.Equal(t, ia.ID, found[0].ID)
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		require.NotEmpty(t, msgs)
		assert.NotEmpty(t, msgs[0].Body)
		return nil
	}))
}

func testRotation(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	_, ia, token := withData(t, url, old, "sam@example.org")
	rotating, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	rotate(t, rotating, 1)
	status, err := rotating.RotationStatus(ctx)
	require.NoError(t, err)
	assert.True(t, status.Done)
	assert.Equal(t, seal.Fingerprint(next), status.Current)
	assert.Equal(t, []string{seal.Fingerprint(old)}, status.Retired)

	// The new key alone opens and finds everything.
	after, err := openMigrated(t, url, keyring(t, next))
	require.NoError(t, err)
	requireFound(t, after, ia, token, "sam@example.org")
	_, err = store.Open(ctx, url, keyring(t, old))
	requireWrongKey(t, err)
	assertAllUnder(t, after, keyring(t, next))
}

// assertAllUnder checks that every sealed value is sealed under keys'
// primary.
func assertAllUnder(t *testing.T, st *store.Store, keys *seal.Keyring) {
	t.Helper()
	for col, what := range store.KeyColumns() {
		if what != "re-sealed" {
			continue
		}
		table, column, _ := strings.Cut(col, ".")
		var vals [][]byte
		require.NoError(t, st.DB().NewRaw("SELECT ? FROM ? WHERE ? IS NOT NULL", bun.Ident(column), bun.Ident(table), bun.Ident(column)).Scan(ctx, &vals))
		for _, v := range vals {
			assert.True(t, keys.SealedUnderPrimary(v), "%s holds a value not sealed under the new key", col)
		}
	}
}

// A rotation cut short carries on from where it stopped; meanwhile rows
// indexed under either key are found.
func testRotationResumes(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	_, ia, token := withData(t, url, old, "sam@example.org")
	first, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	_, err = first.BeginRotation(ctx, "os:test", "test")
	require.NoError(t, err)
	for range 3 {
		_, _, err := first.RotateBatch(ctx, 1)
		require.NoError(t, err)
	}
	// A report made now is indexed under the new key; the first, not yet.
	f := newFixture(t, first)
	ia2, _, token2 := createReport(t, first, f, now, domain.Contact{Email: "alex@example.org"}, domain.Meta{})
	requireFound(t, first, ia, token, "sam@example.org")
	requireFound(t, first, ia2, token2, "alex@example.org")
	require.NoError(t, first.Close())

	again, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	status, err := again.RotationStatus(ctx)
	require.NoError(t, err)
	assert.False(t, status.Done)
	resumed, err := again.BeginRotation(ctx, "os:test", "test")
	require.NoError(t, err)
	assert.True(t, resumed)
	batches(t, again, 2)
	finish(t, again, 2)
	after, err := openMigrated(t, url, keyring(t, next))
	require.NoError(t, err)
	requireFound(t, after, ia, token, "sam@example.org")
	requireFound(t, after, ia2, token2, "alex@example.org")
	assertAllUnder(t, after, keyring(t, next))
}

// Reports and replies written by instances with the new key while the
// rotation runs are all readable and findable under the new key alone.
func testRaceRotation(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	st, firstIA, firstToken := withData(t, url, old, "first@example.org")
	f := newFixture(t, st)
	for i := range 20 {
		createReport(t, st, f, now, domain.Contact{Email: fmt.Sprintf("before%d@example.org", i)}, domain.Meta{})
	}
	rotating, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	serving, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	_, err = rotating.BeginRotation(ctx, "os:test", "test")
	require.NoError(t, err)

	type made struct {
		ia    *domain.Interaction
		token domain.Token
		email string
	}
	const writers = 8
	got := make([]made, writers)
	race(writers+1, func(i int) {
		if i == writers {
			for {
				_, done, err := rotating.RotateBatch(ctx, 3)
				if err != nil || done {
					assert.NoError(t, err)
					return
				}
			}
		}
		email := fmt.Sprintf("during%d@example.org", i)
		ia, msg, token := newReport(t, f, "Sam", "During the rotation.", now)
		err := serving.InTx(ctx, func(tx ports.Tx) error {
			if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{Email: email}); err != nil {
				return err
			}
			return tx.Messages().Add(ctx, msg, domain.Meta{IP: "192.0.2.9"})
		})
		assert.NoError(t, err)
		// A reply to the report made before the rotation, whose row the
		// rotation may be re-sealing at that moment.
		err = serving.InTx(ctx, func(tx ports.Tx) error {
			return tx.Messages().Add(ctx, &domain.Message{ID: must(domain.NewMessageID(rand.Reader)), InteractionID: firstIA.ID,
				Author: domain.AuthorReporter, Body: fmt.Sprintf("reply %d", i), CreatedAt: now}, domain.Meta{IP: "192.0.2.9"})
		})
		assert.NoError(t, err)
		got[i] = made{ia, token, email}
	})
	finish(t, rotating, 3)
	after, err := openMigrated(t, url, keyring(t, next))
	require.NoError(t, err)
	for _, m := range got {
		requireFound(t, after, m.ia, m.token, m.email)
	}
	requireFound(t, after, firstIA, firstToken, "first@example.org")
	require.NoError(t, after.View(ctx, func(tx ports.Tx) error {
		msgs, err := tx.Messages().List(ctx, firstIA.ID)
		require.NoError(t, err)
		assert.Len(t, msgs, 1+writers, "the first message and every reply")
		for _, m := range msgs {
			assert.NotEmpty(t, m.Body)
		}
		return nil
	}))
	assertAllUnder(t, after, keyring(t, next))
}

// sealedLooking matches the columns whose names say they hold something
// sealed or keyed.
func sealedLooking(column string) bool {
	return strings.Contains(column, "sealed") || strings.HasSuffix(column, "_hash") ||
		strings.HasSuffix(column, "_index") || column == "hash" || column == "fingerprint"
}

// Every column of the live schema that looks sealed or keyed is one the
// rotation re-seals, re-indexes or leaves on purpose: a new one fails here
// until KeyColumns says what a rotation does with it.
func testRotationCoverage(t *testing.T, url string) {
	st, err := openMigrated(t, url, keyring(t, RawKey(t)))
	require.NoError(t, err)
	q := "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'"
	if strings.HasPrefix(url, "postgres") {
		q = "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()"
	}
	var cols []string
	require.NoError(t, st.DB().NewRaw(q).Scan(ctx, &cols))
	known := store.KeyColumns()
	checked := 0
	for _, col := range cols {
		_, column, _ := strings.Cut(col, ".")
		if !sealedLooking(column) {
			continue
		}
		checked++
		assert.Contains(t, known, col, "%s looks sealed or keyed: add it to the rotation (adapters/store/keys_columns.go)", col)
	}
	assert.Greater(t, checked, 30, "the schema was read")
	for col, what := range known {
		// Columns left as they are may be in one dialect only (rate_limits
		// is PostgreSQL's); what is re-sealed is in both.
		if what == "re-sealed" || what == "re-indexed" {
			assert.Contains(t, cols, col, "the rotation names %s, which the schema does not have", col)
		}
	}
}

// While a rotation is prepared or under way, an address held by an account
// not yet re-indexed is still taken.
func testStaffEmailUniqueDuringRotation(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	st, err := openMigrated(t, url, keyring(t, old))
	require.NoError(t, err)
	f := newFixture(t, st)
	first := newStaff(t, f, "head@school.example")
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, first) }))

	rotating, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	second := newStaff(t, f, "Head@School.example")
	err = rotating.InTx(ctx, func(tx ports.Tx) error { return tx.Staff().Create(ctx, second) })
	assert.Equal(t, domain.KindConflict, domain.KindOf(err))
	require.NoError(t, rotating.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Staff().GetByEmail(ctx, "head@school.example")
		if err == nil {
			assert.Equal(t, first.ID, got.ID)
		}
		return err
	}))
}

// A carrier's nonce or message id seen before a rotation is still seen
// after it, with the old key gone: its claim is kept under the retained
// index key.
func testClaimsOutliveRotation(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	st, err := openMigrated(t, url, keyring(t, old))
	require.NoError(t, err)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.Texts().Claim(ctx, ports.TextClaim{Nonce: "nonce-before", MessageUUID: "uuid-before"})
	}))
	rotating, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	rotate(t, rotating, 5)
	after, err := openMigrated(t, url, keyring(t, next))
	require.NoError(t, err)
	for _, st := range []*store.Store{rotating, after} {
		err := st.InTx(ctx, func(tx ports.Tx) error { return tx.Texts().RememberNonce(ctx, "nonce-before") })
		assert.ErrorIs(t, err, ports.ErrNonceSeen)
		err = st.InTx(ctx, func(tx ports.Tx) error {
			return tx.Texts().Claim(ctx, ports.TextClaim{Nonce: "nonce-new", MessageUUID: "uuid-before"})
		})
		assert.ErrorIs(t, err, ports.ErrTextSeen)
	}
}

// An instance left running with only the old key writes behind the
// rotation; finishing finds its rows and re-seals them, so the new key
// alone still reads everything.
func testRotationStraggler(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	straggler, _, _ := withData(t, url, old, "first@example.org")
	f := newFixture(t, straggler)
	rotating, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	_, err = rotating.BeginRotation(ctx, "os:test", "test")
	require.NoError(t, err)
	batches(t, rotating, 50)
	ia, _, token := createReport(t, straggler, f, now, domain.Contact{Email: "late@example.org"}, domain.Meta{})

	again, err := rotating.FinishRotation(ctx, "os:test", "test")
	require.NoError(t, err)
	assert.Contains(t, again, "interactions")
	assert.Contains(t, again, "messages")
	status, err := rotating.RotationStatus(ctx)
	require.NoError(t, err)
	assert.False(t, status.Done, "not done while leftovers are re-sealed")
	batches(t, rotating, 50)
	finish(t, rotating, 50)

	after, err := openMigrated(t, url, keyring(t, next))
	require.NoError(t, err)
	requireFound(t, after, ia, token, "late@example.org")
	assertAllUnder(t, after, keyring(t, next))
}
