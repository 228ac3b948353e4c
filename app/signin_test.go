package app_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

const goodPassword = "plum tractor lantern 47"

var (
	schoolIP = netip.MustParseAddr("198.51.100.7")
	homeIP   = netip.MustParseAddr("203.0.113.9")
)

// accounts is an organisation with two staff members who have passwords.
type accounts struct {
	harness
	org      *domain.Organisation
	sam, kim *domain.Staff
}

func newAccounts(t *testing.T) accounts {
	t.Helper()
	h := newHarness(t)
	a := accounts{harness: h, org: h.org(t)}
	for _, m := range []struct {
		email string
		into  **domain.Staff
	}{{"sam@oakfield.example", &a.sam}, {"kim@oakfield.example", &a.kim}} {
		out, err := h.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: a.org.ID, Email: m.email, FirstName: "Sam", Password: goodPassword})
		require.NoError(t, err)
		*m.into = out.Staff
	}
	return a
}

func (a accounts) signIn(t *testing.T, email, password, code string) (domain.Token, error) {
	t.Helper()
	out, err := a.svc.Portal.SignIn(ctx, app.SignIn{Email: email, Password: password, Code: code, IP: schoolIP})
	return out.Token, err
}

// actor signs m in and returns the actor behind the session.
func (a accounts) actor(t *testing.T, m *domain.Staff, code string) *app.Actor {
	t.Helper()
	token, err := a.signIn(t, m.Email, goodPassword, code)
	require.NoError(t, err)
	act, err := a.svc.Portal.Authenticate(ctx, string(token))
	require.NoError(t, err)
	return act
}

func (a accounts) failures(t *testing.T, key string) int {
	t.Helper()
	var n int
	require.NoError(t, a.store.View(ctx, func(tx ports.Tx) (err error) {
		n, _, err = tx.SignInFailures().Get(ctx, key)
		return err
	}))
	return n
}

func TestSignInOpensAFreshSession(t *testing.T) {
	a := newAccounts(t)
	first, err := a.signIn(t, " SAM@oakfield.example ", goodPassword, "")
	require.NoError(t, err, "the address is found however it is typed")
	act, err := a.svc.Portal.Authenticate(ctx, string(first))
	require.NoError(t, err)
	assert.Equal(t, a.sam.ID, act.Staff.ID)

	signedIn, err := a.svc.Portal.SignIn(ctx, app.SignIn{Email: a.sam.Email, Password: goodPassword, IP: schoolIP, Previous: string(first)})
	require.NoError(t, err)
	second := signedIn.Token
	assert.NotEqual(t, first, second, "signing in always makes a new session")
	_, err = a.svc.Portal.Authenticate(ctx, string(first))
	assert.ErrorIs(t, err, app.ErrNotSignedIn, "the browser's previous session ended")
	_, err = a.svc.Portal.Authenticate(ctx, string(second))
	assert.NoError(t, err)
}

func TestSignInRefusalsAreAlike(t *testing.T) {
	a := newAccounts(t)
	invited, err := a.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: a.org.ID, Email: "new@oakfield.example", FirstName: "Nia"})
	require.NoError(t, err)
	removed, err := a.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: a.org.ID, Email: "gone@oakfield.example", FirstName: "Gus", Password: goodPassword})
	require.NoError(t, err)
	require.NoError(t, a.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, removed.Staff.ID, func(m *domain.Staff) error {
			now := a.clock.t
			m.RemovedAt = &now
			return nil
		})
		return err
	}))

	attempts := map[string][2]string{
		"wrong password":    {a.sam.Email, "not the password at all"},
		"unknown account":   {"nobody@oakfield.example", goodPassword},
		"removed account":   {"gone@oakfield.example", goodPassword},
		"no password yet":   {invited.Staff.Email, ""},
		"empty":             {"", ""},
		"not even an email": {"robert'); DROP TABLE staff;--", goodPassword},
	}
	for name, in := range attempts {
		token, err := a.signIn(t, in[0], in[1], "")
		assert.Empty(t, token, name)
		assert.ErrorIs(t, err, app.ErrSignInFailed, name)
		assert.Equal(t, app.ErrSignInFailed.Safe.String(), domain.SafeMessage(err), name)
		assert.Equal(t, domain.KindForbidden, domain.KindOf(err), name)
	}
	assert.Equal(t, 1, a.failures(t, "email:nobody@oakfield.example"), "unknown accounts count failures too")
	assert.Equal(t, len(attempts), a.failures(t, "ip:198.51.100.7"))
}

