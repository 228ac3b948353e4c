package http_test

import (
	"html"
	"html/template"
	nethttp "net/http"
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

// Before signing in, a staff page is in the language the visitor asks
// for: ?lang (remembered in a cookie), the form they filled in, or their
// browser's; English otherwise. Each page links to itself in the other
// language.
func TestStaffPagesBeforeSignInFollowTheVisitorsLanguage(t *testing.T) {
	// Plain HTTP, so that the test's cookie jar sends the language cookie
	// back (it is Secure over HTTPS).
	p := newPortalWith(t, siteOptions{publicURL: "http://localhost:8080"})

	r := p.anonymous().get("/staff/login")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<html lang="en">`, "English with nothing asked")
	assert.Contains(t, r.body, `<a href="?lang=cy" lang="cy" hreflang="cy">Cymraeg</a>`, "the switch to Welsh")
	assert.Contains(t, r.body, "Sign in to Whisper")

	r = p.anonymous().do(nethttp.MethodGet, "/staff/login", nil, "Accept-Language", "cy-GB,cy;q=0.9,en;q=0.5")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`, "the browser's Welsh")
	assert.Equal(t, "cy", r.header.Get("Content-Language"))
	assert.Contains(t, r.header.Values("Vary"), "Cookie, Accept-Language")
	assert.Contains(t, r.body, "Mewngofnodi i Whisper")
	assert.Contains(t, r.body, `<a href="?lang=en" lang="en" hreflang="en">English</a>`, "the switch back")
	assert.Contains(t, r.body, `<input type="hidden" name="lang" value="cy">`, "the form says which language it was filled in")
	assert.NotContains(t, r.body, "Sign in to Whisper")

	// The switch is remembered: the next pages, without ?lang, are Welsh
	// too, whatever the browser says.
	b := p.anonymous()
	r = b.do(nethttp.MethodGet, "/staff/forgot?lang=cy", nil, "Accept-Language", "en-GB")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, "Wedi anghofio eich cyfrinair?")
	assert.Contains(t, r.header.Get("Set-Cookie"), "whisper_lang=cy")
	r = b.do(nethttp.MethodGet, "/staff/login", nil, "Accept-Language", "en-GB")
	assert.Contains(t, r.body, `<html lang="cy">`, "the cookie wins over the browser")

	// A refused sign-in says why in the page's language.
	r = b.post("/staff/login", url.Values{"email": {p.staff.Email}, "password": {"wrong password here"}, "lang": {"cy"}})
	require.Equal(t, nethttp.StatusUnauthorized, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, template.HTMLEscapeString("Nid oedd modd eich mewngofnodi gyda'r manylion hynny."))

	// The forgotten-password answer, and an error before sign-in.
	r = b.post("/staff/forgot", url.Values{"email": {"nobody@example.org"}, "lang": {"cy"}})
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, "Os oes gan y cyfeiriad hwnnw gyfrif Whisper")
	r = b.post("/staff/forgot", url.Values{"email": {strings.Repeat("a", 20<<10)}})
	require.Equal(t, nethttp.StatusBadRequest, r.status, "too large to be read")
	assert.Contains(t, r.body, `<html lang="cy">`, "an error page before sign-in, in the chosen language")
	assert.Contains(t, r.body, template.HTMLEscapeString("Nid oedd modd darllen y ffurflen."))

	// ?lang=en switches back, and is remembered in turn.
	r = b.get("/staff/login?lang=en")
	assert.Contains(t, r.body, `<html lang="en">`)
	assert.Contains(t, b.get("/staff/forgot").body, `<html lang="en">`)

	// A value that is neither language is ignored.
	r = p.anonymous().get("/staff/login?lang=fr")
	assert.Contains(t, r.body, `<html lang="en">`)
	assert.Empty(t, r.header.Get("Set-Cookie"))
}

