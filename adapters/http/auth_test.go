package http_test

import (
	"context"
	"crypto/rand"
	"fmt"
	nethttp "net/http"
	"net/url"
	"regexp"
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

// signIn posts the sign-in form from b.
func (b *browser) signIn(email, password, code string) response {
	b.p.t.Helper()
	return b.post("/staff/login", url.Values{"email": {email}, "password": {password}, "code": {code}})
}

// sessionFrom returns the session cookie a response sets, or nil.
func (p *portal) sessionFrom(r response) *nethttp.Cookie {
	for _, c := range (&nethttp.Response{Header: r.header}).Cookies() {
		if c.Name == p.sessionCookie() {
			return c
		}
	}
	return nil
}

// signedIn signs m in through the form, with code if given, and returns a
// browser holding the new session.
func (p *portal) signedIn(m *domain.Staff, code string) (*browser, string) {
	p.t.Helper()
	r := p.anonymous().signIn(m.Email, staffPassword, code)
	require.Equal(p.t, nethttp.StatusSeeOther, r.status, r.body)
	c := p.sessionFrom(r)
	require.NotNil(p.t, c)
	return p.withSession(c.Value), c.Value
}

// stored reads m's account as the store has it.
func (p *portal) stored(id domain.StaffID) *domain.Staff {
	p.t.Helper()
	var m *domain.Staff
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		m, err = tx.Staff().Get(ctx, id)
		return err
	}))
	return m
}

func (p *portal) failures(key string) int {
	p.t.Helper()
	var n int
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		n, _, err = tx.SignInFailures().Get(ctx, key)
		return err
	}))
	return n
}

// remove marks m removed and ends their sessions, as removing a member does.
func (p *portal) remove(m *domain.Staff) {
	p.t.Helper()
	require.NoError(p.t, p.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, m.ID, func(cur *domain.Staff) error {
			now := p.clock.Now()
			cur.RemovedAt = &now
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Sessions().DeleteForStaff(ctx, m.ID)
	}))
}

func TestSignInPage(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().get("/staff/login")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.Contains(t, r.body, `<form method="post" action="/staff/login"`)
	for _, field := range []string{"email", "password", "code"} {
		assert.Contains(t, r.body, `<label for="`+field+`">`)
		assert.Contains(t, r.body, `name="`+field+`"`)
	}
	assert.Contains(t, r.body, `aria-describedby="code-hint"`)
	assert.Contains(t, r.body, "Only if you use an authenticator app")
	assert.NotContains(t, r.body, "<script")
	assert.NotContains(t, r.body, "Sign out", "no portal navigation before signing in")

	signedIn := p.as(p.staff).get("/staff/login")
	assert.Equal(t, nethttp.StatusSeeOther, signedIn.status, "a signed-in member goes straight to the portal")
	assert.Equal(t, "/staff/", signedIn.header.Get("Location"))
}

func TestSignInSetsAHostOnlySecureCookie(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().signIn("HEAD@oakfield.example", staffPassword, "")
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, "/staff/", r.header.Get("Location"))
	raw := r.header.Get("Set-Cookie")
	assert.Regexp(t, `^__Host-whisper_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; Secure; SameSite=Lax$`, raw)
	c := p.sessionFrom(r)
	require.NotNil(t, c)
	assert.Empty(t, c.Domain, "__Host- cookies name no domain")

	page := p.withSession(c.Value).get("/staff/account")
	require.Equal(t, nethttp.StatusOK, page.status)
	assert.Contains(t, page.body, "head@oakfield.example")
	assert.Contains(t, page.body, "Sign out Hana")
}

func TestSignInOverPlainHTTPUsesAPlainCookie(t *testing.T) {
	p := newPortalWith(t, siteOptions{publicURL: "http://localhost:8080"})
	r := p.anonymous().signIn(p.staff.Email, staffPassword, "")
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Regexp(t, `^whisper_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$`, r.header.Get("Set-Cookie"))
	c := p.sessionFrom(r)
	require.NotNil(t, c)
	assert.Equal(t, nethttp.StatusOK, p.withSession(c.Value).get("/staff/account").status)
}

