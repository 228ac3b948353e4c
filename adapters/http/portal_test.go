package http_test

import (
	"crypto/rand"
	"html/template"
	"io"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// portal is a site with people: in organisation A (the site's org), an
// admin, a staff member assigned to the General inbox and one assigned to
// the second inbox; and organisation B with its own form and admin.
type portal struct {
	*site
	admin, staff, otherInbox *domain.Staff
	orgB                     *domain.Organisation
	formB                    *domain.Form
	inboxB                   *domain.Inbox
	adminB                   *domain.Staff
}

// staffPassword is every test account's password.
const staffPassword = "correct horse battery staple"

func newPortal(t *testing.T) *portal {
	t.Helper()
	return newPortalWith(t, siteOptions{})
}

// newPortalWith is newPortal on a site with options, e.g. another
// public_url.
func newPortalWith(t *testing.T, opt siteOptions) *portal {
	t.Helper()
	s := newSite(t, opt)
	p := &portal{site: s}
	p.admin = p.member(s.org.ID, "head@oakfield.example", "Hana", domain.RoleAdmin)
	p.staff = p.member(s.org.ID, "dsl@oakfield.example", "Dev", domain.RoleStaff, s.inbox.ID)
	p.otherInbox = p.member(s.org.ID, "it@oakfield.example", "Ira", domain.RoleStaff, s.second.ID)
	var err error
	p.orgB, err = s.svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Birchwood High"})
	require.NoError(t, err)
	fc, err := s.svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: p.orgB.ID, Name: "Birchwood High", Code: "BIRCH"})
	require.NoError(t, err)
	p.formB, p.inboxB = fc.Form, fc.Inbox
	p.adminB = p.member(p.orgB.ID, "head@birchwood.example", "Bea", domain.RoleAdmin)
	return p
}

// member creates a staff account with staffPassword.
func (p *portal) member(org domain.OrgID, email, first string, role domain.Role, inboxes ...domain.InboxID) *domain.Staff {
	p.t.Helper()
	out, err := p.svc.Operations.CreateStaff(ctx, app.CreateStaff{
		OrgID: org, Email: email, FirstName: first, LastName: "Tester", Role: role, InboxIDs: inboxes, Password: staffPassword,
	})
	require.NoError(p.t, err)
	return out.Staff
}

// browser is a cookie-keeping client that does not follow redirects, as a
// staff member's browser would be after signing in.
type browser struct {
	p      *portal
	client *nethttp.Client
}

// as returns a browser signed in as m. It opens the session directly in
// the store, so tests of other areas do not depend on the sign-in page.
func (p *portal) as(m *domain.Staff) *browser {
	p.t.Helper()
	token, err := domain.NewToken(rand.Reader)
	require.NoError(p.t, err)
	now := p.clock.Now()
	require.NoError(p.t, p.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.Sessions().Create(ctx, &domain.Session{IDHash: token.Hash(), StaffID: m.ID, CreatedAt: now, LastSeenAt: now})
	}))
	return p.withSession(string(token))
}

// sessionCookie is the session cookie's name: with the __Host- prefix
// when the site's public_url is https.
func (p *portal) sessionCookie() string {
	if strings.HasPrefix(p.publicURL, "https://") {
		return "__Host-whisper_session"
	}
	return "whisper_session"
}

// withSession returns a browser holding the session cookie value. Go's
// cookie jar never sends a Secure cookie to the plain-HTTP test server, so
// the cookie is put in the jar without its Secure attribute.
func (p *portal) withSession(value string) *browser {
	b := p.anonymous()
	u, _ := url.Parse(p.srv.URL)
	b.client.Jar.SetCookies(u, []*nethttp.Cookie{{Name: p.sessionCookie(), Value: value, Path: "/"}})
	return b
}

// anonymous returns a browser with no session.
func (p *portal) anonymous() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(p.t, err)
	return &browser{p: p, client: &nethttp.Client{
		Jar:           jar,
		CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

func (b *browser) do(method, path string, form url.Values, header ...string) response {
	b.p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := nethttp.NewRequest(method, b.p.srv.URL+path, body)
	require.NoError(b.p.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.client.Do(req)
	require.NoError(b.p.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(b.p.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

func (b *browser) get(path string) response {
	b.p.t.Helper()
	return b.do(nethttp.MethodGet, path, nil)
}

func (b *browser) post(path string, form url.Values, header ...string) response {
	b.p.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return b.do(nethttp.MethodPost, path, form, header...)
}

// flashCookie is the name of the cookie that carries a confirmation across
// a redirect.
func (p *portal) flashCookie() string {
	if strings.HasPrefix(p.publicURL, "https://") {
		return "__Host-whisper_done"
	}
	return "whisper_done"
}

// confirmed checks that r, the answer to an action, went to path, with
// nothing about it in the address, and that the page there says sentence
// once: on the page the redirect leads to, and not when it is loaded again.
func (b *browser) confirmed(r response, path, sentence string) {
	b.p.t.Helper()
	t := b.p.t
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	assert.Equal(t, path, r.header.Get("Location"))
	flash := `<div class="flash" role="status"><p>` + template.HTMLEscapeString(sentence) + `</p></div>`
	assert.Contains(t, b.get(path).body, flash, "shown after the redirect")
	assert.NotContains(t, b.get(path).body, `class="flash"`, "and only once")
}

func TestStaffRoutesNeedASession(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().get("/staff/")
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	require.Equal(t, "/staff/login", r.header.Get("Location"))
}