func TestSignInSlowsGuessingWithoutLockingOut(t *testing.T) {
	a := newAccounts(t)
	for i := 0; i < 5; i++ {
		_, err := a.signIn(t, a.sam.Email, "wrong guess number", "")
		require.ErrorIs(t, err, app.ErrSignInFailed, "the first five cost nothing")
	}
	_, err := a.signIn(t, a.sam.Email, goodPassword, "")
	var throttled *app.ThrottledError
	require.ErrorAs(t, err, &throttled, "the sixth must wait, even with the right password")
	assert.Equal(t, time.Second, throttled.Wait)
	assert.ErrorIs(t, err, app.ErrSignInThrottled)
	assert.Equal(t, 5, a.failures(t, "email:sam@oakfield.example"), "a refused attempt is not counted")

	a.clock.t = a.clock.t.Add(time.Second)
	_, err = a.signIn(t, a.sam.Email, "wrong guess number", "")
	require.ErrorIs(t, err, app.ErrSignInFailed)
	a.clock.t = a.clock.t.Add(time.Second)
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	require.ErrorAs(t, err, &throttled, "the wait doubles")
	assert.Equal(t, time.Second, throttled.Wait, "two seconds after the last failure, one is left")

	a.clock.t = a.clock.t.Add(time.Second)
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err, "after the wait the right password works")
	assert.Zero(t, a.failures(t, "email:sam@oakfield.example"), "success clears the account's count")

	_, err = a.signIn(t, a.kim.Email, goodPassword, "")
	assert.NoError(t, err, "one account's failures do not slow another's")
}

func TestUnknownAccountsAreThrottledAlike(t *testing.T) {
	a := newAccounts(t)
	for _, email := range []string{a.sam.Email, "nobody@oakfield.example"} {
		for i := 0; i < 15; i++ {
			_, err := a.svc.Portal.SignIn(ctx, app.SignIn{Email: email, Password: "wrong guess number", IP: homeIP})
			require.ErrorIs(t, err, app.ErrSignInFailed)
			a.clock.t = a.clock.t.Add(10 * time.Minute)
		}
	}
	for _, email := range []string{a.sam.Email, "nobody@oakfield.example"} {
		_, err := a.svc.Portal.SignIn(ctx, app.SignIn{Email: email, Password: goodPassword, IP: homeIP})
		var throttled *app.ThrottledError
		require.ErrorAs(t, err, &throttled, email)
		assert.LessOrEqual(t, throttled.Wait, 15*time.Minute, "never more than a quarter of an hour")
	}
	// A day without failures starts the account afresh.
	a.clock.t = a.clock.t.Add(24 * time.Hour)
	_, err := a.svc.Portal.SignIn(ctx, app.SignIn{Email: a.sam.Email, Password: goodPassword, IP: homeIP})
	assert.NoError(t, err)
}

func TestOneAddressGuessingManyAccountsIsThrottled(t *testing.T) {
	a := newAccounts(t)
	for i := 0; i < 20; i++ {
		_, err := a.signIn(t, "guess"+string(rune('a'+i))+"@oakfield.example", "wrong guess number", "")
		require.ErrorIs(t, err, app.ErrSignInFailed)
	}
	_, err := a.signIn(t, a.sam.Email, goodPassword, "")
	assert.ErrorIs(t, err, app.ErrSignInThrottled, "the address has made too many guesses")
	_, err = a.svc.Portal.SignIn(ctx, app.SignIn{Email: a.sam.Email, Password: goodPassword, IP: homeIP})
	assert.NoError(t, err, "from elsewhere the account is not slowed")

	// Twenty guesses from twenty addresses of one IPv6 /64, each far
	// enough apart that the guessed account itself is never slowed.
	for i := 1; i <= 20; i++ {
		ip := netip.MustParseAddr(fmt.Sprintf("2001:db8:1:2::%x", i))
		_, err := a.svc.Portal.SignIn(ctx, app.SignIn{Email: "x@oakfield.example", Password: "wrong guess number", IP: ip})
		require.ErrorIs(t, err, app.ErrSignInFailed)
		if i < 20 {
			a.clock.t = a.clock.t.Add(20 * time.Minute)
		}
	}
	_, err = a.svc.Portal.SignIn(ctx, app.SignIn{Email: a.kim.Email, Password: goodPassword, IP: netip.MustParseAddr("2001:db8:1:2::ffff")})
	assert.ErrorIs(t, err, app.ErrSignInThrottled, "an IPv6 /64 counts as one address")
}

