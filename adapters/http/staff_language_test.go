package http_test

import (
	"html/template"
	nethttp "net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// A member who switches to Welsh reads the portal in Welsh from then on:
// its pages, a confirmation, a problem with what they typed and an error
// page; the choice is theirs, kept with their account across sign-ins,
// and a colleague still reads English.
func TestAMemberWhoChoosesWelshReadsThePortalInWelsh(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	page := admin.get("/staff/")
	require.Equal(t, nethttp.StatusOK, page.status)
	assert.Contains(t, page.body, `<html lang="en">`)
	assert.Contains(t, page.body, `<button type="submit" class="link-button" lang="cy">Cymraeg</button>`, "every page offers the switch")

	admin.confirmed(admin.post("/staff/account/language", url.Values{"lang": {"cy"}}), "/staff/account",
		"Mae'r porth a'ch negeseuon e-bost bellach yn defnyddio'r iaith a ddewisoch.")
	assert.Equal(t, domain.Welsh, p.stored(p.admin.ID).Language)

	// Signing in again finds the choice where it was left.
	again, _ := p.signedIn(p.admin, "")
	page = again.get("/staff/")
	require.Equal(t, nethttp.StatusOK, page.status)
	assert.Contains(t, page.body, `<html lang="cy">`)
	assert.Equal(t, "cy", page.header.Get("Content-Language"))
	assert.Contains(t, page.body, ">Adroddiadau</a>")
	assert.Contains(t, page.body, `lang="en">English</button>`, "the switch leads back")
	assert.NotContains(t, page.body, ">Reports</a>")
	assert.Contains(t, again.get("/staff/account").body, `id="lang-cy" name="lang" value="cy" checked`)

	r := again.post("/staff/admin/settings", url.Values{"retention": {"5"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, template.HTMLEscapeString("Rhaid i'r cyfnod cadw fod yn 6, 12, 24 neu 36 mis, nid 5."), "a problem in Welsh")
	assert.Contains(t, r.body, "Mae problem")

	r = again.get("/staff/interactions/NOPE-NOPE")
	require.Equal(t, nethttp.StatusNotFound, r.status)
	assert.Contains(t, r.body, "Heb ei ganfod", "an error page in Welsh")

	r = again.post("/staff/account/language", url.Values{"lang": {"fr"}})
	require.Equal(t, nethttp.StatusBadRequest, r.status)
	assert.Contains(t, r.body, template.HTMLEscapeString("dewiswch Gymraeg neu Saesneg"))
	assert.Equal(t, domain.Welsh, p.stored(p.admin.ID).Language, "unchanged")

	colleague := p.as(p.staff).get("/staff/")
	assert.Contains(t, colleague.body, `<html lang="en">`, "a colleague's portal stays in English")
	assert.Contains(t, colleague.body, ">Reports</a>")

	again.confirmed(again.post("/staff/account/language", url.Values{"lang": {"en"}}), "/staff/account",
		"The portal and your emails now use the language you chose.")
	assert.Contains(t, again.get("/staff/").body, `<html lang="en">`)
}

// A form's own words can be written in Welsh too, and a pupil reading
// Welsh sees them: the introduction, when the school replies, and the
// categories; where the school wrote no Welsh, the English. No two
// inboxes of a form share a Welsh name.
func TestAFormsOwnWordsAreShownInThePupilsLanguage(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	form := "/staff/admin/forms/" + string(p.form.ID)
	r := admin.post(form, url.Values{
		"name": {"Oakfield Primary"}, "language": {"en"}, "swear_policy": {"flag"},
		"intro": {"Tell us what is wrong."}, "intro_cy": {"Dywedwch wrthym beth sydd o'i le."},
		"response_time_cy": {"Rydym yn darllen adroddiadau ar ddiwrnodau ysgol."},
	})
	admin.confirmed(r, form, "The form's changes were saved.")
	assert.Contains(t, admin.get(form).body, `lang="cy" aria-describedby="intro_cy-hint">Dywedwch wrthym beth sydd o&#39;i le.</textarea>`)

	inbox := "/staff/admin/inboxes/" + string(p.second.ID)
	admin.confirmed(admin.post(inbox, url.Values{"name": {"Online worries"}, "name_cy": {"Pryderon ar-lein"}}), inbox, "The inbox's changes were saved.")
	assert.Equal(t, "Pryderon ar-lein", p.inboxNow(p.second.ID).NameCy)

	cy := p.get("/r/OAK?lang=cy")
	require.Equal(t, nethttp.StatusOK, cy.status)
	assert.Contains(t, cy.body, "Dywedwch wrthym beth sydd o&#39;i le.")
	assert.Contains(t, cy.body, "Rydym yn darllen adroddiadau ar ddiwrnodau ysgol.")
	assert.Contains(t, cy.body, ">Pryderon ar-lein</option>")
	assert.Contains(t, cy.body, ">General</option>", "a category with no Welsh name keeps its English one")
	assert.NotContains(t, cy.body, "Tell us what is wrong.")

	en := p.get("/r/OAK?lang=en")
	assert.Contains(t, en.body, "Tell us what is wrong.")
	assert.Contains(t, en.body, ">Online worries</option>")
	assert.Contains(t, en.body, "Rydym yn darllen adroddiadau ar ddiwrnodau ysgol.", "with no English, the Welsh")

	r = admin.post("/staff/admin/inboxes/"+string(p.inbox.ID), url.Values{"name": {"General"}, "name_cy": {"pryderon  AR-LEIN"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="name_cy-error"`)
	assert.Contains(t, r.body, "This form already has an inbox named pryderon  AR-LEIN in Welsh.")
	assert.Empty(t, p.inboxNow(p.inbox.ID).NameCy)
	admin.confirmed(admin.post("/staff/admin/inboxes/"+string(p.inbox.ID), url.Values{"name": {"General"}, "name_cy": {"Online worries"}}),
		"/staff/admin/inboxes/"+string(p.inbox.ID), "The inbox's changes were saved.")
}

// The emails a member gets are queued in their language: the alert of a
// new report, and a link to choose a new password.
func TestAMembersEmailsAreQueuedInTheirLanguage(t *testing.T) {
	p := newPortal(t)
	dev := p.as(p.staff)
	require.Equal(t, nethttp.StatusSeeOther, dev.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
	p.report("Someone keeps taking my lunch money.")
	require.Equal(t, nethttp.StatusOK, p.anonymous().post("/staff/forgot", url.Values{"email": {p.staff.Email}}).status)

	var ds []*domain.Delivery
	require.NoError(t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		ds, err = tx.Outbox().List(ctx, ports.OutboxFilter{})
		return err
	}))
	kinds := map[domain.DeliveryKind]domain.Language{}
	for _, d := range ds {
		if d.To == p.staff.Email {
			kinds[d.Kind] = d.Language
		}
	}
	assert.Equal(t, map[domain.DeliveryKind]domain.Language{
		domain.DeliveryStaffNewReport: domain.Welsh, domain.DeliveryStaffPasswordReset: domain.Welsh,
	}, kinds)
}
