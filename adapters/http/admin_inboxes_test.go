package http_test

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// inboxNow reads one inbox as the store has it.
func (p *portal) inboxNow(id domain.InboxID) *domain.Inbox {
	p.t.Helper()
	var ib *domain.Inbox
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		ib, err = tx.Inboxes().Get(ctx, id)
		return err
	}))
	return ib
}

// Two inboxes of one form cannot share a name, however it is spelt:
// adding one and renaming one are both refused beside the name's field,
// and change nothing.
func TestAdminInboxNamesAreUnique(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	before := p.adminState()
	r := admin.post("/staff/admin/forms/"+string(p.form.ID)+"/inboxes", url.Values{"inbox_name": {"  online   WORRIES "}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#inbox_name">This form already has an inbox named online   WORRIES.</a>`)
	assert.Contains(t, r.body, `id="inbox_name-error"`)
	assert.Contains(t, r.body, `value="  online   WORRIES "`, "the name is kept")

	r = admin.post("/staff/admin/inboxes/"+string(p.second.ID), url.Values{"name": {"general"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="name-error"`)
	assert.Contains(t, r.body, "This form already has an inbox named general.")
	assert.Equal(t, before, p.adminState(), "nothing changed")

	// Another organisation's form may use the name; a new name renames.
	r = p.as(p.adminB).post("/staff/admin/forms/"+string(p.formB.ID)+"/inboxes", url.Values{"inbox_name": {"Online worries"}})
	assert.Equal(t, nethttp.StatusSeeOther, r.status)
	r = admin.post("/staff/admin/inboxes/"+string(p.second.ID), url.Values{"name": {"Online safety"}})
	admin.confirmed(r, "/staff/admin/inboxes/"+string(p.second.ID), "The inbox's changes were saved.")
	assert.Equal(t, "Online safety", p.inboxNow(p.second.ID).Name)
}

// An admin orders the inboxes, chooses the one texts land in, and
// archives and unarchives one, with plain forms that need no JavaScript;
// reporters and texters see the result at once.
func TestAdminArrangesInboxes(t *testing.T) {
	p := newPortalWith(t, siteOptions{plivoToken: plivoToken})
	carrier := &carrierSite{site: p.site, hook: p.srv}
	admin := p.as(p.admin)
	formPath := "/staff/admin/forms/" + string(p.form.ID)
	r := admin.post(formPath+"/inboxes", url.Values{"inbox_name": {"Friendships"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	third := domain.InboxID(strings.TrimPrefix(r.header.Get("Location"), "/staff/admin/inboxes/"))
	general, second := string(p.inbox.ID), string(p.second.ID)

	page := admin.get(formPath).body
	assert.Contains(t, page, `>General</a> <strong class="tag">text messages land here</strong>`)
	assert.NotContains(t, page, `action="/staff/admin/inboxes/`+general+`/up"`, "the first does not move up")
	assert.Contains(t, page, `action="/staff/admin/inboxes/`+general+`/down"`)
	assert.NotContains(t, page, `action="/staff/admin/inboxes/`+string(third)+`/down"`, "the last does not move down")
	assert.Contains(t, page, `<form class="inline" method="post" action="/staff/admin/inboxes/`+second+`/up"><button type="submit" class="button-secondary">Move up<span class="visually-hidden"> Online worries</span></button></form>`)

	// Order: Online worries first.
	r = admin.post("/staff/admin/inboxes/"+second+"/up", nil)
	admin.confirmed(r, formPath, "The inbox was moved. Pupils see the categories in this order.")
	form := p.get("/r/OAK").body
	assert.Less(t, strings.Index(form, ">Online worries</option>"), strings.Index(form, ">General</option>"), "reporters see the admin's order")
	assert.Less(t, strings.Index(form, ">General</option>"), strings.Index(form, ">Friendships</option>"))

	// Texts now land in Friendships.
	r = admin.post("/staff/admin/inboxes/"+string(third)+"/texts", nil)
	admin.confirmed(r, formPath, "Text messages now land in the inbox marked below.")
	require.Equal(t, nethttp.StatusOK, carrier.send(carrier.signedV3("uuid-1", "447700900123", "OAK someone is picking on me")))
	texted := p.interactions()
	require.Len(t, texted, 1)
	assert.Equal(t, third, texted[0].InboxID, "the text landed in the inbox chosen for texts")

	// A conversation in Online worries, then Online worries is archived.
	token := p.report("It happened in the changing rooms", "category", second)
	r = admin.post("/staff/admin/inboxes/"+second+"/archive", nil)
	admin.confirmed(r, formPath, "The inbox was archived. Pupils can no longer choose it; its reports stay where they are.")
	assert.NotNil(t, p.inboxNow(p.second.ID).ArchivedAt)
	page = admin.get(formPath).body
	assert.Contains(t, page, "Archived inboxes")
	assert.Contains(t, page, `action="/staff/admin/inboxes/`+second+`/unarchive"`)
	assert.NotContains(t, p.get("/r/OAK").body, ">Online worries</option>", "reporters are not offered it")

	// A report still naming it is refused beside the category, text kept,
	// in the reporter's language.
	before := len(p.interactions())
	r = p.post("/r/OAK", url.Values{"message": {"Please help, it is still going on"}, "category": {second}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `id="category-error"`)
	assert.Contains(t, r.body, "That category no longer takes reports. Please choose another.")
	assert.Contains(t, r.body, "Please help, it is still going on</textarea>")
	r = p.post("/r/OAK?lang=cy", url.Values{"message": {"Help"}, "category": {second}, "lang": {"cy"}})
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, "Nid yw&#39;r categori hwnnw&#39;n derbyn adroddiadau mwyach.")
	assert.Len(t, p.interactions(), before, "nothing stored")

	// Its conversation carries on, and staff still see it.
	r = p.post("/t/"+token, url.Values{"message": {"Thank you for answering"}})
	assert.Equal(t, nethttp.StatusSeeOther, r.status, "the reporter's reply")
	var ref domain.Reference
	for _, ia := range p.interactions() {
		if ia.InboxID == p.second.ID {
			ref = ia.Ref
		}
	}
	r = admin.get("/staff/interactions/" + string(ref))
	assert.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, "Thank you for answering")

	// Archiving the texts inbox passes texts to the first open inbox.
	r = admin.post("/staff/admin/inboxes/"+string(third)+"/archive", nil)
	admin.confirmed(r, formPath, "The inbox was archived. Pupils can no longer choose it; its reports stay where they are. Text messages now land in the first open inbox, marked below.")
	assert.True(t, p.inboxNow(p.inbox.ID).Texts, "General, the only open inbox, receives texts")
	require.Equal(t, nethttp.StatusOK, carrier.send(carrier.signedV3("uuid-2", "447700900456", "OAK my friend is not safe")))
	var textedAgain *domain.Interaction
	for _, ia := range p.interactions() {
		if ia.Channel == domain.ChannelSMS && ia.ID != texted[0].ID {
			textedAgain = ia
		}
	}
	require.NotNil(t, textedAgain)
	assert.Equal(t, p.inbox.ID, textedAgain.InboxID)

	// The last open inbox stays open.
	before2 := p.adminState()
	r = admin.post("/staff/admin/inboxes/"+general+"/archive", nil)
	require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.body, `<a href="#inboxes">A form needs at least one open inbox: add or unarchive another before archiving this one.</a>`)
	assert.Equal(t, before2, p.adminState())

	// Unarchived, Online worries is offered again.
	r = admin.post("/staff/admin/inboxes/"+second+"/unarchive", nil)
	admin.confirmed(r, formPath, "The inbox was unarchived. Pupils can choose it again.")
	assert.Contains(t, p.get("/r/OAK").body, ">Online worries</option>")
}
