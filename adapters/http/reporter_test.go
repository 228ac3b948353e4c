package http_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/geoip"
	"github.com/whisper-schools/whisper/adapters/geoip/geoiptest"
	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/adapters/swearing"
	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var ctx = context.Background()

// clock is a settable time source shared by the app and the rate limits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// site is a whisperd web edge over the real app and embedded store, with
// one organisation, a form (OAK) with two inboxes and a staff member.
type site struct {
	t      testing.TB
	srv    *httptest.Server
	svc    *app.App
	store  ports.Store
	clock  *clock
	org    *domain.Organisation
	form   *domain.Form
	inbox  *domain.Inbox // "General", assigned to the staff member
	second *domain.Inbox
	client *nethttp.Client
	// publicURL is the site's public_url, which decides the session
	// cookie's name and attributes.
	publicURL string
}

type siteOptions struct {
	trusted        []netip.Prefix
	reportsPerIP   int
	reportsPerForm int
	// publicURL is the site's public_url; https://whisper.example.org when
	// empty.
	publicURL string
	// refusalDelay holds reports refused by a rate limit (Config.RefusalDelay).
	refusalDelay time.Duration
	// hasher wraps the site's password hasher; nil leaves it as it is.
	hasher func(ports.PasswordHasher) ports.PasswordHasher
	// repliesPerConversation caps a reporter's replies an hour; 0 is no cap.
	repliesPerConversation int
	// postgres runs the site on a new PostgreSQL database instead of the
	// embedded store (see pgtest for when that skips).
	postgres bool
	// plivoToken turns the SMS webhook on, checking signatures with it.
	plivoToken string
	// smsNumber is the number reporters text (Config.SMSNumber); "" is SMS
	// off on every page.
	smsNumber string
	// sso signs staff in at their school's OpenID provider; nil has none.
	sso ports.SSOClient
	// forgotAnswerTime is Config.ForgotAnswerTime.
	forgotAnswerTime time.Duration
	// operator is who runs the service, as the notice names them.
	operator httpadapter.Operator
	// exitURL is where the quick exit leads (Config.ExitURL).
	exitURL string
	// zone is the time zone pages show times in; zero is the default,
	// Europe/London.
	zone domain.Zone
}

func newSite(t testing.TB, opt siteOptions) *site {
	t.Helper()
	open := storetest.OpenSQLite
	if opt.postgres {
		open = storetest.OpenPostgres
	}
	st := open(t)
	city, asn := geoiptest.Write(t, t.TempDir(), map[string]domain.Place{
		"81.2.69.0/24": {City: "Bristol", Region: "England", Country: "GB", Network: "Example Broadband"},
	})
	locator, err := geoip.Open(city, asn)
	require.NoError(t, err)
	t.Cleanup(func() { locator.Close() })
	clk := &clock{t: time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)}
	if opt.publicURL == "" {
		opt.publicURL = "https://whisper.example.org"
	}
	var hasher ports.PasswordHasher = passhash.New(passhash.TestParams(), 1)
	if opt.hasher != nil {
		hasher = opt.hasher(hasher)
	}
	svc := app.New(app.Deps{
		Store: st, Clock: clk, Random: rand.Reader, Hasher: hasher,
		Locator: locator, Swearing: swearing.New(), PublicURL: opt.publicURL,
		Limits: app.Limits{ReportsPerIP: opt.reportsPerIP, ReportsPerForm: opt.reportsPerForm, RepliesPerConversation: opt.repliesPerConversation},
		SSO:    opt.sso, Zone: opt.zone,
	})
	h, err := httpadapter.New(httpadapter.Config{
		PublicURL: opt.publicURL, TrustedProxies: opt.trusted,
		Now: clk.Now, RefusalDelay: opt.refusalDelay, ForgotAnswerTime: opt.forgotAnswerTime, SMSWebhook: smsWebhook(opt.publicURL, opt.plivoToken, false, svc),
		SMSNumber: opt.smsNumber,
		Operator:  opt.operator, ExitURL: opt.exitURL,
	}, svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	s := &site{t: t, srv: srv, svc: svc, store: st, clock: clk, publicURL: opt.publicURL,
		client: &nethttp.Client{CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }}}
	s.org, err = svc.Operations.CreateOrganisation(ctx, app.CreateOrganisation{Name: "Oakfield Primary"})
	require.NoError(t, err)
	fc, err := svc.Operations.CreateForm(ctx, app.CreateForm{OrgID: s.org.ID, Name: "Oakfield Primary", Code: "OAK"})
	require.NoError(t, err)
	s.form, s.inbox = fc.Form, fc.Inbox
	require.NoError(t, st.InTx(ctx, func(tx ports.Tx) error {
		s.inbox.Notify = []string{"dsl@oakfield.example"}
		return tx.Inboxes().Update(ctx, s.inbox)
	}))
	s.second, err = svc.Operations.CreateInbox(ctx, app.CreateInbox{FormID: s.form.ID, Name: "Online worries"})
	require.NoError(t, err)
	_, err = svc.Operations.CreateStaff(ctx, app.CreateStaff{OrgID: s.org.ID, Email: "alex@oakfield.example", FirstName: "Alex", InboxIDs: []domain.InboxID{s.inbox.ID}})
	require.NoError(t, err)
	return s
}

