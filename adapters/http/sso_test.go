package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/oidc"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ssoPortal is a portal whose organisation A signs in oakfield.example
// addresses at a real OpenID provider running in the test.
type ssoPortal struct {
	*portal
	op *mockoidc.MockOIDC
}

func newSSOPortal(t *testing.T, required bool) *ssoPortal {
	t.Helper()
	op, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = op.Shutdown() })
	p := newPortalWith(t, siteOptions{sso: oidc.New()})
	cfg := op.Config()
	_, err = p.svc.Operations.SetSSO(ctx, app.Operator{Name: "test"}, app.SetSSO{
		OrgID: p.org.ID, Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Domains: []string{"oakfield.example"}, Required: required, Reason: "the school uses its own accounts",
	})
	require.NoError(t, err)
	return &ssoPortal{portal: p, op: op}
}

// ssoUser is who the provider says signed in, with claims changed by
// tweak to make a bad token.
type ssoUser struct {
	email    string
	verified bool
	tweak    func(c *mockoidc.IDTokenClaims)
}

type ssoClaims struct {
	*mockoidc.IDTokenClaims
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified"`
}

func (u ssoUser) ID() string                        { return "sub-" + u.email }
func (u ssoUser) Userinfo([]string) ([]byte, error) { return []byte("{}"), nil }
func (u ssoUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.tweak != nil {
		u.tweak(c)
	}
	return &ssoClaims{IDTokenClaims: c, Email: u.email, EmailVerified: u.verified}, nil
}

// startSSO starts signing in email from b and returns the provider's
// authorisation URL, carrying the state cookie into b's jar as a browser
// over HTTPS would keep it.
func (p *ssoPortal) startSSO(b *browser, email string) string {
	p.t.Helper()
	r := b.get("/staff/sso/start?" + url.Values{"email": {email}}.Encode())
	require.Equal(p.t, nethttp.StatusSeeOther, r.status, r.body)
	u, _ := url.Parse(p.srv.URL)
	for _, c := range (&nethttp.Response{Header: r.header}).Cookies() {
		if strings.HasSuffix(c.Name, "whisper_sso") {
			assert.True(p.t, c.HttpOnly)
			assert.Equal(p.t, nethttp.SameSiteLaxMode, c.SameSite)
			b.client.Jar.SetCookies(u, []*nethttp.Cookie{{Name: c.Name, Value: c.Value, Path: "/staff/sso/"}})
		}
	}
	return r.header.Get("Location")
}

// atProvider signs user in at the provider and returns the callback's
// query, as the provider redirects the browser with it.
func (p *ssoPortal) atProvider(authURL string, user mockoidc.User) string {
	p.t.Helper()
	require.True(p.t, strings.HasPrefix(authURL, p.op.Issuer()), authURL)
	q, _ := url.Parse(authURL)
	assert.Equal(p.t, "S256", q.Query().Get("code_challenge_method"))
	assert.NotEmpty(p.t, q.Query().Get("nonce"))
	assert.Equal(p.t, p.publicURL+app.SSOCallbackPath, q.Query().Get("redirect_uri"))
	p.op.QueueUser(user)
	client := &nethttp.Client{CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	require.NoError(p.t, err)
	resp.Body.Close()
	require.Equal(p.t, nethttp.StatusFound, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(p.t, err)
	return back.RawQuery
}

// signInSSO goes through the whole sign-in as user from a new browser and
// returns the callback's answer and the callback query.
func (p *ssoPortal) signInSSO(email string, user mockoidc.User) (*browser, response, string) {
	p.t.Helper()
	b := p.anonymous()
	query := p.atProvider(p.startSSO(b, email), user)
	return b, b.get(app.SSOCallbackPath + "?" + query), query
}

func (p *ssoPortal) sessions(m *domain.Staff) int {
	p.t.Helper()
	var n int
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) error {
		entries, err := tx.Audit().List(ctx, 0, 0)
		for _, e := range entries {
			if e.Action == domain.AuditStaffSSOSignIn && e.Actor == "staff:"+string(m.ID) {
				n++
			}
		}
		return err
	}))
	return n
}