func TestSignInRefusalsLookAlike(t *testing.T) {
	p := newPortal(t)
	p.remove(p.otherInbox)
	attempts := map[string][2]string{
		"wrong password":  {p.staff.Email, "not the password at all"},
		"unknown account": {"nobody@oakfield.example", staffPassword},
		"removed account": {p.otherInbox.Email, staffPassword},
	}
	var bodies []string
	for name, in := range attempts {
		r := p.anonymous().signIn(in[0], in[1], "")
		require.Equal(t, nethttp.StatusUnauthorized, r.status, name)
		assert.Empty(t, r.header.Get("Set-Cookie"), name)
		assert.Contains(t, r.body, "We could not sign you in with those details", name)
		assert.Contains(t, r.body, `value="`+in[0]+`"`, "%s: the address is kept", name)
		assert.NotContains(t, r.body, in[1], "%s: the password is not", name)
		bodies = append(bodies, strings.ReplaceAll(r.body, in[0], "EMAIL"))
	}
	assert.Equal(t, bodies[0], bodies[1])
	assert.Equal(t, bodies[1], bodies[2])
}

// busyHashing is a hasher whose slots are all taken: Verify fails as a
// wait for a slot that ran out of time does.
type busyHashing struct{ ports.PasswordHasher }

func (busyHashing) Verify(context.Context, string, string) (bool, error) {
	return false, fmt.Errorf("passhash: waiting for a hashing slot: %w", context.DeadlineExceeded)
}

func TestASignInWithNoHashingSlotIsAskedToTryAgain(t *testing.T) {
	p := newPortalWith(t, siteOptions{hasher: func(h ports.PasswordHasher) ports.PasswordHasher { return busyHashing{h} }})
	r := p.anonymous().signIn(p.staff.Email, staffPassword, "")
	assert.Equal(t, nethttp.StatusServiceUnavailable, r.status)
	assert.Equal(t, "60", r.header.Get("Retry-After"))
	assert.Contains(t, r.body, "A lot of people are signing in right now")
	assert.Contains(t, r.body, `value="`+p.staff.Email+`"`, "the address is kept")
	assert.Empty(t, r.header.Get("Set-Cookie"))
}

func TestSignInThrottlingGrowsAndPasses(t *testing.T) {
	p := newPortal(t)
	b := p.anonymous()
	throttledBodies := map[string]string{}
	for _, email := range []string{p.staff.Email, "nobody@oakfield.example"} {
		for i := 0; i < 5; i++ {
			require.Equal(t, nethttp.StatusUnauthorized, b.signIn(email, "wrong guess number", "").status)
		}
		r := b.signIn(email, staffPassword, "")
		require.Equal(t, nethttp.StatusTooManyRequests, r.status, "%s: the sixth attempt waits, even with the right password", email)
		assert.Contains(t, r.body, "Too many attempts. Wait 1 minute")
		assert.Equal(t, "1", r.header.Get("Retry-After"))
		assert.Empty(t, r.header.Get("Set-Cookie"))
		throttledBodies[email] = strings.ReplaceAll(r.body, email, "EMAIL")
	}
	assert.Equal(t, throttledBodies[p.staff.Email], throttledBodies["nobody@oakfield.example"],
		"an unknown account is throttled just like a real one")

	p.clock.add(time.Second)
	require.Equal(t, nethttp.StatusUnauthorized, b.signIn(p.staff.Email, "wrong guess number", "").status)
	p.clock.add(time.Second)
	r := b.signIn(p.staff.Email, staffPassword, "")
	assert.Equal(t, nethttp.StatusTooManyRequests, r.status, "the wait has doubled")
	p.clock.add(time.Second)
	r = b.signIn(p.staff.Email, staffPassword, "")
	require.Equal(t, nethttp.StatusSeeOther, r.status, "after the wait the right password works")
	assert.Zero(t, p.failures("email:"+p.staff.Email))
}

