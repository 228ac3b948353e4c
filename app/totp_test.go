package app_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// code is the authenticator code for secret at the harness's time plus d.
func (a accounts) code(t *testing.T, secret string, d time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, a.clock.t.Add(d))
	require.NoError(t, err)
	return c
}

func (a accounts) stored(t *testing.T, id domain.StaffID) *domain.Staff {
	t.Helper()
	var m *domain.Staff
	require.NoError(t, a.store.View(ctx, func(tx ports.Tx) (err error) {
		m, err = tx.Staff().Get(ctx, id)
		return err
	}))
	return m
}

// enrol sets up an authenticator for m and returns its secret and
// recovery codes.
func (a accounts) enrol(t *testing.T, m *domain.Staff) (string, []string) {
	t.Helper()
	act := a.actor(t, m, "")
	key, err := a.svc.Portal.StartTOTP(ctx, act)
	require.NoError(t, err)
	codes, err := a.svc.Portal.ConfirmTOTP(ctx, act, a.code(t, key.Secret, 0))
	require.NoError(t, err)
	return key.Secret, codes
}

func TestSettingUpAnAuthenticator(t *testing.T) {
	a := newAccounts(t)
	act := a.actor(t, a.sam, "")
	key, err := a.svc.Portal.StartTOTP(ctx, act)
	require.NoError(t, err)
	u, err := url.Parse(key.URL)
	require.NoError(t, err)
	assert.Equal(t, "otpauth", u.Scheme)
	assert.Equal(t, "totp", u.Host)
	assert.Equal(t, "/Whisper:sam@oakfield.example", u.Path)
	assert.Equal(t, key.Secret, u.Query().Get("secret"))
	assert.Equal(t, "Whisper", u.Query().Get("issuer"))

	stored := a.stored(t, a.sam.ID)
	assert.Equal(t, key.Secret, stored.TOTPSecret)
	assert.False(t, stored.TOTPEnabled, "not until a code confirms it")
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err, "sign-in asks for no code before it is confirmed")

	act = a.actor(t, a.sam, "")
	acc, err := a.svc.Portal.Account(ctx, act)
	require.NoError(t, err)
	require.NotNil(t, acc.Pending, "the page can show the QR code again")
	assert.Equal(t, key, *acc.Pending)

	_, err = a.svc.Portal.ConfirmTOTP(ctx, act, "000000")
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.AuthFieldCode))
	assert.False(t, a.stored(t, a.sam.ID).TOTPEnabled, "a wrong code changes nothing")

	codes, err := a.svc.Portal.ConfirmTOTP(ctx, act, a.code(t, key.Secret, -30*time.Second))
	require.NoError(t, err, "the code just before now is accepted too")
	require.Len(t, codes, app.RecoveryCodeCount)
	seen := map[string]bool{}
	for _, c := range codes {
		assert.Regexp(t, `^[A-Z2-7]{5}-[A-Z2-7]{5}$`, c)
		assert.False(t, seen[c])
		seen[c] = true
	}
	stored = a.stored(t, a.sam.ID)
	assert.True(t, stored.TOTPEnabled)
	assert.Equal(t, a.clock.t.Unix()/30-1, stored.TOTPLastStep)

	_, err = a.svc.Portal.StartTOTP(ctx, act)
	assert.ErrorIs(t, err, app.ErrTOTPAlreadyOn, "a session alone cannot swap the authenticator")
	act = a.actor(t, a.sam, a.code(t, key.Secret, 0))
	acc, err = a.svc.Portal.Account(ctx, act)
	require.NoError(t, err)
	assert.Nil(t, acc.Pending)
	assert.Equal(t, app.RecoveryCodeCount, acc.RecoveryCodesLeft)
}