func TestSSOSignsInAMember(t *testing.T) {
	p := newSSOPortal(t, false)
	b, r, _ := p.signInSSO(p.staff.Email, ssoUser{email: p.staff.Email, verified: true})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, "/staff/", r.header.Get("Location"))
	c := p.sessionFrom(r)
	require.NotNil(t, c)
	home := p.withSession(c.Value).get("/staff/")
	assert.Equal(t, nethttp.StatusOK, home.status)
	assert.Contains(t, home.body, "Dev")
	assert.Equal(t, 1, p.sessions(p.staff))
	_ = b
}

func TestSSORefusals(t *testing.T) {
	p := newSSOPortal(t, false)
	email := p.staff.Email
	for name, user := range map[string]ssoUser{
		"wrong audience": {email: email, verified: true, tweak: func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-app"} }},
		"wrong nonce":    {email: email, verified: true, tweak: func(c *mockoidc.IDTokenClaims) { c.Nonce = "not-this-sign-in" }},
		"expired token": {email: email, verified: true, tweak: func(c *mockoidc.IDTokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		}},
		"unverified email":     {email: email, verified: false},
		"domain not allowed":   {email: "dev@gmail.example", verified: true},
		"no account":           {email: "nobody@oakfield.example", verified: true},
		"another org's member": {email: p.adminB.Email, verified: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, r, _ := p.signInSSO(email, user)
			assert.Equal(t, nethttp.StatusForbidden, r.status)
			assert.Nil(t, p.sessionFrom(r), "no session")
			assert.Contains(t, r.body, "We could not sign you in with your school account")
		})
	}
	assert.Equal(t, 0, p.sessions(p.staff))
}

func TestSSOReplayedCallbackIsRefused(t *testing.T) {
	p := newSSOPortal(t, false)
	b, r, query := p.signInSSO(p.staff.Email, ssoUser{email: p.staff.Email, verified: true})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	// The same state and code again, even with the state cookie put back.
	p.startSSO(b, p.staff.Email)
	state, _ := url.ParseQuery(query)
	u, _ := url.Parse(p.srv.URL)
	b.client.Jar.SetCookies(u, []*nethttp.Cookie{{Name: "__Secure-whisper_sso", Value: state.Get("state"), Path: "/staff/sso/"}})
	again := b.get(app.SSOCallbackPath + "?" + query)
	assert.Equal(t, nethttp.StatusForbidden, again.status)
	assert.Nil(t, p.sessionFrom(again))
	// And from a browser that did not start the sign-in.
	assert.Equal(t, nethttp.StatusForbidden, p.anonymous().get(app.SSOCallbackPath+"?"+query).status)
	assert.Equal(t, 1, p.sessions(p.staff))
}

func TestSSOOtherDomainsSignInWithAPassword(t *testing.T) {
	p := newSSOPortal(t, false)
	login := p.anonymous().get("/staff/login")
	assert.Contains(t, login.body, `action="/staff/sso/start"`, "the login page asks for the email first")
	r := p.anonymous().get("/staff/sso/start?email=" + url.QueryEscape(p.adminB.Email))
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/login?email="+url.QueryEscape(p.adminB.Email), r.header.Get("Location"))
	// Without required, a member of the SSO school may still use a password.
	b, _ := p.signedIn(p.staff, "")
	assert.Equal(t, nethttp.StatusOK, b.get("/staff/").status)
}

func TestRequiredSSORefusesPasswords(t *testing.T) {
	p := newSSOPortal(t, true)
	r := p.anonymous().signIn(p.staff.Email, staffPassword, "")
	assert.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/sso/start?email="+url.QueryEscape(p.staff.Email), r.header.Get("Location"))
	assert.Nil(t, p.sessionFrom(r))
	// Organisation B has no SSO: its admin signs in as before.
	b, _ := p.signedIn(p.adminB, "")
	assert.Equal(t, nethttp.StatusOK, b.get("/staff/").status)
}

func TestAdminsSeeSSOReadOnly(t *testing.T) {
	p := newSSOPortal(t, true)
	page := p.as(p.admin).get("/staff/admin/settings")
	require.Equal(t, nethttp.StatusOK, page.status)
	assert.Contains(t, page.body, "Single sign-on")
	assert.Contains(t, page.body, "oakfield.example")
	assert.Contains(t, page.body, "Not allowed: everyone signs in with their school account")
	assert.NotContains(t, page.body, p.op.Config().ClientSecret)
	assert.Contains(t, p.as(p.adminB).get("/staff/admin/settings").body, "Your staff sign in with passwords.")
}
