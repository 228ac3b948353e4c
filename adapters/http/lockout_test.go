package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// deviceCookieName is the device cookie's name on an https site.
const deviceCookieName = "__Secure-whisper_device"

// deviceFrom returns the device cookie a response sets, or nil.
func deviceFrom(r response) *nethttp.Cookie {
	for _, c := range (&nethttp.Response{Header: r.header}).Cookies() {
		if c.Name == deviceCookieName {
			return c
		}
	}
	return nil
}

// keepDevice puts a device cookie in b's jar. Go's jar never sends a
// Secure cookie to the plain-HTTP test server, so it goes in without its
// Secure attribute, on its own path.
func (b *browser) keepDevice(c *nethttp.Cookie) {
	u, _ := url.Parse(b.p.srv.URL)
	b.client.Jar.SetCookies(u, []*nethttp.Cookie{{Name: c.Name, Value: c.Value, Path: c.Path}})
}

// trustedBrowser signs m in once through the form, keeps the device cookie
// that sign-in hands out, and signs out again, as a member does at the end
// of the day.
func (p *portal) trustedBrowser(m *domain.Staff) *browser {
	p.t.Helper()
	b := p.anonymous()
	r := b.signIn(m.Email, staffPassword, "")
	require.Equal(p.t, nethttp.StatusSeeOther, r.status, r.body)
	device := deviceFrom(r)
	require.NotNil(p.t, device, "a successful sign-in hands out a device cookie")
	b.keepDevice(device)
	session := p.sessionFrom(r)
	require.NotNil(p.t, session)
	u, _ := url.Parse(p.srv.URL)
	b.client.Jar.SetCookies(u, []*nethttp.Cookie{{Name: session.Name, Value: session.Value, Path: "/"}})
	out := b.post("/staff/logout", nil)
	require.Equal(p.t, nethttp.StatusSeeOther, out.status)
	assert.Nil(p.t, deviceFrom(out), "signing out keeps the device cookie")
	return b
}

func TestTheDeviceCookieIsSignedLongLivedAndForTheStaffPortalOnly(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().signIn(p.staff.Email, staffPassword, "")
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	var raw string
	for _, v := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(v, deviceCookieName+"=") {
			raw = v
		}
	}
	assert.Regexp(t, `^__Secure-whisper_device=[A-Za-z0-9_.-]+; Path=/staff/; Max-Age=31536000; HttpOnly; Secure; SameSite=Strict$`, raw)
	c := deviceFrom(r)
	require.NotNil(t, c)
	assert.NotContains(t, c.Value, p.staff.Email)

	failed := p.anonymous().signIn(p.staff.Email, "not the password at all", "")
	require.Equal(t, nethttp.StatusUnauthorized, failed.status)
	assert.Nil(t, deviceFrom(failed), "only a successful sign-in hands one out")

	plain := newPortalWith(t, siteOptions{publicURL: "http://localhost:8080"})
	r = plain.anonymous().signIn(plain.staff.Email, staffPassword, "")
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Contains(t, r.header.Values("Set-Cookie")[0]+r.header.Values("Set-Cookie")[1], "whisper_device=")
	for _, v := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "whisper_device=") {
			assert.NotContains(t, v, "Secure", "over plain HTTP the cookie cannot be Secure")
		}
	}
}

// A pupil on the school's shared address fails, again and again, to sign in
// as two members of staff. A member whose browser has signed in before
// still gets in at once with the right password; one on a browser that
// never has is slowed down with everyone else on that address (the price
// of refusing guesses from it).
func TestAPupilOnTheSchoolsAddressCannotLockStaffOut(t *testing.T) {
	p := newPortal(t)
	dev := p.trustedBrowser(p.staff)
	head := p.trustedBrowser(p.admin)

	pupil := p.anonymous()
	for _, victim := range []*domain.Staff{p.staff, p.admin} {
		for i := 0; i < 100; i++ {
			r := pupil.signIn(victim.Email, "guess number "+string(rune('a'+i%26)), "")
			require.Contains(t, []int{nethttp.StatusUnauthorized, nethttp.StatusTooManyRequests}, r.status)
		}
	}
	require.Equal(t, nethttp.StatusTooManyRequests, pupil.signIn(p.staff.Email, staffPassword, "").status,
		"the pupil's own browser is throttled")

	for _, m := range []struct {
		b     *browser
		staff *domain.Staff
	}{{dev, p.staff}, {head, p.admin}} {
		r := m.b.signIn(m.staff.Email, staffPassword, "")
		require.Equal(t, nethttp.StatusSeeOther, r.status, "%s signs in at once from a browser that signed in before: %s", m.staff.Email, r.body)
		assert.NotNil(t, p.sessionFrom(r))
		assert.NotNil(t, deviceFrom(r), "and the browser's device cookie is renewed")
	}

	// The same member on a browser that has never signed in waits.
	assert.Equal(t, nethttp.StatusTooManyRequests, p.anonymous().signIn(p.staff.Email, staffPassword, "").status)
}

// A device cookie speaks only for the account it was handed out for.
func TestADeviceCookieDoesNotSpeakForAnotherAccount(t *testing.T) {
	p := newPortal(t)
	dev := p.trustedBrowser(p.staff)
	pupil := p.anonymous()
	for i := 0; i < 30; i++ {
		pupil.signIn(p.admin.Email, "wrong guess", "")
	}
	assert.Equal(t, nethttp.StatusTooManyRequests, dev.signIn(p.admin.Email, staffPassword, "").status,
		"the staff member's browser is not trusted for the admin's account")

	forged := p.anonymous()
	forged.keepDevice(&nethttp.Cookie{Name: deviceCookieName, Value: "AAAA.BBBB", Path: "/staff/"})
	assert.Equal(t, nethttp.StatusTooManyRequests, forged.signIn(p.admin.Email, staffPassword, "").status,
		"a cookie that is not ours is ignored")
}

// Someone who steals a device cookie guesses no faster: the device has a
// throttle of its own, as strict as the account's.
func TestAStolenDeviceCookieCannotGuessFast(t *testing.T) {
	p := newPortal(t)
	stolen := p.trustedBrowser(p.staff)
	for i := 0; i < 5; i++ {
		require.Equal(t, nethttp.StatusUnauthorized, stolen.signIn(p.staff.Email, "wrong guess", "").status)
	}
	r := stolen.signIn(p.staff.Email, staffPassword, "")
	require.Equal(t, nethttp.StatusTooManyRequests, r.status, "the sixth attempt waits, even with the right password")
	assert.Equal(t, nethttp.StatusSeeOther, p.anonymous().signIn(p.staff.Email, staffPassword, "").status,
		"the device's failures are not the account's: the owner elsewhere is not slowed")
	p.clock.add(2 * time.Second)
	assert.Equal(t, nethttp.StatusSeeOther, stolen.signIn(p.staff.Email, staffPassword, "").status)
}

// A device cookie speaks for its browser for a year, then no longer.
func TestADeviceCookieExpires(t *testing.T) {
	p := newPortal(t)
	dev := p.trustedBrowser(p.staff)
	p.clock.add(app.DeviceCookieLifetime + time.Hour)
	pupil := p.anonymous()
	for i := 0; i < 30; i++ {
		pupil.signIn(p.staff.Email, "wrong guess", "")
	}
	assert.Equal(t, nethttp.StatusTooManyRequests, dev.signIn(p.staff.Email, staffPassword, "").status)
}
