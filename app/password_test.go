package app_test

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// invite makes an account with a set-password link and returns the link's
// token.
func (a accounts) invite(t *testing.T, email string) (*domain.Staff, string) {
	t.Helper()
	out, err := a.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: a.org.ID, Email: email, FirstName: "Nia"})
	require.NoError(t, err)
	i := strings.LastIndex(out.SetPasswordURL, "/")
	return out.Staff, out.SetPasswordURL[i+1:]
}

func TestSetPasswordThroughALink(t *testing.T) {
	a := newAccounts(t)
	nia, token := a.invite(t, "nia@oakfield.example")
	who, err := a.svc.Portal.PasswordLink(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, "Nia", who.FirstName)
	assert.Equal(t, "nia@oakfield.example", who.Email)

	bad := map[string][3]string{
		"too short":  {"short one", "short one", app.AuthFieldPassword},
		"too common": {"Liverpool1892!", "Liverpool1892!", app.AuthFieldPassword},
		"mismatch":   {goodPassword, goodPassword + "!", app.AuthFieldConfirm},
		"too long":   {strings.Repeat("x", 257), strings.Repeat("x", 257), app.AuthFieldPassword},
	}
	for name, in := range bad {
		err := a.svc.Portal.SetPassword(ctx, token, in[0], in[1])
		require.Equal(t, domain.KindInvalid, domain.KindOf(err), name)
		assert.NotEmpty(t, domain.ProblemsOf(err).Of(in[2]), name)
		for _, p := range domain.ProblemsOf(err) {
			assert.NotContains(t, p.Safe.String(), in[0], "problems never repeat a password")
		}
	}
	assert.Empty(t, a.stored(t, nia.ID).PasswordHash, "refused passwords change nothing")
	_, err = a.svc.Portal.PasswordLink(ctx, token)
	require.NoError(t, err, "and leave the link usable")

	require.NoError(t, a.svc.Portal.SetPassword(ctx, token, goodPassword, goodPassword))
	_, err = a.signIn(t, nia.Email, goodPassword, "")
	assert.NoError(t, err)

	_, err = a.svc.Portal.PasswordLink(ctx, token)
	assert.ErrorIs(t, err, app.ErrPasswordLinkDead, "a link works once")
	err = a.svc.Portal.SetPassword(ctx, token, "another fine passphrase", "another fine passphrase")
	assert.ErrorIs(t, err, app.ErrPasswordLinkDead)
}

func TestPasswordLinksThatDoNotWorkAreAlike(t *testing.T) {
	a := newAccounts(t)
	_, expiring := a.invite(t, "late@oakfield.example")
	a.clock.t = a.clock.t.Add(24 * time.Hour)
	for name, token := range map[string]string{
		"unknown":   strings.Repeat("A", 43),
		"malformed": "nope",
		"expired":   expiring,
	} {
		_, err := a.svc.Portal.PasswordLink(ctx, token)
		assert.ErrorIs(t, err, app.ErrPasswordLinkDead, name)
		assert.Equal(t, domain.KindNotFound, domain.KindOf(err), name)
		err = a.svc.Portal.SetPassword(ctx, token, goodPassword, goodPassword)
		assert.ErrorIs(t, err, app.ErrPasswordLinkDead, name)
	}
}

func TestSettingAPasswordEndsEverySession(t *testing.T) {
	a := newAccounts(t)
	old, err := a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err)
	// An admin's invitation can reach an existing account too: the link
	// then resets its password.
	token, err := domain.NewToken(rand.Reader)
	require.NoError(t, err)
	require.NoError(t, a.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Staff().AddPasswordLink(ctx, &domain.PasswordLink{
			TokenHash: token.Hash(), StaffID: a.sam.ID, CreatedAt: a.clock.t, ExpiresAt: a.clock.t.Add(domain.PasswordLinkLifetime),
		})
	}))

	require.NoError(t, a.svc.Portal.SetPassword(ctx, string(token), "a brand new passphrase", "a brand new passphrase"))
	_, err = a.svc.Portal.Authenticate(ctx, string(old))
	assert.ErrorIs(t, err, app.ErrNotSignedIn, "whoever knew the old password is signed out")
	_, err = a.signIn(t, a.sam.Email, goodPassword, "")
	assert.ErrorIs(t, err, app.ErrSignInFailed)
	_, err = a.signIn(t, a.sam.Email, "a brand new passphrase", "")
	assert.NoError(t, err)
}

func TestChangePassword(t *testing.T) {
	a := newAccounts(t)
	elsewhere, err := a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err)
	here, err := a.signIn(t, a.sam.Email, goodPassword, "")
	require.NoError(t, err)
	act, err := a.svc.Portal.Authenticate(ctx, string(here))
	require.NoError(t, err)

	err = a.svc.Portal.ChangePassword(ctx, act, "wrong guess number", "a brand new passphrase", "a brand new passphrase")
	require.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.AuthFieldCurrent))
	err = a.svc.Portal.ChangePassword(ctx, act, goodPassword, "password1234", "password1234")
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.AuthFieldPassword))
	err = a.svc.Portal.ChangePassword(ctx, act, goodPassword, goodPassword, goodPassword)
	assert.NotEmpty(t, domain.ProblemsOf(err).Of(app.AuthFieldPassword), "the same password again is no change")
	assert.Equal(t, a.sam.PasswordHash, a.stored(t, a.sam.ID).PasswordHash, "refusals change nothing")

	require.NoError(t, a.svc.Portal.ChangePassword(ctx, act, goodPassword, "a brand new passphrase", "a brand new passphrase"))
	_, err = a.svc.Portal.Authenticate(ctx, string(elsewhere))
	assert.ErrorIs(t, err, app.ErrNotSignedIn, "other sessions end")
	assert.NotEqual(t, a.sam.PasswordHash, a.stored(t, a.sam.ID).PasswordHash)
	_, err = a.signIn(t, a.sam.Email, "a brand new passphrase", "")
	assert.NoError(t, err)
	_, err = a.svc.Portal.Authenticate(ctx, string(here))
	assert.NoError(t, err, "the session that changed it stays")
}
