package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// getWith is a GET with headers, e.g. a cookie or Accept-Language.
func (s *site) getWith(path string, header ...string) response {
	s.t.Helper()
	req, err := nethttp.NewRequest(nethttp.MethodGet, s.srv.URL+path, nil)
	require.NoError(s.t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(req)
}

// setFormLanguage changes the form's own language.
func (s *site) setFormLanguage(lang domain.Language) {
	s.t.Helper()
	s.form.Language = lang
	require.NoError(s.t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
}

// langCookie returns the whisper_lang cookie the response set, or nil.
func langCookie(r response) *nethttp.Cookie {
	for _, c := range (&nethttp.Response{Header: r.header}).Cookies() {
		if c.Name == "whisper_lang" {
			return c
		}
	}
	return nil
}

func assertWelsh(t *testing.T, r response) {
	t.Helper()
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Equal(t, "cy", r.header.Get("Content-Language"))
	assert.Contains(t, r.body, `<a href="?lang=en" lang="en" hreflang="en">English</a>`, "a link back to English")
	assert.Contains(t, r.body, "Os yw rhywun mewn perygl nawr, ffoniwch 999.")
}

func assertEnglish(t *testing.T, r response) {
	t.Helper()
	assert.Contains(t, r.body, `<html lang="en">`)
	assert.Equal(t, "en", r.header.Get("Content-Language"))
	assert.Contains(t, r.body, `<a href="?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>`, "a link to Welsh")
}

func TestWelshByChoiceIsRemembered(t *testing.T) {
	s := newSite(t, siteOptions{})
	assertEnglish(t, s.get("/r/OAK"))

	r := s.get("/r/OAK?lang=cy")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertPageHeadersIn(t, r, "cy")
	assertWelsh(t, r)
	assert.Contains(t, r.body, "Dywedwch wrthym beth sy&#39;n eich poeni")
	assert.Contains(t, r.body, "Anfon adroddiad")
	assert.Contains(t, r.body, `action="/r/OAK"`)
	assert.Contains(t, r.body, `<input type="hidden" name="lang" value="cy">`)
	assert.Contains(t, r.body, `href="/notice?form=OAK&amp;lang=cy"`, "the notice follows the page and knows its form")
	assert.NotContains(t, r.body, "Send report")

	c := langCookie(r)
	require.NotNil(t, c, "the choice is remembered")
	assert.Equal(t, "cy", c.Value)
	assert.Equal(t, "/", c.Path)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure, "public_url is https")
	assert.Equal(t, nethttp.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, 365*24*60*60, c.MaxAge)

	// The cookie alone keeps later pages in Welsh, even when the browser
	// asks for English; ?lang=en switches back.
	cookie := "whisper_lang=cy"
	assertWelsh(t, s.getWith("/r/OAK", "Cookie", cookie, "Accept-Language", "en-GB,en"))
	assertWelsh(t, s.getWith("/notice", "Cookie", cookie))
	back := s.getWith("/r/OAK?lang=en", "Cookie", cookie)
	assertEnglish(t, back)
	require.NotNil(t, langCookie(back))
	assert.Equal(t, "en", langCookie(back).Value)

	// A cookie that says anything else is ignored, and nothing is set
	// without a choice.
	assertEnglish(t, s.getWith("/r/OAK", "Cookie", "whisper_lang=fr"))
	assert.Nil(t, langCookie(s.get("/r/OAK")))
	assert.Nil(t, langCookie(s.get("/r/OAK?lang=xx")))

	// Over plain HTTP the cookie cannot be Secure.
	plain := newSite(t, siteOptions{publicURL: "http://localhost:8080"})
	c = langCookie(plain.get("/r/OAK?lang=cy"))
	require.NotNil(t, c)
	assert.False(t, c.Secure)
}

func TestAcceptLanguageOnAFirstVisit(t *testing.T) {
	s := newSite(t, siteOptions{})
	for header, want := range map[string]string{
		"cy":                  "cy",
		"cy-GB,cy;q=0.9,en":   "cy",
		"fr,cy;q=0.5":         "cy",
		"en-GB,en;q=0.9":      "en",
		"en-GB,cy;q=0.8":      "en",
		"fr":                  "en", // neither: the form's language
		"*":                   "en",
		"not a header at all": "en",
	} {
		r := s.getWith("/r/OAK", "Accept-Language", header)
		require.Equal(t, nethttp.StatusOK, r.status, header)
		assert.Contains(t, r.body, `<html lang="`+want+`">`, header)
		assert.Nil(t, langCookie(r), "%s: a browser's wish is not remembered", header)
	}
	assertWelsh(t, s.getWith("/notice", "Accept-Language", "cy"))
	assert.Contains(t, s.getWith("/notice", "Accept-Language", "cy").body, "Aros yn ddienw")
}

func TestTheFormsLanguageIsTheDefault(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.setFormLanguage(domain.Welsh)

	r := s.get("/r/OAK")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertWelsh(t, r)
	assert.Nil(t, langCookie(r))
	assert.Contains(t, r.body, "Pa fath o bryder sydd gennych chi?", "the category label")

	// A choice, a cookie or a browser that asks for English win over it.
	assertEnglish(t, s.get("/r/OAK?lang=en"))
	assertEnglish(t, s.getWith("/r/OAK", "Cookie", "whisper_lang=en"))
	assertEnglish(t, s.getWith("/r/OAK", "Accept-Language", "en-GB"))
	assertWelsh(t, s.getWith("/r/OAK", "Accept-Language", "fr"))

	// The conversation opens in the form's language too, with its dates
	// in Welsh.
	token := s.report("Mae rhywun yn cymryd fy nghinio.")
	conv := s.get("/t/" + token)
	require.Equal(t, nethttp.StatusOK, conv.status)
	assertWelsh(t, conv)
	assert.Contains(t, conv.body, "Cadwch y ddolen hon yn ddiogel")
	assert.Contains(t, conv.body, "Hydref 2026", "the month in Welsh")
	assert.Contains(t, conv.body, `<input type="hidden" name="lang" value="cy">`)

	// The out-of-hours page too.
	s.form.Open, s.form.OutOfHours = false, ""
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	closed := s.get("/r/OAK")
	assert.Equal(t, nethttp.StatusGone, closed.status)
	assertWelsh(t, closed)
	assert.Contains(t, closed.body, "Dydy Oakfield Primary ddim yn derbyn adroddiadau ar hyn o bryd")
	assert.Contains(t, closed.body, "0800 1111")
}

func TestInvalidReportsComeBackInWelsh(t *testing.T) {
	s := newSite(t, siteOptions{})
	long := strings.Repeat("a", domain.MaxMessage+1)
	cases := map[string]struct {
		form url.Values
		want string
	}{
		"no message":  {url.Values{"message": {" "}, "category": {string(s.inbox.ID)}}, "ysgrifennwch neges, os gwelwch yn dda"},
		"too long":    {url.Values{"message": {long}, "category": {string(s.inbox.ID)}}, "gall neges fod hyd at 10,000 nod; mae gan hon 10,001 nod"},
		"bad email":   {url.Values{"message": {"Help"}, "email": {"kim@"}, "category": {string(s.inbox.ID)}}, "dydy hwn ddim yn edrych fel cyfeiriad e-bost"},
		"no category": {url.Values{"message": {"Help"}}, "Dewiswch pa fath o bryder sydd gennych chi."},
		"long name":   {url.Values{"message": {"Help"}, "category": {string(s.inbox.ID)}, "name": {strings.Repeat("n", 101)}}, "gall enw fod hyd at 100 nod"},
	}
	for name, c := range cases {
		// The language of the page the reporter filled in: its hidden field.
		c.form.Set("lang", "cy")
		r := s.post("/r/OAK", c.form)
		require.Equal(t, nethttp.StatusUnprocessableEntity, r.status, name)
		assertWelsh(t, r)
		assert.Contains(t, r.body, "Gwiriwch eich adroddiad", "%s: the summary's heading", name)
		assert.Contains(t, r.body, "Gwall:", name)
		assert.Contains(t, r.body, strings.ReplaceAll(c.want, "'", "&#39;"), name)
	}

	// The swear-word filter's words, in Welsh, with the text kept; and the
	// cookie alone is enough to keep the language.
	s.form.SwearPolicy = domain.SwearBlock
	require.NoError(t, s.store.InTx(ctx, func(tx ports.Tx) error { return storetest.SaveForm(tx, s.form) }))
	r := s.post("/r/OAK", url.Values{"message": {"You are all shit"}, "category": {string(s.inbox.ID)}}, "Cookie", "whisper_lang=cy")
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assertWelsh(t, r)
	assert.Contains(t, r.body, "Mae ein hidlydd wedi atal rhai geiriau yn eich neges.")
	assert.Contains(t, r.body, "You are all shit</textarea>")
	assert.Empty(t, s.interactions())
}

func TestAWelshReportGetsAWelshEmail(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.report("Help", "email", "kim@example.org", "lang", "cy")
	s.report("Help", "email", "sam@example.org")
	links := map[string]domain.Language{}
	require.NoError(t, s.store.View(ctx, func(tx ports.Tx) error {
		all, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range all {
			if d.Kind == domain.DeliveryReporterLink {
				links[d.To] = d.Language
			}
		}
		return err
	}))
	assert.Equal(t, map[string]domain.Language{"kim@example.org": domain.Welsh, "sam@example.org": domain.English}, links)
}

func TestMissesAndErrorsInWelsh(t *testing.T) {
	s := newSite(t, siteOptions{})
	token := s.report("First message")

	miss := s.getWith("/t/"+strings.Repeat("A", 43), "Cookie", "whisper_lang=cy")
	assert.Equal(t, nethttp.StatusNotFound, miss.status)
	assertWelsh(t, miss)
	assert.Contains(t, miss.body, "Doedd dim modd dod o hyd i&#39;r dudalen honno")
	assert.Equal(t, miss.body, s.getWith("/nowhere", "Cookie", "whisper_lang=cy").body, "a miss is a miss, in Welsh too")
	assertWelsh(t, s.get("/nowhere?lang=cy"))

	// A reply with a problem comes back in the language it was written in.
	r := s.post("/t/"+token, url.Values{"message": {""}, "lang": {"cy"}})
	assert.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assertWelsh(t, r)
	assert.Contains(t, r.body, "ysgrifennwch neges, os gwelwch yn dda")

	// Too many reports, in Welsh.
	limited := newSite(t, siteOptions{reportsPerIP: 1})
	limited.report("one")
	r = limited.post("/r/OAK", url.Values{"message": {"two"}, "category": {string(limited.inbox.ID)}, "lang": {"cy"}})
	assert.Equal(t, nethttp.StatusTooManyRequests, r.status)
	assertWelsh(t, r)
	assert.Contains(t, r.body, "Gormod o adroddiadau ar hyn o bryd")
}

// The reporter's choice of language is the visitor's on the staff pages
// before sign-in too (staff_public_language_test.go has the rest).
func TestStaffSignInFollowsTheLanguageCookie(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.getWith("/staff/login", "Cookie", "whisper_lang=cy", "Accept-Language", "en")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, "Mewngofnodi i Whisper")
	assert.Equal(t, "cy", r.header.Get("Content-Language"))
}

// assertPageHeadersIn is assertPageHeaders for a page in lang.
func assertPageHeadersIn(t *testing.T, r response, lang string) {
	t.Helper()
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, "no-referrer", r.header.Get("Referrer-Policy"))
	assert.Contains(t, r.header.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Contains(t, r.header.Values("Vary"), "Cookie, Accept-Language")
	assert.Contains(t, r.body, `<html lang="`+lang+`">`)
}