func TestEndSession(t *testing.T) {
	a := newAccounts(t)
	token, err := a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err)
	require.NoError(t, a.svc.Portal.EndSession(ctx, string(token)))
	_, err = a.svc.Portal.Authenticate(ctx, string(token))
	assert.ErrorIs(t, err, app.ErrNotSignedIn)
	assert.NoError(t, a.svc.Portal.EndSession(ctx, "not a token"), "nothing to end is no error")
}

func TestSignInUpgradesWeakHashes(t *testing.T) {
	a := newAccounts(t)
	// The same data, served after the operator raised the hashing cost.
	stronger := passhash.New(passhash.DefaultParams(), 1)
	svc := app.New(app.Deps{Store: a.store, Clock: a.clock, Random: rand.Reader, Hasher: stronger})
	require.True(t, stronger.NeedsRehash(a.sam.PasswordHash))
	_, err := svc.Portal.SignIn(ctx, app.SignIn{Email: a.sam.Email, Password: goodPassword, IP: schoolIP})
	require.NoError(t, err)
	upgraded := a.stored(t, a.sam.ID).PasswordHash
	assert.False(t, stronger.NeedsRehash(upgraded), "the hash now has today's parameters")
	_, err = svc.Portal.SignIn(ctx, app.SignIn{Email: a.sam.Email, Password: goodPassword, IP: schoolIP})
	assert.NoError(t, err, "and still matches")
}

func TestAccountChangesCountWrongPasswords(t *testing.T) {
	a := newAccounts(t)
	act := a.actor(t, a.sam, "")
	for i := 0; i < 5; i++ {
		err := a.svc.Portal.ChangePassword(ctx, act, "wrong guess number", "a brand new passphrase", "a brand new passphrase")
		require.NotEmpty(t, domain.ProblemsOf(err).Of(app.AuthFieldCurrent))
	}
	err := a.svc.Portal.ChangePassword(ctx, act, goodPassword, "a brand new passphrase", "a brand new passphrase")
	assert.ErrorIs(t, err, app.ErrSignInThrottled, "a borrowed session cannot be used to guess the password")
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	assert.ErrorIs(t, err, app.ErrSignInThrottled, "the guesses count against signing in too")
}

// busyHasher is a hasher whose every slot stays taken: Verify waits for
// its context and fails with its error, saying whether it had a deadline.
type busyHasher struct {
	ports.PasswordHasher
	deadline *time.Duration
}

func (b busyHasher) Verify(ctx context.Context, _, _ string) (bool, error) {
	if d, ok := ctx.Deadline(); ok {
		*b.deadline = time.Until(d)
	}
	return false, fmt.Errorf("passhash: waiting for a hashing slot: %w", context.DeadlineExceeded)
}

func TestASignInThatGetsNoHashingSlotInTimeIsAskedToTryAgain(t *testing.T) {
	a := newAccounts(t)
	var deadline time.Duration
	svc := app.New(app.Deps{Store: a.store, Clock: a.clock, Random: rand.Reader,
		Hasher: busyHasher{PasswordHasher: a.hasher, deadline: &deadline}, PublicURL: "https://whisper.example.org/"})
	_, err := svc.Portal.SignIn(ctx, app.SignIn{Email: a.sam.Email, Password: goodPassword, IP: schoolIP})
	assert.ErrorIs(t, err, app.ErrHashingBusy)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.Contains(t, domain.SafeMessage(err), "try again")
	assert.Positive(t, deadline, "the wait for a slot has a deadline")
	assert.LessOrEqual(t, deadline, app.SignInHashingWait)
	assert.Zero(t, a.failures(t, "email:"+a.sam.Email), "not counted as a wrong password")
}
