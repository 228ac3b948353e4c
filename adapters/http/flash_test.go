package http_test

import (
	nethttp "net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A confirmation is for the page its redirect leads to. Whatever staff
// page the browser opens next forgets it, so that it cannot turn up later
// on another page, saying something was done there.
func TestAConfirmationIsForgottenByTheNextPage(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	r := admin.post("/staff/admin/settings", url.Values{"retention": {"24"}, "swear_words": {"numpty"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	r = admin.get("/staff/")
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.NotContains(t, r.body, `class="flash"`)
	assert.NotContains(t, admin.get("/staff/admin/settings").body, `class="flash"`)

	r = admin.post("/staff/admin/settings", url.Values{"retention": {"24"}, "swear_words": {"numpty"}})
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, nethttp.StatusNotFound, admin.get("/staff/interactions/NOPE-NOPE").status)
	assert.NotContains(t, admin.get("/staff/admin/settings").body, `class="flash"`, "a page that failed forgets it too")
}

// The sign-in page confirms a new password; a browser already signed in
// is sent on to the reports, and the confirmation is forgotten, not left
// for a later page.
func TestAPasswordSetWhileSignedInIsNotConfirmedLater(t *testing.T) {
	p := newPortal(t)
	admin := p.as(p.admin)
	r := admin.do(nethttp.MethodGet, "/staff/login", nil, "Cookie", p.flashCookie()+"=password-set")
	require.Equal(t, nethttp.StatusSeeOther, r.status)
	assert.Equal(t, "/staff/", r.header.Get("Location"))
	assert.Contains(t, r.header.Get("Set-Cookie"), p.flashCookie()+"=;", "forgotten")
}
