package http_test

import (
	nethttp "net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/domain"
)

// testOperator is the operator a notice test configures.
var testOperator = httpadapter.Operator{
	Name: "Whisper Services Ltd", Email: "privacy@whisper.example", PostalAddress: "1 High Street, Exeter, EX1 1AA",
}

// noticePromises are what the terms promise a reporter, as the notice
// must say them in each language: who runs the service and how to reach
// them, who controls what, the rights and the ICO, legal holds, and every
// circumstance in which data may be shared.
var noticePromises = map[string][]string{
	"en": {
		"Whisper is run by Whisper Services Ltd.",
		`<a href="mailto:privacy@whisper.example">privacy@whisper.example</a>`,
		"1 High Street<br>Exeter<br>EX1 1AA",
		"The law calls us their <em>controller</em>.",
		"your internet address, roughly where you were and which network you used",
		"The law calls us <em>joint controllers</em>.",
		"your right of access", "(rectification)", "(erasure)", "(objection and restriction)",
		`<a href="https://ico.org.uk/make-a-complaint/">ico.org.uk</a>`, `<a href="tel:03031231113">0303 123 1113</a>`,
		"Information Commissioner's Office (ICO)",
		"Sometimes the law, a court or the police say we must keep something for longer",
		"when a court orders us to;",
		"when the police, social services or another authority with the legal power to ask orders us to;",
		"when you have agreed to it;",
		"(the law calls this protecting their &#34;vital interests&#34;);",
		"when it is needed to make sure the rules for using Whisper are kept",
		"if Whisper is sold or handed over to another organisation",
		"they must keep the same promises to you.",
		"When you send a report or a message through Whisper, you agree to what this page says.",
	},
	"cy": {
		"Whisper Services Ltd sy&#39;n rhedeg Whisper.",
		`<a href="mailto:privacy@whisper.example">privacy@whisper.example</a>`,
		"1 High Street<br>Exeter<br>EX1 1AA",
		"yn ein galw ni'n <em>rheolydd</em> arnyn nhw.",
		"eich cyfeiriad rhyngrwyd, ble roeddech chi yn fras",
		"yn ein galw ni'n <em>gyd-reolyddion</em>.",
		"(eich hawl i gael mynediad)", "(cywiro)", "(dileu)", "(gwrthwynebu a chyfyngu)",
		`<a href="https://ico.org.uk/make-a-complaint/">ico.org.uk</a>`, `<a href="tel:03031231113">0303 123 1113</a>`,
		"Swyddfa'r Comisiynydd Gwybodaeth (ICO)",
		"Weithiau mae&#39;r gyfraith, llys neu&#39;r heddlu yn dweud bod rhaid i ni gadw rhywbeth am fwy o amser",
		"pan fydd llys yn gorchymyn i ni wneud hynny;",
		"pan fydd yr heddlu, y gwasanaethau cymdeithasol neu awdurdod arall",
		"pan fyddwch chi wedi cytuno i hynny;",
		"&#34;buddiannau hanfodol&#34;",
		"i sicrhau bod y rheolau ar gyfer defnyddio Whisper yn cael eu dilyn",
		"os bydd Whisper yn cael ei werthu neu ei drosglwyddo i sefydliad arall",
		"a rhaid iddyn nhw gadw&#39;r un addewidion i chi.",
		"Pan fyddwch chi&#39;n anfon adroddiad neu neges drwy Whisper, rydych chi&#39;n cytuno",
	},
}

func TestNoticeSaysEverythingTheTermsPromise(t *testing.T) {
	s := newSite(t, siteOptions{operator: testOperator})
	for lang, promises := range noticePromises {
		r := s.get("/notice?lang=" + lang)
		require.Equal(t, nethttp.StatusOK, r.status)
		assertPageHeadersIn(t, r, lang)
		assertBalanced(t, r.body)
		for _, promise := range promises {
			assert.Contains(t, r.body, promise, "%s", lang)
		}
		for _, id := range []string{"responsible", "keep", "share", "rights", "contact"} {
			assert.Contains(t, r.body, `<a href="#`+id+`">`, "%s: the contents list %s", lang, id)
			assert.Contains(t, r.body, `<h2 id="`+id+`">`, lang)
		}
		assert.NotContains(t, r.body, "have not put their contact details", lang)
	}
}