type response struct {
	status int
	header nethttp.Header
	body   string
}

func (s *site) do(req *nethttp.Request) response {
	s.t.Helper()
	resp, err := s.client.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (s *site) get(path string) response {
	s.t.Helper()
	req, err := nethttp.NewRequest(nethttp.MethodGet, s.srv.URL+path, nil)
	require.NoError(s.t, err)
	return s.do(req)
}

func (s *site) post(path string, form url.Values, header ...string) response {
	s.t.Helper()
	req, err := nethttp.NewRequest(nethttp.MethodPost, s.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(req)
}

// report posts a valid report to the General inbox and returns the token.
// Each report comes a minute after the last, so their order is clear.
func (s *site) report(body string, extra ...string) string {
	s.t.Helper()
	s.clock.add(time.Minute)
	form := url.Values{"message": {body}, "category": {string(s.inbox.ID)}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	r := s.post("/r/OAK", form)
	require.Equal(s.t, nethttp.StatusSeeOther, r.status, r.body)
	loc := r.header.Get("Location")
	require.Regexp(s.t, `^/t/[A-Za-z0-9_-]{43}$`, loc)
	return strings.TrimPrefix(loc, "/t/")
}

func (s *site) interactions() []*domain.Interaction {
	s.t.Helper()
	var list []*domain.Interaction
	require.NoError(s.t, s.store.View(ctx, func(tx ports.Tx) (err error) {
		list, err = tx.Interactions().List(ctx, ports.InteractionFilter{OrgID: &s.org.ID})
		return err
	}))
	return list
}

func assertPageHeaders(t *testing.T, r response) {
	t.Helper()
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", r.header.Get("Referrer-Policy"))
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
	csp := r.header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.Contains(t, r.body, `<html lang="en">`)
}

func TestReportFormPage(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, path := range []string{"/r/OAK", "/r/oak"} {
		r := s.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		assertPageHeaders(t, r)
		assert.Contains(t, r.body, `action="/r/OAK"`)
		assert.Contains(t, r.body, `<label for="message">`)
		assert.Contains(t, r.body, `name="email"`)
		assert.Contains(t, r.body, "The school will not see your email address")
		assert.Contains(t, r.body, `href="/notice?form=OAK"`, "the notice knows its form")
		assert.Contains(t, r.body, `<option value="`+string(s.second.ID)+`"`, "a category choice with two inboxes")
		assert.NotContains(t, r.body, "<script", "works without JavaScript")
	}
	assert.Equal(t, nethttp.StatusNotFound, s.get("/r/NOPE1").status)
	assert.Equal(t, nethttp.StatusNotFound, s.get("/r/not%20a%20code").status)

	notice := s.get("/notice")
	assert.Equal(t, nethttp.StatusOK, notice.status)
	assertPageHeaders(t, notice)
	assert.Contains(t, notice.body, "Staying anonymous")

	css := s.get("/static/whisper.css")
	assert.Equal(t, nethttp.StatusOK, css.status)
	assert.Contains(t, css.header.Get("Content-Type"), "text/css")
}

func TestClosedFormsAndOrganisationsAnswerGone(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.form.Open, s.form.OutOfHours = false, "We are closed for the holidays until 4 January."
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	r := s.get("/r/OAK")
	assert.Equal(t, nethttp.StatusGone, r.status)
	assert.Contains(t, r.body, "closed for the holidays")
	assert.Contains(t, r.body, "999")
	assert.Contains(t, r.body, "0800 1111")
	r = s.post("/r/OAK", url.Values{"message": {"hello"}, "category": {string(s.inbox.ID)}})
	assert.Equal(t, nethttp.StatusGone, r.status)
	assert.Empty(t, s.interactions(), "nothing stored for a closed form")

	s.form.Open = true
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	_, err := s.svc.Operations.SetOrganisationStatus(ctx, app.Operator{Name: "test"}, s.org.ID, domain.OrgSuspended, "test")
	require.NoError(t, err)
	assert.Equal(t, nethttp.StatusGone, s.get("/r/OAK").status)
	assert.Equal(t, nethttp.StatusGone, s.post("/r/OAK", url.Values{"message": {"hello"}, "category": {string(s.inbox.ID)}}).status)
	assert.Empty(t, s.interactions())
}

func TestSubmittingAReport(t *testing.T) {
	s := newSite(t, siteOptions{})
	token := s.report("Someone keeps taking my lunch.\nEvery day at break.", "name", "Sam", "email", "sam.parent@example.org")

	list := s.interactions()
	require.Len(t, list, 1)
	ia := list[0]
	assert.Equal(t, "Sam", ia.ReporterName)
	assert.Equal(t, s.inbox.ID, ia.InboxID)
	assert.Equal(t, domain.ChannelWeb, ia.Channel)

	r := s.get("/t/" + token)
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeaders(t, r)
	assert.Contains(t, r.body, "Keep this link safe")
	assert.Contains(t, r.body, "https://whisper.example.org/t/"+token)
	assert.Contains(t, r.body, string(ia.Ref))
	assert.Contains(t, r.body, "Someone keeps taking my lunch.\nEvery day at break.")

	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		c, err := tx.Interactions().Contact(ctx, ia.ID)
		require.NoError(t, err)
		assert.Equal(t, "sam.parent@example.org", c.Email)
		msgs, err := tx.Messages().List(ctx, ia.ID)
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		meta, err := tx.Messages().Meta(ctx, msgs[0].ID)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1", meta.IP, "the socket address: no proxy is trusted")
		return nil
	}))
}

