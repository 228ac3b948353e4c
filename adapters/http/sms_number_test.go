package http_test

import (
	nethttp "net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The service's number is shown beside the form's SMS code, on the
// reporter's form and in the notice, in English and Welsh, and on the
// admin's form page, with a UK number as UK phones show it.
func TestTheSMSNumberIsShownBesideTheCode(t *testing.T) {
	p := newPortalWith(t, siteOptions{plivoToken: plivoToken, smsNumber: "+447700900000"})
	page := func(path string) string {
		t.Helper()
		r := p.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		return r.body
	}
	assert.Contains(t, page("/r/OAK?lang=en"),
		"You can also report by text message: text <strong>OAK</strong> and your message to <strong>07700 900000</strong>.")
	assert.Contains(t, page("/r/OAK?lang=cy"),
		"Gallwch chi hefyd roi gwybod drwy neges destun: anfonwch <strong>OAK</strong> a'ch neges at <strong>07700 900000</strong>.")
	assert.Contains(t, page("/notice?lang=en"), "text your school's Whisper code and your message to <strong>07700 900000</strong>.")
	assert.Contains(t, page("/notice?lang=cy"), "anfonwch god Whisper eich ysgol a'ch neges at <strong>07700 900000</strong>.")
	// Reached from a form, the notice names that form's code.
	assert.Contains(t, page("/notice?form=OAK&lang=en"),
		"You can also report by text message: text <strong>OAK</strong> and your message to <strong>07700 900000</strong>.")

	admin := p.as(p.admin)
	r := admin.get("/staff/admin/forms/" + string(p.form.ID))
	require.Equal(t, nethttp.StatusOK, r.status)
	assert.Contains(t, r.body, `<pre class="snippet">OAK</pre>`)
	assert.Contains(t, r.body, "Pupils text OAK and their message to 07700 900000.")
	for path, words := range map[string]string{"/staff/admin/": "its SMS code", "/staff/admin/forms": "first text message", "/staff/admin/forms/new": "first text message"} {
		r := admin.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		assert.Contains(t, r.body, words, path)
	}
}

// With SMS off, no page a reporter or an admin reads offers an SMS code or
// a number to text.
func TestNoSMSCodeWhenSMSIsOff(t *testing.T) {
	p := newPortal(t)
	for _, path := range []string{"/r/OAK?lang=en", "/r/OAK?lang=cy", "/notice?lang=en", "/notice?lang=cy"} {
		r := p.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		assert.NotContains(t, r.body, "report by text message", path)
		assert.NotContains(t, r.body, "roi gwybod drwy neges destun", path)
		assert.NotContains(t, r.body, "<strong>OAK</strong>", path)
	}
	admin := p.as(p.admin)
	for _, path := range []string{"/staff/admin/", "/staff/admin/forms", "/staff/admin/forms/new", "/staff/admin/forms/" + string(p.form.ID)} {
		r := admin.get(path)
		require.Equal(t, nethttp.StatusOK, r.status, path)
		assert.NotContains(t, r.body, "SMS", path)
		assert.NotContains(t, r.body, "first text message", path)
	}
}