// A page refusing a staff request that is not text (wellformed.go) is in
// the visitor's language too.
func TestAStaffRefusalOfUnreadableBytesIsInTheVisitorsLanguage(t *testing.T) {
	p := newPortal(t)
	r := p.anonymous().do(nethttp.MethodGet, "/staff/login?email=%00", nil, "Accept-Language", "cy")
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, "Nid oedd modd gwneud hynny")
	assert.Contains(t, r.body, "yn y maes “email”")
	assert.NotContains(t, r.body, "That could not be done")

	r = p.anonymous().get("/staff/login?email=%00")
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<html lang="en">`)
	assert.Contains(t, r.body, "That could not be done")
	assert.Contains(t, r.body, "The field “email” holds a NUL byte")

	// A member signed in reads it in their own language.
	dev := p.as(p.staff)
	require.Equal(t, nethttp.StatusSeeOther, dev.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
	r = dev.get("/staff/?q=%ff")
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, "yn y maes “q”")
}

// The page reached from a set-password link is in the language of the
// member it is for, unless the visitor switches; its confirmation too.
func TestTheSetPasswordPageIsInTheMembersLanguage(t *testing.T) {
	p := newPortal(t)
	dev := p.as(p.staff)
	require.Equal(t, nethttp.StatusSeeOther, dev.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
	require.Equal(t, nethttp.StatusOK, p.anonymous().post("/staff/forgot", url.Values{"email": {p.staff.Email}}).status)
	var link string
	require.NoError(t, p.store.View(ctx, func(tx ports.Tx) error {
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range ds {
			if d.Kind == domain.DeliveryStaffPasswordReset && d.To == p.staff.Email {
				link = d.Link
			}
		}
		return err
	}))
	path, ok := strings.CutPrefix(link, "https://whisper.example.org")
	require.True(t, ok, link)

	b := p.anonymous()
	r := b.do(nethttp.MethodGet, path, nil, "Accept-Language", "en-GB")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`, "the member's Welsh, over an English browser")
	assert.Contains(t, r.body, "Dewiswch eich cyfrinair")
	assert.Contains(t, r.body, `<a href="?lang=en" lang="en" hreflang="en">English</a>`)

	r = b.get(path + "?lang=en")
	assert.Contains(t, r.body, `<html lang="en">`, "the visitor's switch wins")
	assert.Contains(t, r.body, "Choose your password")

	r = b.post(path, url.Values{"password": {"short"}, "confirm": {"short"}, "lang": {"cy"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<html lang="cy">`, "a problem, in the language of the page filled in")

	r = b.post(path, url.Values{"password": {staffPassword + " again"}, "confirm": {staffPassword + " again"}, "lang": {"cy"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/login", r.header.Get("Location"))
	r = b.get("/staff/login?lang=cy")
	assert.Contains(t, r.body, template.HTMLEscapeString("Mae eich cyfrinair wedi'i osod. Mewngofnodwch ag ef nawr."), "the confirmation in Welsh")

	r = p.anonymous().do(nethttp.MethodGet, path, nil, "Accept-Language", "cy")
	require.Equal(t, nethttp.StatusNotFound, r.status, "used")
	assert.Contains(t, r.body, `<html lang="cy">`)
	assert.Contains(t, r.body, template.HTMLEscapeString("Nid yw'r ddolen hon yn gweithio"))
}

// The trial banner names its day in the admin's language, as every date
// on a page does.
func TestTheTrialBannerNamesTheDayInTheAdminsLanguage(t *testing.T) {
	p := newPortal(t)
	op := app.Operator{Name: "test"}
	_, err := p.svc.Operations.SetOrganisationStatus(ctx, op, p.org.ID, domain.OrgTrial, "trial")
	require.NoError(t, err)
	// The clock is 5 October 2026: the trial takes reports to the end of
	// 8 October.
	_, err = p.svc.Subscriptions.SetTrial(ctx, op, p.org.ID, time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC), "trial")
	require.NoError(t, err)
	admin := p.as(p.admin)
	assert.Contains(t, html.UnescapeString(admin.get("/staff/").body), "trial ends after 8 October 2026")
	require.Equal(t, nethttp.StatusSeeOther, admin.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
	body := html.UnescapeString(admin.get("/staff/").body)
	assert.Contains(t, body, "yn dod i ben ar ôl 8 Hydref 2026")
	assert.NotContains(t, body, "October")
}

// The invitation form asks which language to write to the new member in,
// the admin's own by default, and keeps it as the member's.
func TestTheInvitationFormAsksForTheNewMembersLanguage(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	require.Equal(t, nethttp.StatusSeeOther, admin.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
	r := admin.get("/staff/admin/staff/new")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `id="language-cy" name="language" value="cy" checked`, "the admin's Welsh by default")

	r = admin.post("/staff/admin/staff/new", url.Values{"email": {"nia@oakfield.example"}, "first_name": {"Nia"}, "role": {"staff"}, "language": {"cy"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	r = admin.post("/staff/admin/staff/new", url.Values{"email": {"sam@oakfield.example"}, "first_name": {"Sam"}, "role": {"staff"}, "language": {"en"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status, r.body)
	r = admin.post("/staff/admin/staff/new", url.Values{"email": {"x@oakfield.example"}, "first_name": {"X"}, "role": {"staff"}, "language": {"fr"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="language-error"`)
	assert.Contains(t, r.body, "Dewiswch Gymraeg neu Saesneg.")

	langs := map[string]domain.Language{}
	require.NoError(t, p.store.View(ctx, func(tx ports.Tx) error {
		ds, err := tx.Outbox().List(ctx, ports.OutboxFilter{})
		for _, d := range ds {
			if d.Kind == domain.DeliveryStaffInvite {
				langs[d.To] = d.Language
			}
		}
		return err
	}))
	assert.Equal(t, map[string]domain.Language{"nia@oakfield.example": domain.Welsh, "sam@oakfield.example": domain.English}, langs)
}
