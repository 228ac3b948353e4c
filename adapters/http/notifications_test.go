package http_test

import (
	"html/template"
	nethttp "net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// choicesOf are a member's stored notification choices.
func (p *portal) choicesOf(id domain.StaffID) map[domain.InboxID]domain.NotifyMode {
	p.t.Helper()
	var out map[domain.InboxID]domain.NotifyMode
	require.NoError(p.t, p.store.View(ctx, func(tx ports.Tx) (err error) {
		out, err = tx.Notifications().Preferences(ctx, id)
		return err
	}))
	return out
}

func notifyForm(inbox domain.InboxID, mode string) url.Values {
	return url.Values{app.NotifyField(inbox): {mode}}
}

// The account page offers each of the member's inboxes the three choices,
// one fieldset each, and saves them; bad input shows the page again with
// the problem by its inbox and changes nothing. On both stores.
func TestNotificationChoicesOnTheAccountPage(t *testing.T) {
	for name, postgres := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) {
			p := newPortalWith(t, siteOptions{postgres: postgres})
			dsl := p.as(p.staff)
			field := app.NotifyField(p.inbox.ID)
			page := dsl.get("/staff/account")
			require.Equal(t, nethttp.StatusOK, page.status)
			assert.Contains(t, page.body, `<h2 id="notifications">Email notifications</h2>`)
			assert.Contains(t, page.body, `<fieldset id="`+field+`"`)
			assert.Contains(t, page.body, `<legend>General</legend>`)
			assert.Contains(t, page.body, `id="`+field+`-now" name="`+field+`" value="now" checked`, "at once until they choose")
			assert.NotContains(t, page.body, app.NotifyField(p.second.ID), "only the member's own inboxes")

			dsl.confirmed(dsl.post("/staff/account/notifications", notifyForm(p.inbox.ID, "digest")), "/staff/account#notifications",
				"Your notification choices were saved.")
			assert.Equal(t, map[domain.InboxID]domain.NotifyMode{p.inbox.ID: domain.NotifyDigest}, p.choicesOf(p.staff.ID))
			assert.Contains(t, dsl.get("/staff/account").body, `id="`+field+`-digest" name="`+field+`" value="digest" checked`)

			r := dsl.post("/staff/account/notifications", notifyForm(p.inbox.ID, "weekly"))
			require.Equal(t, nethttp.StatusUnprocessableEntity, r.status)
			assert.Contains(t, r.body, "There is a problem")
			assert.Contains(t, r.body, `<a href="#`+field+`">Choose at once, a daily digest or none.</a>`)
			assert.Contains(t, r.body, `aria-describedby="`+field+`-error"`)
			r = dsl.post("/staff/account/notifications", url.Values{field: {"none", "now"}})
			require.Equal(t, nethttp.StatusUnprocessableEntity, r.status, "two choices for one inbox")
			r = dsl.post("/staff/account/notifications", url.Values{"something": {"else"}})
			require.Equal(t, nethttp.StatusBadRequest, r.status, "no choice at all")
			assert.Equal(t, map[domain.InboxID]domain.NotifyMode{p.inbox.ID: domain.NotifyDigest}, p.choicesOf(p.staff.ID), "unchanged")

			dsl.confirmed(dsl.post("/staff/account/notifications", notifyForm(p.inbox.ID, "now")), "/staff/account#notifications",
				"Your notification choices were saved.")
			assert.Empty(t, p.choicesOf(p.staff.ID))

			// In Welsh.
			require.Equal(t, nethttp.StatusSeeOther, dsl.post("/staff/account/language", url.Values{"lang": {"cy"}}).status)
			page = dsl.get("/staff/account")
			assert.Contains(t, page.body, "Hysbysiadau e-bost")
			assert.Contains(t, page.body, "Pob adroddiad ac ateb, ar unwaith")
			r = dsl.post("/staff/account/notifications", notifyForm(p.inbox.ID, "weekly"))
			assert.Contains(t, r.body, template.HTMLEscapeString("Dewiswch ar unwaith, crynodeb dyddiol neu ddim."))

			// A member with no inbox is told why there is nothing to choose.
			assert.Contains(t, p.as(p.admin).get("/staff/account").body,
				"You are not assigned to any inbox, so Whisper does not email you about reports.")
		})
	}
}

// Who may set a choice for an inbox: signed out, no one; a member of
// another organisation, or one not assigned to the inbox, gets 404 and
// changes nothing; a cross-site post is refused. On both stores.
func TestNotificationChoicesAuthorisationMatrix(t *testing.T) {
	for name, postgres := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) {
			p := newPortalWith(t, siteOptions{postgres: postgres})
			form := notifyForm(p.inbox.ID, "none")

			r := p.anonymous().post("/staff/account/notifications", form)
			assert.Equal(t, nethttp.StatusSeeOther, r.status)
			assert.Equal(t, "/staff/login", r.header.Get("Location"))

			for who, m := range map[string]*domain.Staff{
				"admin of another organisation": p.adminB,
				"member without the inbox":      p.otherInbox,
				"admin not assigned to it":      p.admin,
			} {
				r := p.as(m).post("/staff/account/notifications", form)
				assert.Equal(t, nethttp.StatusNotFound, r.status, who)
				assert.Empty(t, p.choicesOf(m.ID), who)
			}
			r = p.as(p.otherInbox).post("/staff/account/notifications", url.Values{
				app.NotifyField(p.second.ID): {"digest"}, app.NotifyField(p.inbox.ID): {"digest"}})
			assert.Equal(t, nethttp.StatusNotFound, r.status, "one inbox not theirs refuses them all")
			assert.Empty(t, p.choicesOf(p.otherInbox.ID))
			r = p.as(p.adminB).post("/staff/account/notifications", url.Values{app.NotifyField(p.inboxB.ID): {"digest"}})
			assert.Equal(t, nethttp.StatusNotFound, r.status, "an admin is alerted only of the inboxes assigned to them")

			dsl := p.as(p.staff)
			for _, header := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
				r := dsl.post("/staff/account/notifications", form, header[0], header[1])
				assert.Equal(t, nethttp.StatusForbidden, r.status, header[0])
			}
			assert.Empty(t, p.choicesOf(p.staff.ID), "nothing changed")

			r = dsl.post("/staff/account/notifications", form)
			assert.Equal(t, nethttp.StatusSeeOther, r.status, "the member with the inbox may")
			assert.Equal(t, map[domain.InboxID]domain.NotifyMode{p.inbox.ID: domain.NotifyNone}, p.choicesOf(p.staff.ID))
		})
	}
}
