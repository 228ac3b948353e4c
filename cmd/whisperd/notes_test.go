package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
)

// TestANoteNeverReachesTheReporter: staff add an internal note to a web
// report and to a texted one, then reply to both. The replies reach the
// reporters, by email notice through a real SMTP server and by text
// through the Plivo stand-in; the notes reach neither, nor the
// conversation page, nor the logs.
func TestANoteNeverReachesTheReporter(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "plivo-token")
	smtp := smtptest.Start(t, "", "")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}, withPlivo(stand, withSMTP(smtp, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL": "20ms",
	})))
	to := func(addr string) []string {
		var out []string
		for _, m := range smtp.Messages() {
			if len(m.To) == 1 && m.To[0] == addr {
				out = append(out, m.Data)
			}
		}
		return out
	}
	refIn := regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`)

	// A web report with an address, and a texted one.
	_, form := get(t, in.url+"/r/demo")
	category := regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(form)
	require.NotNil(t, category)
	resp, body := reporterPost(t, in, "/r/demo", url.Values{"message": {"Someone keeps taking my lunch money."}, "email": {"kim@example.org"}, "category": {category[1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	conversation := resp.Header.Get("Location")
	c := &carrier{t: t, url: in.url, token: "plivo-token"}
	require.Equal(t, http.StatusOK, c.text("uuid-1", "447700900123", "demo Someone hit me at the bus stop"))
	eventually(t, "the link email, the link text and both alerts", func() bool {
		return len(to("kim@example.org")) == 1 && len(stand.Sent()) == 1 && len(smtp.Messages()) >= 3
	})
	refs := map[string]bool{}
	for _, m := range smtp.Messages() {
		if ref := refIn.FindString(m.Data); ref != "" {
			refs[ref] = true
		}
	}
	require.Len(t, refs, 2, "an alert for each report")

	admin := signInDemoAdmin(t, in)
	for ref := range refs {
		require.Equal(t, http.StatusSeeOther, admin.post("/staff/interactions/"+ref+"/notes",
			url.Values{"note": {"NOTE-SECRET: mum says it is the Year 9 boy from the bus"}}).StatusCode)
		assert.Contains(t, admin.get("/staff/interactions/"+ref), "NOTE-SECRET: mum says it is the Year 9 boy", "staff read it")
		require.Equal(t, http.StatusSeeOther, admin.post("/staff/interactions/"+ref+"/messages",
			url.Values{"message": {"Thank you for telling us. We will help."}}).StatusCode)
	}
	eventually(t, "the reply notice and the reply text", func() bool {
		return len(to("kim@example.org")) == 2 && len(stand.Sent()) == 2
	})
	assert.Contains(t, plainText(t, to("kim@example.org")[1]), "reply", "the notice of the reply")
	assert.Equal(t, "Demo (school staff): Thank you for telling us. We will help.", stand.Sent()[1].Text)

	status, page := get(t, in.url+conversation)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Thank you for telling us. We will help.", "the reply is on the reporter's page")
	require.NoError(t, in.stop())

	secrets := []string{"NOTE-SECRET", "Year 9"}
	for _, secret := range secrets {
		assert.NotContains(t, page, secret, "not on the conversation page")
		for _, m := range smtp.Messages() {
			assert.NotContains(t, m.Data, secret, "in no email, to %v", m.To)
			assert.NotContains(t, strings.ToLower(m.Data), "internal note", "in no email, to %v", m.To)
		}
		for _, s := range stand.Sent() {
			assert.NotContains(t, s.Text, secret, "in no text")
		}
		assert.NotContains(t, in.stderr.String(), secret, "in no log")
		assert.NotContains(t, in.stdout.String(), secret, "in no log")
	}
}
