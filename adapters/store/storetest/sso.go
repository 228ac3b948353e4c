package storetest

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var ssoTests = map[string]func(*testing.T, ports.Store){
	"SSOSettingRoundTrip":      testSSOSettingRoundTrip,
	"SSODomainBelongsToOneOrg": testSSODomainOneOrg,
	"SSOStateIsTakenOnce":      testSSOStateTakenOnce,
	"SSOStateExpires":          testSSOStateExpires,
}

// ssoRaces race the callbacks of one sign-in at a provider.
var ssoRaces = map[string]func(*testing.T, ports.Store){
	"SSOStateIsTakenByOneCallback": raceSSOState,
}

func newSSOSetting(t *testing.T, org domain.OrgID, domains ...string) *domain.SSOSetting {
	t.Helper()
	s, err := domain.NewSSOSetting(org, "https://login.microsoftonline.com/7c1e/v2.0", "client-1", "s3cret", domains, true, "", now)
	require.NoError(t, err)
	return s
}

func testSSOSettingRoundTrip(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	set := newSSOSetting(t, f.org.ID, "oakfield.sch.uk", "Staff.Oakfield.sch.uk")
	var any bool
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		if err := tx.SSO().Put(ctx, set); err != nil {
			return err
		}
		any, err = tx.SSO().Any(ctx)
		return err
	}))
	assert.True(t, any)
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.SSO().Get(ctx, f.org.ID)
		require.NoError(t, err)
		assert.Equal(t, set, got)
		got, err = tx.SSO().GetByDomain(ctx, "staff.oakfield.sch.uk")
		require.NoError(t, err)
		assert.Equal(t, f.org.ID, got.OrgID)
		assert.Equal(t, "7c1e", got.TenantID, "the tenant comes from an Entra issuer")
		_, err = tx.SSO().GetByDomain(ctx, "elsewhere.sch.uk")
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
		return nil
	}))
	// Put again replaces the setting, domains and all.
	set2 := newSSOSetting(t, f.org.ID, "new.sch.uk")
	set2.Required = false
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.SSO().Put(ctx, set2) }))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		got, err := tx.SSO().Get(ctx, f.org.ID)
		require.NoError(t, err)
		assert.Equal(t, set2, got)
		_, err = tx.SSO().GetByDomain(ctx, "oakfield.sch.uk")
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
		return nil
	}))
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.SSO().Delete(ctx, f.org.ID) }))
	err := st.InTx(ctx, func(tx ports.Tx) error { return tx.SSO().Delete(ctx, f.org.ID) })
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.SSO().GetByDomain(ctx, "new.sch.uk")
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
		return nil
	}))
}

func testSSODomainOneOrg(t *testing.T, st ports.Store) {
	a, b := newFixture(t, st), newFixture(t, st)
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error { return tx.SSO().Put(ctx, newSSOSetting(t, a.org.ID, "shared.sch.uk")) }))
	err := st.InTx(ctx, func(tx ports.Tx) error {
		return tx.SSO().Put(ctx, newSSOSetting(t, b.org.ID, "b.sch.uk", "shared.sch.uk"))
	})
	assert.Equal(t, domain.KindConflict, domain.KindOf(err))
	require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
		_, err := tx.SSO().Get(ctx, b.org.ID)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "a refused setting leaves nothing")
		return nil
	}))
}

func newSSOState(t *testing.T, st ports.Store, org domain.OrgID) string {
	t.Helper()
	hash := must(domain.NewToken(rand.Reader)).Hash()
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		return tx.SSOStates().Create(ctx, &domain.SSOState{Hash: hash, OrgID: org, ExpiresAt: now.Add(domain.SSOStateLifetime)})
	}))
	return hash
}

func takeSSOState(st ports.Store, hash string, at time.Time) (*domain.SSOState, error) {
	var got *domain.SSOState
	err := st.InTx(ctx, func(tx ports.Tx) (err error) {
		got, err = tx.SSOStates().Take(ctx, hash, at)
		return err
	})
	return got, err
}

func testSSOStateTakenOnce(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	hash := newSSOState(t, st, f.org.ID)
	got, err := takeSSOState(st, hash, now)
	require.NoError(t, err)
	assert.Equal(t, f.org.ID, got.OrgID)
	_, err = takeSSOState(st, hash, now)
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
}

func testSSOStateExpires(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	hash := newSSOState(t, st, f.org.ID)
	_, err := takeSSOState(st, hash, now.Add(domain.SSOStateLifetime))
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err))
	var n int
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) (err error) {
		n, err = tx.SSOStates().DeleteExpired(ctx, now.Add(domain.SSOStateLifetime+time.Second))
		return err
	}))
	assert.Equal(t, 1, n)
}

// raceSSOState returns from the provider many times at once with one
// state: one return takes it.
func raceSSOState(t *testing.T, st ports.Store) {
	f := newFixture(t, st)
	hash := newSSOState(t, st, f.org.ID)
	var took atomic.Int32
	race(raceCount, func(i int) {
		_, err := takeSSOState(st, hash, now)
		if err == nil {
			took.Add(1)
		} else if domain.KindOf(err) != domain.KindNotFound {
			assert.NoError(t, err, "callback %d", i)
		}
	})
	assert.Equal(t, int32(1), took.Load(), "one state was taken %d times", took.Load())
}