func TestSignInWithAnAuthenticator(t *testing.T) {
	a := newAccounts(t)
	secret, recovery := a.enrol(t, a.sam)

	_, err := a.signIn(t, a.sam.Email, goodPassword, "")
	assert.ErrorIs(t, err, app.ErrSignInFailed, "the code is needed")
	_, err = a.signIn(t, a.sam.Email, goodPassword, a.code(t, secret, 0))
	assert.ErrorIs(t, err, app.ErrSignInFailed, "the code that confirmed the app is spent")
	_, err = a.signIn(t, a.sam.Email, "wrong guess number", a.code(t, secret, 30*time.Second))
	assert.ErrorIs(t, err, app.ErrSignInFailed, "a good code does not excuse a wrong password")

	a.clock.t = a.clock.t.Add(30 * time.Second)
	fresh := a.code(t, secret, 0)
	_, err = a.signIn(t, a.sam.Email, goodPassword, fresh[:3]+" "+fresh[3:])
	require.NoError(t, err, "a new code works, spaced as apps show it")
	_, err = a.signIn(t, a.sam.Email, goodPassword, fresh)
	assert.ErrorIs(t, err, app.ErrSignInFailed, "each code works once")

	_, err = a.signIn(t, a.sam.Email, goodPassword, strings.ToLower(strings.ReplaceAll(recovery[0], "-", " ")))
	require.NoError(t, err, "a recovery code works however it is typed")
	_, err = a.signIn(t, a.sam.Email, goodPassword, recovery[0])
	assert.ErrorIs(t, err, app.ErrSignInFailed, "and only once")
	act := a.actor(t, a.sam, recovery[1])
	acc, err := a.svc.Portal.Account(ctx, act)
	require.NoError(t, err)
	assert.Equal(t, app.RecoveryCodeCount-2, acc.RecoveryCodesLeft)

	_, err = a.signIn(t, a.kim.Email, goodPassword, recovery[2])
	assert.NoError(t, err, "without an authenticator the code field is ignored")
	_, err = a.signIn(t, a.kim.Email, goodPassword, "")
	assert.NoError(t, err)
}

func TestRequiredAuthenticator(t *testing.T) {
	a := newAccounts(t)
	a.org.RequireTOTP = true
	require.NoError(t, a.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Organisations().Change(ctx, a.org.ID, func(org *domain.Organisation) error {
			org.RequireTOTP = true
			return nil
		})
		return err
	}))
	act := a.actor(t, a.sam, "")
	assert.True(t, act.MustEnrolTOTP(), "signed in, but sent to set one up")

	secret, _ := a.enrol(t, a.sam)
	a.clock.t = a.clock.t.Add(time.Minute)
	act = a.actor(t, a.sam, a.code(t, secret, 0))
	assert.False(t, act.MustEnrolTOTP())
	err := a.svc.Portal.DisableTOTP(ctx, act, goodPassword)
	assert.ErrorIs(t, err, app.ErrTOTPRequired)
	assert.True(t, a.stored(t, a.sam.ID).TOTPEnabled)
}

func TestTurningOffTheAuthenticator(t *testing.T) {
	a := newAccounts(t)
	secret, _ := a.enrol(t, a.sam)
	a.clock.t = a.clock.t.Add(time.Minute)
	act := a.actor(t, a.sam, a.code(t, secret, 0))

	err := a.svc.Portal.DisableTOTP(ctx, act, "wrong guess number")
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.AuthFieldPassword))
	assert.True(t, a.stored(t, a.sam.ID).TOTPEnabled, "a wrong password changes nothing")

	require.NoError(t, a.svc.Portal.DisableTOTP(ctx, act, goodPassword))
	stored := a.stored(t, a.sam.ID)
	assert.False(t, stored.TOTPEnabled)
	assert.Empty(t, stored.TOTPSecret)
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	assert.NoError(t, err)
	acc, err := a.svc.Portal.Account(ctx, act)
	require.NoError(t, err)
	assert.Zero(t, acc.RecoveryCodesLeft, "the recovery codes went with it")
}

func TestNewRecoveryCodes(t *testing.T) {
	a := newAccounts(t)
	_, err := a.svc.Portal.NewRecoveryCodes(ctx, a.actor(t, a.kim, ""), goodPassword)
	assert.ErrorIs(t, err, app.ErrTOTPNotOn)

	secret, old := a.enrol(t, a.sam)
	a.clock.t = a.clock.t.Add(time.Minute)
	act := a.actor(t, a.sam, a.code(t, secret, 0))
	_, err = a.svc.Portal.NewRecoveryCodes(ctx, act, "wrong guess number")
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))

	fresh, err := a.svc.Portal.NewRecoveryCodes(ctx, act, goodPassword)
	require.NoError(t, err)
	require.Len(t, fresh, app.RecoveryCodeCount)
	_, err = a.signIn(t, a.sam.Email, goodPassword, old[0])
	assert.ErrorIs(t, err, app.ErrSignInFailed, "the old codes no longer work")
	_, err = a.signIn(t, a.sam.Email, goodPassword, fresh[0])
	assert.NoError(t, err)
}
