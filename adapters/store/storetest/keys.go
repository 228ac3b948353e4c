package storetest

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// RunKeys checks the data key's fingerprint and its rotation. newURL
// returns the URL of a new, empty database for each test: these tests open
// one database several times, with different keys.
func RunKeys(t *testing.T, newURL func(t *testing.T) string) {
	for name, fn := range map[string]func(*testing.T, string){
		"FingerprintRecordedAndChecked": testFingerprintChecked,
		"FingerprintOfAnOlderDatabase":  testFingerprintOlderDatabase,
		"FingerprintFirstOpenRace":      testFingerprintRace,
		"ReadinessFailsWhenKeyChanges":  testReadinessKeyChanges,
		"OldKeyAcceptedWhilePreparing":  testOldKeyWhilePreparing,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newURL(t))
		})
	}
	for name, fn := range rotationTests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newURL(t))
		})
	}
}

// RawKey returns a fresh random data key.
func RawKey(t testing.TB) []byte {
	t.Helper()
	key := make([]byte, seal.KeySize)
	_, err := rand.Read(key)
	require.NoError(t, err)
	return key
}

func keyring(t testing.TB, primary []byte, older ...[]byte) *seal.Keyring {
	t.Helper()
	k, err := seal.New(primary, older...)
	require.NoError(t, err)
	return k
}

// openMigrated opens and migrates the store at url with keys, returning
// the error instead of failing.
func openMigrated(t testing.TB, url string, keys *seal.Keyring) (*store.Store, error) {
	t.Helper()
	st, err := store.Open(context.Background(), url, keys)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		st.Close()
		return nil, err
	}
	t.Cleanup(func() { st.Close() })
	return st, nil
}

func recordedFingerprint(t *testing.T, st *store.Store) string {
	t.Helper()
	var fp string
	require.NoError(t, st.DB().NewRaw("SELECT fingerprint FROM data_key WHERE id = 1").Scan(ctx, &fp))
	return fp
}

func requireWrongKey(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Contains(t, domain.SafeMessage(err), "the data key does not match this database")
}

func testFingerprintChecked(t *testing.T, url string) {
	k1, k2 := RawKey(t), RawKey(t)
	st, err := openMigrated(t, url, keyring(t, k1))
	require.NoError(t, err)
	fp := recordedFingerprint(t, st)
	assert.Equal(t, seal.Fingerprint(k1), fp)
	assert.NotContains(t, fp, string(k1))

	_, err = openMigrated(t, url, keyring(t, k1))
	require.NoError(t, err, "the same key opens again")
	_, err = store.Open(ctx, url, keyring(t, k2))
	requireWrongKey(t, err)
	assert.Contains(t, domain.SafeMessage(err), fp, "the message names the expected fingerprint")
}

// A database made before fingerprints has its key's recorded on first open,
// unless its data shows the key is not its own.
func testFingerprintOlderDatabase(t *testing.T, url string) {
	k1, k2 := RawKey(t), RawKey(t)
	st, err := openMigrated(t, url, keyring(t, k1))
	require.NoError(t, err)
	f := newFixture(t, st)
	createReport(t, st, f, now, domain.Contact{Email: "sam@example.org"}, domain.Meta{})
	_, err = st.DB().ExecContext(ctx, "DELETE FROM data_key")
	require.NoError(t, err)

	_, err = store.Open(ctx, url, keyring(t, k2))
	requireWrongKey(t, err)
	again, err := openMigrated(t, url, keyring(t, k1))
	require.NoError(t, err)
	assert.Equal(t, seal.Fingerprint(k1), recordedFingerprint(t, again))
}

// Processes opening a new database at once with two different keys: one
// key is recorded, and every process with the other is refused.
func testFingerprintRace(t *testing.T, url string) {
	keys := [][]byte{RawKey(t), RawKey(t)}
	// The schema is made first, without a fingerprint, so that the racers
	// race to record theirs (and not to create the embedded file).
	first, err := openMigrated(t, url, keyring(t, RawKey(t)))
	require.NoError(t, err)
	_, err = first.DB().ExecContext(ctx, "DELETE FROM data_key")
	require.NoError(t, err)
	require.NoError(t, first.Close())
	const racers = 8
	opened := make([]*store.Store, racers)
	errs := make([]error, racers)
	race(racers, func(i int) {
		st, err := store.Open(context.Background(), url, keyring(t, keys[i%2]))
		if err == nil {
			if _, err = st.Migrate(context.Background()); err != nil {
				st.Close()
			}
		}
		if err == nil {
			opened[i] = st
			t.Cleanup(func() { st.Close() })
		}
		errs[i] = err
	})
	var winner = -1
	for i := range racers {
		if errs[i] != nil {
			continue
		}
		if winner < 0 {
			winner = i % 2
		}
		assert.Equal(t, winner, i%2, "racer %d opened with the key that was not recorded", i)
	}
	require.GreaterOrEqual(t, winner, 0, "some racer opened the store: %v", errs)
	for i := range racers {
		if i%2 != winner {
			requireWrongKey(t, errs[i])
		}
	}
	st := opened[winner]
	if st == nil {
		st = opened[winner+2]
	}
	assert.Equal(t, seal.Fingerprint(keys[winner]), recordedFingerprint(t, st))
}

// /readyz asks Ping: once the recorded key is not this instance's (another
// key was recorded, as a rotation this instance was not told of does), it
// says unavailable and why.
func testReadinessKeyChanges(t *testing.T, url string) {
	st, err := openMigrated(t, url, keyring(t, RawKey(t)))
	require.NoError(t, err)
	require.NoError(t, st.Ping(ctx))
	_, err = st.DB().ExecContext(ctx, "UPDATE data_key SET fingerprint = ?", seal.Fingerprint(RawKey(t)))
	require.NoError(t, err)
	err = st.Ping(ctx)
	require.Error(t, err)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.Contains(t, domain.SafeMessage(err), "the data key does not match this database")
}

// Preparing a rotation, instances run with the new key as primary and the
// database's own among the older ones; a third key is still refused.
func testOldKeyWhilePreparing(t *testing.T, url string) {
	old, next := RawKey(t), RawKey(t)
	st, err := openMigrated(t, url, keyring(t, old))
	require.NoError(t, err)
	f := newFixture(t, st)
	ia, _, token := createReport(t, st, f, now, domain.Contact{Email: "sam@example.org"}, domain.Meta{})

	prepared, err := openMigrated(t, url, keyring(t, next, old))
	require.NoError(t, err)
	assert.Equal(t, seal.Fingerprint(old), recordedFingerprint(t, prepared), "opening does not rotate")
	require.NoError(t, prepared.View(ctx, func(tx ports.Tx) error {
		got, err := tx.Interactions().GetByToken(ctx, token)
		if err == nil {
			assert.Equal(t, ia.ID, got.ID)
		}
		return err
	}))
	_, err = store.Open(ctx, url, keyring(t, RawKey(t), next))
	requireWrongKey(t, err)
}