func TestInvalidReportsComeBackWithTheTextKept(t *testing.T) {
	s := newSite(t, siteOptions{})
	long := strings.Repeat("é", domain.MaxMessage+1)
	cases := map[string]struct {
		form  url.Values
		field string
	}{
		"no message":        {url.Values{"message": {"   "}, "category": {string(s.inbox.ID)}, "name": {"Kim"}}, "message"},
		"message too long":  {url.Values{"message": {long}, "category": {string(s.inbox.ID)}}, "message"},
		"bad email":         {url.Values{"message": {"Help please"}, "email": {"kim@"}, "category": {string(s.inbox.ID)}}, "email"},
		"no category":       {url.Values{"message": {"Help please"}}, "category"},
		"foreign category":  {url.Values{"message": {"Help please"}, "category": {"inb_aaaaaaaaaaaaaaaaaaaa"}}, "category"},
		"name far too long": {url.Values{"message": {"Help please"}, "category": {string(s.inbox.ID)}, "name": {strings.Repeat("n", 101)}}, "name"},
	}
	for name, c := range cases {
		r := s.post("/r/OAK", c.form)
		require.Equal(t, nethttp.StatusUnprocessableEntity, r.status, name)
		assertPageHeaders(t, r)
		assert.Contains(t, r.body, `class="error-summary"`, name)
		assert.Contains(t, r.body, `href="#`+c.field+`"`, "%s: the summary links to the field", name)
		assert.Contains(t, r.body, `id="`+c.field+`-error"`, "%s: the error stands beside its field", name)
		if msg := c.form.Get("message"); msg != "" && len(msg) < 100 {
			assert.Contains(t, r.body, ">"+msg+"</textarea>", "%s: the message is kept", name)
		}
		if email := c.form.Get("email"); email != "" {
			assert.Contains(t, r.body, `value="`+email+`"`, "%s: the email is kept", name)
		}
	}
	assert.Empty(t, s.interactions(), "no invalid report was stored")
}

