package main

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
)

// conversationPath finds the conversation link in a text or an email's
// words, as a path on the test's server.
var conversationPath = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `(/t/[A-Za-z0-9_-]{43})`)

// plainText is the plain-text part of an email as it crossed SMTP,
// decoded.
func plainText(t *testing.T, data string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		require.NoError(t, err, "no plain-text part")
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			require.NoError(t, err)
			return string(b)
		}
	}
}

// reporterPost posts a reporter's form to whisperd, without following the
// answer's redirect.
func reporterPost(t *testing.T, in instance, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(in.url+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// A reporter who lost their link asks at /link with the address they
// gave: a fresh link comes by email, through the outbox and SMTP, and the
// old one stops working. Any other address gets the same answer, as
// slowly, and no email. A texter texts LINK, or DOLEN, and gets one by
// text.
func TestALostLinkIsRecovered(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "plivo-token")
	smtp := smtptest.Start(t, "", "")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}, withPlivo(stand, withSMTP(smtp, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL": "20ms",
	})))
	to := func(addr string) []string {
		var out []string
		for _, m := range smtp.Messages() {
			if len(m.To) == 1 && m.To[0] == addr {
				out = append(out, plainText(t, m.Data))
			}
		}
		return out
	}

	_, form := get(t, in.url+"/r/demo")
	category := regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(form)
	require.NotNil(t, category)
	resp, body := reporterPost(t, in, "/r/demo", url.Values{"message": {"Someone keeps taking my lunch money."}, "email": {"kim@example.org"}, "category": {category[1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	first := resp.Header.Get("Location")
	eventually(t, "the link email", func() bool { return len(to("kim@example.org")) == 1 })
	email := to("kim@example.org")[0]
	assert.Equal(t, first, conversationPath.FindStringSubmatch(email)[1])
	assert.Contains(t, email, "If you lose this link, you can ask for a new one at "+publicURL+"/link with this email address.")
	status, page := get(t, in.url+first)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `Lost this link? <a href="/link">Ask for a new one</a>`)
	assert.Contains(t, page, "text <strong>LINK</strong> to <strong>07700 900000</strong>")

	status, page = get(t, in.url+"/link")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `action="/link"`)
	assert.Contains(t, page, `name="email"`)
	status, page = get(t, in.url+"/link?lang=cy")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Wedi colli dolen eich sgwrs?")

	var answers []string
	for _, addr := range []string{"KIM@example.org", "nobody@example.org", "not an address"} {
		began := time.Now()
		resp, body := reporterPost(t, in, "/link", url.Values{"email": {addr}})
		assert.GreaterOrEqual(t, time.Since(began), 400*time.Millisecond, "%s: every answer takes as long", addr)
		require.Equal(t, http.StatusOK, resp.StatusCode, addr)
		assert.Contains(t, body, "we have emailed a new link to it")
		answers = append(answers, body)
	}
	assert.Equal(t, answers[0], answers[1], "an address with a conversation is answered as one without")
	assert.Equal(t, answers[0], answers[2])

	eventually(t, "the fresh link email", func() bool { return len(to("kim@example.org")) == 2 })
	fresh := to("kim@example.org")[1]
	assert.Contains(t, fresh, "Your old link no longer works.")
	path := conversationPath.FindStringSubmatch(fresh)[1]
	assert.NotEqual(t, first, path)
	status, _ = get(t, in.url+first)
	assert.Equal(t, http.StatusNotFound, status, "the old link stopped working")
	status, page = get(t, in.url+path)
	require.Equal(t, http.StatusOK, status, "the new one works")
	assert.Contains(t, page, "Someone keeps taking my lunch money.")
	assert.Empty(t, to("nobody@example.org"))

	// By text: LINK from the texter's number, any case, texts a fresh link
	// back; DOLEN does too; a number with no conversation gets the help
	// text.
	c := &carrier{t: t, url: in.url, token: "plivo-token"}
	require.Equal(t, http.StatusOK, c.text("uuid-1", "447700900123", "demo Someone hit me at the bus stop"))
	eventually(t, "the link text", func() bool { return len(stand.Sent()) == 1 })
	firstText := stand.Sent()[0].Text
	assert.Contains(t, firstText, "If you lose this link, text LINK for a new one.")
	oldPath := conversationPath.FindStringSubmatch(firstText)[1]
	require.Equal(t, http.StatusOK, c.text("uuid-2", "447700900123", " link "))
	eventually(t, "the fresh link text", func() bool { return len(stand.Sent()) == 2 })
	sent := stand.Sent()[1]
	assert.Equal(t, "+447700900123", sent.Dst)
	assert.True(t, strings.HasPrefix(sent.Text, "Here is a new link to your conversation."), sent.Text)
	newPath := conversationPath.FindStringSubmatch(sent.Text)[1]
	status, _ = get(t, in.url+oldPath)
	assert.Equal(t, http.StatusNotFound, status, "the old link stopped working")
	status, page = get(t, in.url+newPath)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Someone hit me at the bus stop")
	assert.NotContains(t, page, ">link<", "the request is not kept as a message")

	require.Equal(t, http.StatusOK, c.text("uuid-3", "447700900123", "Dolen"))
	eventually(t, "the second fresh link text", func() bool { return len(stand.Sent()) == 3 })
	status, _ = get(t, in.url+newPath)
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = get(t, in.url+conversationPath.FindStringSubmatch(stand.Sent()[2].Text)[1])
	assert.Equal(t, http.StatusOK, status)

	require.Equal(t, http.StatusOK, c.text("uuid-4", "447700900999", "LINK"))
	eventually(t, "the help text", func() bool { return len(stand.Sent()) == 4 })
	assert.Equal(t, "+447700900999", stand.Sent()[3].Dst)
	assert.Contains(t, stand.Sent()[3].Text, "start your text with the school's Whisper code")
}