// Without an operator configured the notice does not pretend: it sends
// reporters to their school.
func TestNoticeWithoutAnOperatorSendsReportersToTheirSchool(t *testing.T) {
	s := newSite(t, siteOptions{})
	r := s.get("/notice")
	require.Equal(t, nethttp.StatusOK, r.status)
	assertBalanced(t, r.body)
	assert.Contains(t, r.body, "On this page, &#34;we&#34; means the people who run Whisper.")
	assert.Contains(t, r.body, "have not put their contact details on this page yet. Ask your school how to reach them.")
	assert.NotContains(t, r.body, "<address>")
	assert.NotContains(t, r.body, "mailto:")
	assert.Contains(t, r.body, "ico.org.uk", "the ICO is there whoever runs the service")

	r = s.get("/notice?lang=cy")
	assert.Contains(t, r.body, "Gofynnwch i&#39;ch ysgol sut i gysylltu â nhw.")
}

// acceptance is the sentence beside the send button and the button: the
// sentence links the notice, and nothing comes between them.
var acceptance = regexp.MustCompile(`<p class="hint" id="accept">(.*?)</p>\s*<button type="submit" class="button" aria-describedby="accept">`)

func TestFormSaysSendingAcceptsTheNotice(t *testing.T) {
	s := newSite(t, siteOptions{})
	for lang, want := range map[string]string{
		"en": `By sending this report you agree to <a href="/notice?form=OAK">how Whisper works and what happens to your information</a>.`,
		"cy": `Drwy anfon yr adroddiad hwn, rydych chi'n derbyn <a href="/notice?form=OAK&amp;lang=cy">sut mae Whisper yn gweithio a beth sy'n digwydd i'ch gwybodaeth</a>.`,
	} {
		r := s.get("/r/OAK?lang=" + lang)
		require.Equal(t, nethttp.StatusOK, r.status)
		assertBalanced(t, r.body)
		m := acceptance.FindStringSubmatch(r.body)
		require.NotNil(t, m, "%s: no acceptance right before the send button", lang)
		assert.Equal(t, want, m[1], lang)
	}

	// Shown again with its problems, the form still says it.
	r := s.post("/r/OAK", url.Values{"message": {""}, "category": {string(s.inbox.ID)}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Regexp(t, acceptance, r.body)

	// The conversation's notice link names the form too, so the school's
	// own privacy notice is one step away from there as well.
	r = s.get("/t/" + s.report("hello"))
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<a href="/notice?form=OAK">`)
}

func TestSchoolPrivacyNoticeSetByAnAdmin(t *testing.T) {
	for name, postgres := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) { testSchoolPrivacyNotice(t, postgres) })
	}
}

func testSchoolPrivacyNotice(t *testing.T, postgres bool) {
	p := newPortalWith(t, siteOptions{operator: testOperator, postgres: postgres})
	admin := p.as(p.admin)
	path := "/staff/admin/forms/" + string(p.form.ID)
	settings := func(privacy string) url.Values {
		return url.Values{"name": {"Oakfield Primary"}, "language": {"en"}, "swear_policy": {"flag"}, "privacy_url": {privacy}}
	}
	r := admin.get(path)
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<input id="privacy_url" name="privacy_url" type="url"`)

	// Bad addresses are refused with a clear error, and change nothing.
	before := p.adminState()
	for _, bad := range []string{"http://oakfield.example/privacy", "oakfield.example/privacy", "javascript:alert(1)", "https://user:pw@oakfield.example/"} {
		r := admin.post(path, settings(bad))
		require.Equal(t, nethttp.StatusUnprocessableEntity, r.status, bad)
		assert.Contains(t, r.body, `<a href="#privacy_url">The privacy notice&#39;s address must be a full web address starting with https://.</a>`, bad)
		assert.Contains(t, r.body, `id="privacy_url-error"`, bad)
		assert.Contains(t, r.body, `value="`+strings.ReplaceAll(bad, "&", "&amp;")+`"`, "%s: input kept", bad)
	}
	assert.Equal(t, before, p.adminState(), "nothing changed")

	// Another site cannot set it in the admin's name.
	good := "https://oakfield.example/privacy?lang=en&v=2"
	for _, header := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		r := admin.do(nethttp.MethodPost, path, settings(good), header[0], header[1])
		assert.Equal(t, nethttp.StatusForbidden, r.status, header[0])
	}
	assert.Equal(t, before, p.adminState(), "nothing changed")
	assert.Empty(t, p.adminForm(p.form.ID).PrivacyURL)

	admin.confirmed(admin.post(path, settings(" "+good+" ")), path, "The form's changes were saved.")
	assert.Equal(t, good, p.adminForm(p.form.ID).PrivacyURL)
	log := p.auditLog()
	last := log[len(log)-1]
	assert.Equal(t, domain.AuditFormChange, last.Action)
	assert.Equal(t, good, last.Details["privacy_url"], "audited")
	assert.Contains(t, admin.get(path).body, `value="https://oakfield.example/privacy?lang=en&amp;v=2"`)

	// The form and the notice reached from it link the school's notice, in
	// both languages.
	link := `href="https://oakfield.example/privacy?lang=en&amp;v=2"`
	form := p.get("/r/OAK")
	assertBalanced(t, form.body)
	m := acceptance.FindStringSubmatch(form.body)
	require.NotNil(t, m)
	assert.Contains(t, m[1], `Oakfield Primary also has <a `+link+`>its own privacy notice</a>.`)
	assert.Contains(t, acceptance.FindStringSubmatch(p.get("/r/OAK?lang=cy").body)[1], `Mae gan Oakfield Primary <a `+link+`>ei hysbysiad preifatrwydd ei hun</a> hefyd.`)

	notice := p.get("/notice?form=OAK")
	require.Equal(t, nethttp.StatusOK, notice.status)
	assertBalanced(t, notice.body)
	assert.Contains(t, notice.body, `Oakfield Primary has its own privacy notice, about what the school does with what you tell it: <a `+link+`>read the school's privacy notice</a>.`)
	assert.Contains(t, notice.body, `<span class="school">for Oakfield Primary</span>`)
	assert.Contains(t, notice.body, `<a href="?form=OAK&amp;lang=cy" lang="cy"`, "switching language keeps the form")
	welsh := p.get("/notice?form=oak&lang=cy")
	assert.Contains(t, welsh.body, `Mae gan Oakfield Primary ei hysbysiad preifatrwydd ei hun`)
	assert.Contains(t, welsh.body, link)

	// Without the form, or with one that does not exist, the notice is the
	// same for everyone.
	for _, path := range []string{"/notice", "/notice?form=NOPE1", "/notice?form=not%20a%20code", "/notice?form=BIRCH"} {
		r := p.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		assert.NotContains(t, r.body, "oakfield.example/privacy", path)
		assert.Contains(t, r.body, "Your school has its own privacy notice, about what it does with what you tell it. Ask the school for it", path)
	}

	// Emptied, the link goes.
	admin.confirmed(admin.post(path, settings("")), path, "The form's changes were saved.")
	assert.Empty(t, p.adminForm(p.form.ID).PrivacyURL)
	assert.NotContains(t, p.get("/r/OAK").body, "oakfield.example/privacy")
	assert.NotContains(t, p.get("/notice?form=OAK").body, "oakfield.example/privacy")
}

// tagPattern finds the start and end tags of a page.
var tagPattern = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>`)

// voidElements have no end tag.
var voidElements = map[string]bool{"meta": true, "link": true, "br": true, "input": true, "img": true, "hr": true, "rect": true}

// assertBalanced checks that every element of a page that is opened is
// closed, in order.
func assertBalanced(t *testing.T, page string) {
	t.Helper()
	var open []string
	for _, m := range tagPattern.FindAllStringSubmatch(strings.TrimPrefix(page, "<!doctype html>"), -1) {
		name := strings.ToLower(m[2])
		switch {
		case voidElements[name] || m[3] == "/":
		case m[1] == "":
			open = append(open, name)
		case len(open) == 0 || open[len(open)-1] != name:
			t.Fatalf("</%s> closes %v", name, open)
		default:
			open = open[:len(open)-1]
		}
	}
	assert.Empty(t, open, "elements left open")
}
