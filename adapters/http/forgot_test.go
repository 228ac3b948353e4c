package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// resetLinks are the paths of the reset links queued to email.
func (p *portal) resetLinks(email string) []string {
	p.t.Helper()
	var ds []*domain.Delivery
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		ds, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	var out []string
	for _, d := range ds {
		if d.To == email && d.Kind == domain.DeliveryStaffPasswordReset {
			out = append(out, strings.TrimPrefix(d.Link, "https://whisper.example.org"))
		}
	}
	return out
}

func TestSignInPageLinksToForgotPassword(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().get("/staff/login")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<a href="/staff/forgot">Forgot your password?</a>`)
	r = p.anonymous().get("/staff/forgot")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.Contains(t, r.body, `action="/staff/forgot"`)
	assert.Contains(t, r.body, `name="email"`)
}

func TestForgotPasswordAnswersEveryAddressAlike(t *testing.T) {
	const floor = 150 * time.Millisecond
	p := newPortalWith(t, siteOptions{forgotAnswerTime: floor})
	var bodies []string
	for _, email := range []string{p.staff.Email, "nobody@oakfield.example", "not an address", p.adminB.Email} {
		start := time.Now()
		r := p.anonymous().post("/staff/forgot", url.Values{"email": {email}})
		assert.GreaterOrEqual(t, time.Since(start), floor, "%s: every answer waits as long", email)
		require.Equal(t, nethttp.StatusOK, r.status, email)
		assert.Contains(t, r.body, "If that address has a Whisper account", email)
		bodies = append(bodies, r.body)
	}
	for i := range bodies {
		assert.Equal(t, bodies[0], bodies[i], "the answer for one address is the answer for any")
	}
	assert.Len(t, p.resetLinks(p.staff.Email), 1)
	assert.Len(t, p.resetLinks(p.adminB.Email), 1)
}

func TestALockedOutMemberGetsBackInThroughForgotPassword(t *testing.T) {
	p := newPortal(t)
	old := p.as(p.staff)
	r := p.anonymous().post("/staff/forgot", url.Values{"email": {p.staff.Email}})
	require.Equal(t, nethttp.StatusOK, r.status)
	links := p.resetLinks(p.staff.Email)
	require.Len(t, links, 1)
	require.True(t, strings.HasPrefix(links[0], "/staff/set-password/"), links[0])

	r = p.anonymous().get(links[0])
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, p.staff.Email)
	r = p.anonymous().post(links[0], url.Values{"password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, nethttp.StatusSeeOther, old.get("/staff/account").status, "signed out everywhere else")
	assert.Equal(t, nethttp.StatusSeeOther, p.anonymous().signIn(p.staff.Email, "a brand new passphrase", "").status, "back in")
	assert.Equal(t, nethttp.StatusNotFound, p.anonymous().get(links[0]).status, "the link works once")
}

func TestALockedOutMemberGetsBackInThroughAnAdmin(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	path := "/staff/admin/staff/" + string(p.staff.ID)
	r := admin.get(path)
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `action="`+path+`/password-reset"`)
	assert.NotContains(t, r.body, `action="`+path+`/invitation"`, "they have a password")
	assert.NotContains(t, r.body, `action="`+path+`/authenticator-reset"`, "they have no authenticator")

	r = admin.post(path+"/password-reset", nil)
	admin.confirmed(r, path, "A link to choose a new password is on its way. It works for one hour; their password works until they use it.")
	links := p.resetLinks(p.staff.Email)
	require.Len(t, links, 1)
	r = p.anonymous().post(links[0], url.Values{"password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, nethttp.StatusSeeOther, p.anonymous().signIn(p.staff.Email, "a brand new passphrase", "").status, "back in")

	r = admin.post(path+"/invitation", nil)
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "they have a password")
	assert.Contains(t, r.body, "send them a password reset link instead")

	r = admin.post(path+"/details", url.Values{"first_name": {"Devi"}, "last_name": {"Tester"}, "email": {p.otherInbox.Email}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="email-error"`)
	r = admin.post(path+"/details", url.Values{"first_name": {"Devi"}, "last_name": {"Tester"}, "email": {"devi@oakfield.example"}})
	admin.confirmed(r, path, "The changes were saved.")
	assert.Equal(t, "devi@oakfield.example", p.stored(p.staff.ID).Email)

	assert.Equal(t, nethttp.StatusNotFound, p.as(p.otherInbox).post(path+"/password-reset", nil).status, "admins only")
	assert.Equal(t, nethttp.StatusNotFound, p.as(p.adminB).post(path+"/password-reset", nil).status, "of this organisation only")
}