func TestSessionsEndWhenIdleAndAfterAWorkingDay(t *testing.T) {
	p := newPortal(t)
	idle := p.as(p.staff)
	require.Equal(t, nethttp.StatusOK, idle.get("/staff/account").status)
	p.clock.add(29 * time.Minute)
	require.Equal(t, nethttp.StatusOK, idle.get("/staff/account").status, "each use keeps it alive")
	p.clock.add(31 * time.Minute)
	r := idle.get("/staff/account")
	require.Equal(t, nethttp.StatusSeeOther, r.status, "half an hour idle ends it")
	assert.Equal(t, "/staff/login", r.header.Get("Location"))

	busy := p.as(p.staff)
	for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
		p.clock.add(20 * time.Minute)
		require.Equal(t, nethttp.StatusOK, busy.get("/staff/account").status, elapsed)
	}
	p.clock.add(20 * time.Minute)
	assert.Equal(t, nethttp.StatusSeeOther, busy.get("/staff/account").status, "no session outlives twelve hours")
}

func TestSignOutEndsTheSessionOnTheServer(t *testing.T) {
	p := newPortal(t)
	b, token := p.signedIn(p.staff, "")
	r := b.post("/staff/logout", nil)
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/login", r.header.Get("Location"))
	assert.Regexp(t, `^__Host-whisper_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax$`, r.header.Get("Set-Cookie"))

	// A copy of the old cookie, kept by someone else, no longer works.
	assert.Equal(t, nethttp.StatusSeeOther, p.withSession(token).get("/staff/account").status)
	err := p.store.View(ctx, func(tx ports.Tx) error {
		_, err := tx.Sessions().Get(ctx, domain.Token(token).Hash())
		return err
	})
	assert.Equal(t, domain.KindNotFound, domain.KindOf(err), "the session is gone from the store")
	assert.Equal(t, nethttp.StatusSeeOther, p.anonymous().post("/staff/logout", nil).status, "signing out twice is harmless")
}

func TestRemovedMembersAreSignedOut(t *testing.T) {
	p := newPortal(t)
	b := p.as(p.staff)
	require.Equal(t, nethttp.StatusOK, b.get("/staff/account").status)
	p.remove(p.staff)
	r := b.get("/staff/account")
	assert.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/login", r.header.Get("Location"))

	// Even a session the removal missed is refused.
	other := p.as(p.otherInbox)
	require.NoError(t, p.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Staff().Change(ctx, p.otherInbox.ID, func(m *domain.Staff) error {
			now := p.clock.Now()
			m.RemovedAt = &now
			return nil
		})
		return err
	}))
	assert.Equal(t, nethttp.StatusSeeOther, other.get("/staff/account").status)
}