func TestHostileTextIsShownAsText(t *testing.T) {
	s := newSite(t, siteOptions{})
	hostile := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	token := s.report(hostile, "name", hostile)
	r := s.get("/t/" + token)
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.NotContains(t, r.body, "<script>alert")
	assert.NotContains(t, r.body, "<img src=x")
	assert.Contains(t, r.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")

	r = s.post("/r/OAK", url.Values{"message": {hostile}, "email": {"not valid"}, "category": {string(s.inbox.ID)}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.NotContains(t, r.body, "<script>alert", "kept text is escaped too")
}

func TestConversationLinks(t *testing.T) {
	s := newSite(t, siteOptions{})
	token := s.report("First message")

	s.clock.add(time.Minute)
	r := s.post("/t/"+token, url.Values{"message": {"Some more detail"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/t/"+token, r.header.Get("Location"))
	page := s.get("/t/" + token)
	assert.Regexp(t, regexp.MustCompile(`(?s)First message.*Some more detail`), page.body, "newest last")

	r = s.post("/t/"+token, url.Values{"message": {""}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="message-error"`)

	unknown := strings.Repeat("A", 43)
	for _, path := range []string{"/t/" + unknown, "/t/short", "/t/" + token + "x"} {
		miss := s.get(path)
		assert.Equal(t, nethttp.StatusNotFound, miss.status, path)
		assert.Contains(t, miss.body, "We could not find that page")
		assert.Equal(t, nethttp.StatusNotFound, s.post(path, url.Values{"message": {"hi"}}).status, path)
	}
	// A miss on a conversation reads exactly like any other miss.
	assert.Equal(t, s.get("/t/"+unknown).body, s.get("/nowhere").body)
}

func TestSwearWordPolicies(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.form.SwearPolicy = domain.SwearBlock
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	r := s.post("/r/OAK", url.Values{"message": {"You are all shit"}, "category": {string(s.inbox.ID)}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "Our filter stopped some words")
	assert.Contains(t, r.body, "You are all shit</textarea>", "the text is kept to edit")
	assert.Empty(t, s.interactions())
	// Swearing aimed at no one is only flagged, even under block.
	s.report("He said this is shit and laughed")
	assert.True(t, s.interactions()[0].Flagged)

	s.form.SwearPolicy = domain.SwearFlag
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	s.report("He said this is shit and laughed")
	s.report("Someone is being unkind")
	list := s.interactions()
	require.Len(t, list, 3, "flagged, never dropped")
	flagged := 0
	for _, ia := range list {
		if ia.Flagged {
			flagged++
		}
	}
	assert.Equal(t, 2, flagged)

	// The organisation's own words count too.
	s.org.SwearWords = []string{"numpty"}
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		_, err := tx.Organisations().Change(ctx, s.org.ID, func(org *domain.Organisation) error {
			org.SwearWords = []string{"numpty"}
			return nil
		})
		return err
	}))
	s.report("You numpty")
	assert.True(t, s.interactions()[0].Flagged)
}

func TestHoneypotStoresNothing(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.post("/r/OAK", url.Values{"message": {"buy cheap pills"}, "category": {string(s.inbox.ID)}, "website": {"http://spam.example"}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Empty(t, s.interactions())
}

func TestBlockedSendersAreRefusedNeutrally(t *testing.T) {
	s := newSite(t, siteOptions{})
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error {
		id, _ := domain.NewBlockID(rand.Reader)
		return tx.Blocks().Create(ctx, &domain.Block{ID: id, Kind: domain.BlockEmail, Value: "troll@example.org", CreatedAt: s.clock.Now()})
	}))
	r := s.post("/r/OAK", url.Values{"message": {"nasty"}, "email": {"Troll@example.org"}, "category": {string(s.inbox.ID)}})
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	assert.Contains(t, r.body, "We could not send this report")
	assert.NotContains(t, strings.ToLower(r.body), "block")
	assert.Empty(t, s.interactions())
}

func TestRateLimits(t *testing.T) {
	s := newSite(t, siteOptions{reportsPerIP: 2, reportsPerForm: 3})
	s.report("one")
	s.report("two")
	r := s.post("/r/OAK", url.Values{"message": {"three"}, "category": {string(s.inbox.ID)}})
	assert.Equal(t, nethttp.StatusTooManyRequests, r.status)
	assert.Contains(t, r.body, "Too many reports right now")
	assert.Len(t, s.interactions(), 2)

	// An hour later the address may report again.
	s.clock.add(time.Hour)
	s.report("three, later")
	assert.Len(t, s.interactions(), 3)
}

func TestFormRateLimitCountsEveryAddress(t *testing.T) {
	proxy := netip.MustParsePrefix("127.0.0.0/8")
	s := newSite(t, siteOptions{trusted: []netip.Prefix{proxy}, reportsPerForm: 2})
	for i, ip := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
		r := s.post("/r/OAK", url.Values{"message": {"report"}, "category": {string(s.inbox.ID)}}, "X-Forwarded-For", ip)
		if i < 2 {
			assert.Equal(t, nethttp.StatusSeeOther, r.status)
		} else {
			assert.Equal(t, nethttp.StatusTooManyRequests, r.status)
		}
	}
}

func TestClientAddressFromTrustedProxiesOnly(t *testing.T) {
	for name, c := range map[string]struct {
		trusted []netip.Prefix
		want    domain.Meta
	}{
		"trusted proxy": {[]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			domain.Meta{IP: "81.2.69.160", Location: "Bristol, England, GB", Region: "England, GB", Network: "Example Broadband"}},
		"untrusted peer": {nil, domain.Meta{IP: "127.0.0.1"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSite(t, siteOptions{trusted: c.trusted})
			r := s.post("/r/OAK", url.Values{"message": {"hello"}, "category": {string(s.inbox.ID)}},
				"X-Forwarded-For", "10.9.9.9, 81.2.69.160")
			require.Equal(t, nethttp.StatusSeeOther, r.status)
			ia := s.interactions()[0]
			require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
				msgs, err := tx.Messages().List(ctx, ia.ID)
				require.NoError(t, err)
				meta, err := tx.Messages().Meta(ctx, msgs[0].ID)
				require.NoError(t, err)
				assert.Equal(t, c.want, meta)
				return nil
			}))
		})
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.post("/r/OAK", url.Values{"message": {"hello"}, "category": {string(s.inbox.ID)}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, nethttp.StatusForbidden, r.status)
	assert.Empty(t, s.interactions())
}

func TestTemplatesParse(t *testing.T) {
	// New parses every template; a broken one fails here, not in front of a
	// reporter.
	_, err := httpadapter.New(httpadapter.Config{}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
}