func TestSignInRotatesTheSession(t *testing.T) {
	p := newPortal(t)
	// A cookie planted before sign-in, or left by an earlier session, is
	// never the one signing in gives.
	for name, b := range map[string]*browser{
		"planted": p.withSession("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
		"earlier": p.as(p.admin),
	} {
		before := b.client.Jar.Cookies(mustURL(p.srv.URL))[0]
		r := b.signIn(p.admin.Email, staffPassword, "")
		require.Equal(t, nethttp.StatusSeeOther, r.status, name)
		after := p.sessionFrom(r)
		require.NotNil(t, after, name)
		assert.NotEqual(t, before.Value, after.Value, name)
		assert.Equal(t, nethttp.StatusSeeOther, p.withSession(before.Value).get("/staff/account").status,
			"%s: the old session does not work", name)
		assert.Equal(t, nethttp.StatusOK, p.withSession(after.Value).get("/staff/account").status, name)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestCrossSiteSignInAndSignOutAreRefused(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().post("/staff/login", url.Values{"email": {p.staff.Email}, "password": {staffPassword}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	assert.Empty(t, r.header.Get("Set-Cookie"), "no session was made")
	r = p.anonymous().post("/staff/login", url.Values{"email": {p.staff.Email}, "password": {"wrong guess number"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	assert.Zero(t, p.failures("email:"+p.staff.Email), "a refused request was not even counted")

	b := p.as(p.staff)
	r = b.post("/staff/logout", nil, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	assert.Equal(t, nethttp.StatusOK, b.get("/staff/account").status, "another site cannot sign a member out")
}

// setPasswordToken makes a set-password link for m, as an invitation
// does, and returns its token.
func (p *portal) setPasswordToken(m *domain.Staff) string {
	p.t.Helper()
	token, err := domain.NewToken(rand.Reader)
	require.NoError(p.t, err)
	now := p.clock.Now()
	require.NoError(p.t, p.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Staff().AddPasswordLink(ctx, &domain.PasswordLink{
			TokenHash: token.Hash(), StaffID: m.ID, CreatedAt: now, ExpiresAt: now.Add(domain.PasswordLinkLifetime),
		})
	}))
	return string(token)
}

func TestSetPasswordLink(t *testing.T) {
	p := newPortal(t)
	out, err := p.svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: p.org.ID, Email: "new@oakfield.example", FirstName: "Nia"})
	require.NoError(t, err)
	path := strings.TrimPrefix(out.SetPasswordURL, "https://whisper.example.org")
	require.True(t, strings.HasPrefix(path, "/staff/set-password/"), path)

	r := p.anonymous().get(path)
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.Contains(t, r.body, "new@oakfield.example")
	assert.Contains(t, r.body, `action="`+path+`"`)
	assert.Contains(t, r.body, `autocomplete="new-password"`)

	bad := []struct {
		name, password, confirm, field string
	}{
		{"short", "short one", "short one", "password"},
		{"common", "Password12345", "Password12345", "password"},
		{"mismatch", "plum tractor lantern 47", "plum tractor lantern 48", "confirm"},
	}
	for _, c := range bad {
		r := p.anonymous().post(path, url.Values{"password": {c.password}, "confirm": {c.confirm}})
		require.Equal(t, nethttp.StatusUnprocessableEntity, r.status, c.name)
		assert.Contains(t, r.body, `<a href="#`+c.field+`">`, "%s: the summary links to the field", c.name)
		assert.Contains(t, r.body, `id="`+c.field+`-error"`, "%s: the error stands beside the field", c.name)
		assert.Contains(t, r.body, `aria-describedby="`, c.name)
		assert.NotContains(t, r.body, c.password, "%s: passwords are not sent back", c.name)
	}
	assert.Empty(t, p.stored(out.Staff.ID).PasswordHash, "nothing changed")
	require.Equal(t, nethttp.StatusOK, p.anonymous().get(path).status, "the link still works")

	newcomer := p.anonymous()
	r = newcomer.post(path, url.Values{"password": {"plum tractor lantern 47"}, "confirm": {"plum tractor lantern 47"}})
	newcomer.confirmed(r, "/staff/login", "Your password is set. Sign in with it now.")
	assert.Equal(t, nethttp.StatusSeeOther, p.anonymous().signIn("new@oakfield.example", "plum tractor lantern 47", "").status)

	for name, r := range map[string]response{
		"used, shown":   p.anonymous().get(path),
		"used, posted":  p.anonymous().post(path, url.Values{"password": {"another fine passphrase"}, "confirm": {"another fine passphrase"}}),
		"unknown":       p.anonymous().get("/staff/set-password/" + strings.Repeat("A", 43)),
		"malformed":     p.anonymous().get("/staff/set-password/nope"),
		"unknown, post": p.anonymous().post("/staff/set-password/nope", url.Values{"password": {"x"}}),
	} {
		assert.Equal(t, nethttp.StatusNotFound, r.status, name)
		assert.Contains(t, r.body, "This link does not work", name)
	}
}

func TestSetPasswordLinksExpireAndEndSessions(t *testing.T) {
	p := newPortal(t)
	late := p.setPasswordToken(p.otherInbox)
	p.clock.add(24 * time.Hour)
	assert.Equal(t, nethttp.StatusNotFound, p.anonymous().get("/staff/set-password/"+late).status, "a day later the link is dead")

	b := p.as(p.staff)
	require.Equal(t, nethttp.StatusOK, b.get("/staff/account").status)
	token := p.setPasswordToken(p.staff)
	r := p.anonymous().post("/staff/set-password/"+token, url.Values{"password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, nethttp.StatusSeeOther, b.get("/staff/account").status, "sessions from before the new password are ended")
	assert.Equal(t, nethttp.StatusUnauthorized, p.anonymous().signIn(p.staff.Email, staffPassword, "").status)
}

var recoveryCode = regexp.MustCompile(`[A-Z2-7]{5}-[A-Z2-7]{5}`)

func TestAuthenticatorEnrolmentAndSignIn(t *testing.T) {
	p := newPortal(t)
	b := p.as(p.staff)
	r := b.get("/staff/account")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, "Set up an authenticator app")

	r = b.post("/staff/account/totp/start", nil)
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, "/staff/account#totp", r.header.Get("Location"))
	secret := p.stored(p.staff.ID).TOTPSecret
	require.NotEmpty(t, secret)

	r = b.get("/staff/account")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`)
	assert.Contains(t, r.body, `role="img" aria-label="QR code`)
	assert.Regexp(t, `<rect x="\d+" y="\d+" width="\d+" height="1"/>`, r.body)
	assert.NotContains(t, r.body, "data:", "the CSP allows no data: URLs")
	assert.NotContains(t, r.body, "<script")
	assert.Contains(t, r.body, secret[:4]+" "+secret[4:8], "the key is shown, in groups of four, for typing")

	r = b.post("/staff/account/totp/confirm", url.Values{"code": {"000000"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="code-error"`)
	assert.Contains(t, r.body, `<a href="#code">`)
	assert.False(t, p.stored(p.staff.ID).TOTPEnabled)

	code, err := totp.GenerateCode(secret, p.clock.Now())
	require.NoError(t, err)
	r = b.post("/staff/account/totp/confirm", url.Values{"code": {code}})
	require.Equal(t, nethttp.StatusOK, r.status, r.body)
	codes := recoveryCode.FindAllString(r.body, -1)
	require.Len(t, codes, app.RecoveryCodeCount, "the recovery codes are shown once")
	assert.Contains(t, r.body, "They will not be shown again")
	assert.Empty(t, recoveryCode.FindAllString(b.get("/staff/account").body, -1), "and never again")

	signIn := func(code string) int { return p.anonymous().signIn(p.staff.Email, staffPassword, code).status }
	assert.Equal(t, nethttp.StatusUnauthorized, signIn(""), "now a code is needed")
	assert.Equal(t, nethttp.StatusUnauthorized, signIn(code), "the code that confirmed the app is spent")
	p.clock.add(30 * time.Second)
	next, err := totp.GenerateCode(secret, p.clock.Now())
	require.NoError(t, err)
	assert.Equal(t, nethttp.StatusSeeOther, signIn(next))
	assert.Equal(t, nethttp.StatusUnauthorized, signIn(next), "the same code twice is refused")
	assert.Equal(t, nethttp.StatusSeeOther, signIn(strings.ToLower(codes[0])), "a recovery code works")
	assert.Equal(t, nethttp.StatusUnauthorized, signIn(codes[0]), "once")

	page := b.get("/staff/account").body
	assert.Contains(t, page, "Recovery codes left</th><td>9</td>")
	r = b.post("/staff/account/recovery-codes", url.Values{"password": {"wrong guess number"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="recovery-password-error"`)
	r = b.post("/staff/account/recovery-codes", url.Values{"password": {staffPassword}})
	require.Equal(t, nethttp.StatusOK, r.status)
	fresh := recoveryCode.FindAllString(r.body, -1)
	require.Len(t, fresh, app.RecoveryCodeCount)
	assert.Equal(t, nethttp.StatusUnauthorized, signIn(codes[1]), "old codes stop working")

	r = b.post("/staff/account/totp/disable", url.Values{"password": {staffPassword}})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Contains(t, b.get(r.header.Get("Location")).body, "Your authenticator app has been turned off")
	assert.Equal(t, nethttp.StatusSeeOther, signIn(""), "the password alone works again")
}

func TestRequiredAuthenticatorComesFirst(t *testing.T) {
	p := newPortal(t)
	require.NoError(t, p.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Organisations().Change(ctx, p.org.ID, func(org *domain.Organisation) error {
			org.RequireTOTP = true
			return nil
		})
		return err
	}))
	b, _ := p.signedIn(p.staff, "")
	for _, path := range []string{"/staff/", "/staff/stats", "/staff/stats.csv", "/staff/export.csv"} {
		r := b.get(path)
		assert.Equal(t, nethttp.StatusSeeOther, r.status, path)
		assert.Equal(t, "/staff/account", r.header.Get("Location"), path)
	}
	r := b.post("/staff/interactions/WSP-AAAA-AAAA/messages", url.Values{"message": {"hello"}})
	assert.Equal(t, "/staff/account", r.header.Get("Location"), "nothing can be done before setting up")
	r = b.get("/staff/account")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, "Set up an authenticator app to continue")

	require.Equal(t, nethttp.StatusSeeOther, b.post("/staff/account/totp/start", nil).status)
	secret := p.stored(p.staff.ID).TOTPSecret
	code, err := totp.GenerateCode(secret, p.clock.Now())
	require.NoError(t, err)
	require.Equal(t, nethttp.StatusOK, b.post("/staff/account/totp/confirm", url.Values{"code": {code}}).status)
	assert.NotEqual(t, "/staff/account", b.get("/staff/").header.Get("Location"), "set up, the portal opens")

	page := b.get("/staff/account").body
	assert.Contains(t, page, "cannot be turned off")
	assert.NotContains(t, page, `action="/staff/account/totp/disable"`)
	r = b.post("/staff/account/totp/disable", url.Values{"password": {staffPassword}})
	assert.Equal(t, nethttp.StatusConflict, r.status)
	assert.True(t, p.stored(p.staff.ID).TOTPEnabled)

	logout := p.as(p.otherInbox).post("/staff/logout", nil)
	assert.Equal(t, "/staff/login", logout.header.Get("Location"), "signing out is always allowed")
}

func TestChangePasswordPage(t *testing.T) {
	p := newPortal(t)
	elsewhere, _ := p.signedIn(p.staff, "")
	b, _ := p.signedIn(p.staff, "")
	r := b.get("/staff/account")
	require.Equal(t, nethttp.StatusOK, r.status)
	for _, want := range []string{"Dev Tester", "dsl@oakfield.example", "Staff: sees the inboxes assigned to you", `<th scope="row">Authenticator app</th><td>Off</td>`, `action="/staff/account/password"`} {
		assert.Contains(t, r.body, want)
	}
	assert.Contains(t, r.body, `aria-current="page">Your account`)

	r = b.post("/staff/account/password", url.Values{"current": {"wrong guess number"}, "password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="current-error"`)
	assert.Contains(t, r.body, `<a href="#current">`)
	r = b.post("/staff/account/password", url.Values{"current": {staffPassword}, "password": {"short"}, "confirm": {"shorter"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="password-error"`)
	assert.Contains(t, r.body, `id="confirm-error"`)
	assert.Equal(t, p.staff.PasswordHash, p.stored(p.staff.ID).PasswordHash, "nothing changed")

	r = b.post("/staff/account/password", url.Values{"current": {staffPassword}, "password": {"a brand new passphrase"}, "confirm": {"a brand new passphrase"}})
	b.confirmed(r, "/staff/account", "Your password has been changed. Anywhere else you were signed in has been signed out.")
	assert.Equal(t, nethttp.StatusSeeOther, elsewhere.get("/staff/account").status, "other sessions end")
	assert.Equal(t, nethttp.StatusSeeOther, p.anonymous().signIn(p.staff.Email, "a brand new passphrase", "").status)
}
