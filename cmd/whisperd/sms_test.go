package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	plivo "github.com/plivo/plivo-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/sms/plivotest"
	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

const publicURL = "https://whisper.example.org"

// carrier plays Plivo calling whisperd's webhook, signing as Plivo does.
type carrier struct {
	t      *testing.T
	url    string
	token  string
	nonces atomic.Int64
}

func (c *carrier) text(uuid, from, body string) int {
	c.t.Helper()
	return c.send(url.Values{"MessageUUID": {uuid}, "From": {from}, "To": {"447700900000"}, "Text": {body}, "Type": {"sms"}},
		c.token, "nonce-"+string(rune('a'+c.nonces.Add(1))), true)
}

func (c *carrier) send(form url.Values, token, nonce string, sign bool) int {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url+"/sms/plivo", strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sign {
		params := map[string]string{}
		for k := range form {
			params[k] = form.Get(k)
		}
		req.Header.Set("X-Plivo-Signature-V3", plivo.ComputeSignatureV3(token, publicURL+"/sms/plivo", "POST", nonce, params))
		req.Header.Set("X-Plivo-Signature-V3-Nonce", nonce)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// eventually waits, with a generous deadline, for cond: the relay works in
// the background.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTextingEndToEnd(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "plivo-token")
	smtp := smtptest.Start(t, "", "")
	db := filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + db}, withPlivo(stand, withSMTP(smtp, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL":    "20ms",
		"WHISPER_OUTBOX_RETRY_MIN":        "50ms",
		"WHISPER_LIMITS_TEXTS_PER_NUMBER": "0",
		"WHISPER_METRICS_LISTEN":          "127.0.0.1:0",
	})))
	c := &carrier{t: t, url: in.url, token: "plivo-token"}

	// A first text with the demo form's code: stored, and the link texted back.
	require.Equal(t, http.StatusOK, c.text("uuid-1", "447700900123", "demo Someone keeps hitting me at the bus stop"))
	eventually(t, "the link text", func() bool { return len(stand.Sent()) == 1 })
	link := stand.Sent()[0]
	assert.Equal(t, "+447700900123", link.Dst)
	assert.Contains(t, link.Text, publicURL+"/t/")
	assert.Equal(t, false, link.Log, "Plivo is asked not to log it")

	// The same text delivered again, and a follow-up without a code.
	require.Equal(t, http.StatusOK, c.text("uuid-1", "447700900123", "demo Someone keeps hitting me at the bus stop"))
	require.Equal(t, http.StatusOK, c.text("uuid-2", "447700900123", "It happened again today"))

	// An unknown code: one help text a day, nothing else.
	require.Equal(t, http.StatusOK, c.text("uuid-3", "447700900999", "NOSUCH hello"))
	require.Equal(t, http.StatusOK, c.text("uuid-4", "447700900999", "hello?"))
	eventually(t, "the help text", func() bool { return len(stand.Sent()) == 2 })

	// Refused, with nothing stored: no signature, a wrong one, a replayed nonce.
	form := url.Values{"MessageUUID": {"uuid-x"}, "From": {"447700900555"}, "To": {"447700900000"}, "Text": {"demo forged"}}
	assert.Equal(t, http.StatusForbidden, c.send(form, "plivo-token", "n-1", false))
	assert.Equal(t, http.StatusForbidden, c.send(form, "not-the-token", "n-2", true))
	require.Equal(t, http.StatusOK, c.send(url.Values{"MessageUUID": {"uuid-5"}, "From": {"447700900999"}, "Text": {"unknown again"}}, "plivo-token", "n-reused", true))
	assert.Equal(t, http.StatusForbidden, c.send(form, "plivo-token", "n-reused", true))

	// Staff hear of it by email, without the text.
	eventually(t, "the staff alerts", func() bool { return len(smtp.Messages()) >= 2 })
	var ref string
	for _, m := range smtp.Messages() {
		assert.NotContains(t, m.Data, "bus stop")
		assert.NotContains(t, m.Data, "447700900123")
		if found := regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(m.Data); found != "" {
			ref = found
		}
	}
	require.NotEmpty(t, ref, "the alert links to the report")

	// The demo admin signs in and replies; the texter gets the reply by
	// text, after the admin's first name.
	admin := signInDemoAdmin(t, in)
	require.Equal(t, http.StatusSeeOther, admin.post("/staff/interactions/"+ref+"/messages", url.Values{"message": {"Thank you for telling us. We will help."}}).StatusCode)
	eventually(t, "the reply by text", func() bool { return len(stand.Sent()) == 3 })
	reply := stand.Sent()[2]
	assert.Equal(t, "+447700900123", reply.Dst)
	assert.Equal(t, "Demo (school staff): Thank you for telling us. We will help.", reply.Text)

	// The metrics count what was sent and hold nothing personal.
	status, scraped := get(t, in.metricsURL+"/metrics")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, scraped, `whisper_delivery_attempts_total{kind="reporter_link",outcome="sent"} 1`)
	assert.Contains(t, scraped, "whisper_outbox_pending ")
	assert.Contains(t, scraped, `whisper_reports_total{channel="sms"} 1`)
	assert.Contains(t, scraped, `whisper_texts_received_total{outcome="helped"} 1`)
	assert.Contains(t, scraped, `whisper_http_request_duration_seconds_count{area="sms",status="2xx"}`)
	assert.NotContains(t, scraped, "/t/", "no path beyond its first segment")
	for _, secret := range []string{"447700900123", "447700900999", "bus stop", "We will help", "admin@demo", ref} {
		assert.NotContains(t, scraped, secret)
	}

	require.NoError(t, in.stop())
	assert.Len(t, stand.Sent(), 3, "one link, one help text, one reply: nothing more")
	logs := in.stderr.String()
	for _, secret := range []string{"447700900123", "447700900999", "bus stop", "happened again", link.Text[strings.Index(link.Text, "/t/")+3:]} {
		assert.NotContains(t, logs, secret, "the logs hold no number, text or token")
	}

	// What was stored: one interaction: the texter's two messages and the reply.
	require.NoError(t, openEmbedded(t, db).View(context.Background(), func(tx ports.Tx) error {
		list, err := tx.Interactions().List(context.Background(), ports.InteractionFilter{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, domain.ChannelSMS, list[0].Channel)
		msgs, err := tx.Messages().List(context.Background(), list[0].ID)
		require.NoError(t, err)
		assert.Len(t, msgs, 3)
		return nil
	}))
}

// TestATextReopensAClosedConversation: a texter whose conversation staff
// closed writes again without a code; the conversation opens again, as it
// does for a reply through the link, the text is kept, and staff are told
// as of any reply. Everything goes through the signed webhook, the Plivo
// stand-in and a real SMTP server.
func TestATextReopensAClosedConversation(t *testing.T) {
	stand := plivotest.Start(t, "MAID", "plivo-token")
	smtp := smtptest.Start(t, "", "")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}, withPlivo(stand, withSMTP(smtp, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL": "20ms",
	})))
	// The form offers the service's number beside its code.
	status, form := get(t, in.url+"/r/demo")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, form, "and your message to <strong>07700 900000</strong>")

	c := &carrier{t: t, url: in.url, token: "plivo-token"}
	require.Equal(t, http.StatusOK, c.text("uuid-1", "447700900123", "demo Someone keeps hitting me at the bus stop"))
	eventually(t, "the link text and the alert", func() bool { return len(stand.Sent()) == 1 && len(smtp.Messages()) >= 1 })
	ref := regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(smtp.Messages()[0].Data)
	require.NotEmpty(t, ref)
	alerts := len(smtp.Messages())

	admin := signInDemoAdmin(t, in)
	require.Equal(t, http.StatusSeeOther, admin.post("/staff/interactions/"+ref+"/status", url.Values{"status": {"closed"}}).StatusCode)
	assert.Contains(t, admin.get("/staff/interactions/"+ref), `value="open"`, "the page offers to reopen it: it is closed")

	require.Equal(t, http.StatusOK, c.text("uuid-2", "447700900123", "It started again today"))
	eventually(t, "the reply alert", func() bool { return len(smtp.Messages()) > alerts })
	alert := smtp.Messages()[alerts].Data
	assert.Contains(t, alert, "New reply in")
	assert.NotContains(t, alert, "started again")
	page := admin.get("/staff/interactions/" + ref)
	assert.Contains(t, page, "It started again today", "the text is kept")
	assert.Contains(t, page, `value="closed"`, "the page offers to close it again: it is open")
	assert.Len(t, stand.Sent(), 1, "no help text: the text reached the school")
}

// staffClient is a staff member signed in to the portal of a whisperd of
// the test.
type staffClient struct {
	t      *testing.T
	url    string
	client *http.Client
}

// signInDemoAdmin signs in the admin whisperd --demo printed.
func signInDemoAdmin(t *testing.T, in instance) *staffClient {
	t.Helper()
	password := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(in.stdout.String())
	require.NotNil(t, password)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	s := &staffClient{t: t, url: in.url, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	// The cookie is Secure for an https public_url; a test client talks
	// plain HTTP, so it carries the cookie by hand.
	login := s.post("/staff/login", url.Values{"email": {"admin@demo.whisper.test"}, "password": {password[1]}})
	require.Equal(t, http.StatusSeeOther, login.StatusCode)
	u, err := url.Parse(in.url)
	require.NoError(t, err)
	for _, c := range login.Cookies() {
		jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/"}})
	}
	return s
}

func (s *staffClient) post(path string, form url.Values) *http.Response {
	s.t.Helper()
	resp, err := s.client.PostForm(s.url+path, form)
	require.NoError(s.t, err)
	resp.Body.Close()
	return resp
}

func (s *staffClient) get(path string) string {
	s.t.Helper()
	resp, err := s.client.Get(s.url + path)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	require.Equal(s.t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return string(body)
}

// openEmbedded opens the embedded store a whisperd of the test left at db,
// with the key it made beside it, to see what was kept.
func openEmbedded(t *testing.T, db string) *store.Store {
	t.Helper()
	key, _, err := seal.LoadOrCreateKeyFile(db + ".key")
	require.NoError(t, err)
	keys, err := seal.New(key)
	require.NoError(t, err)
	st, err := store.Open(context.Background(), "sqlite:"+db, keys)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// withPlivo adds to vars what makes whisperd text through the stand-in
// Plivo: its driver, account and number, and the public URL its webhook
// signatures are checked against.
func withPlivo(stand *plivotest.Server, vars map[string]string) map[string]string {
	vars["WHISPER_PUBLIC_URL"] = publicURL
	vars["WHISPER_SMS_DRIVER"] = "plivo"
	vars["WHISPER_SMS_PLIVO_AUTH_ID"] = "MAID"
	vars["WHISPER_SMS_PLIVO_AUTH_TOKEN"] = "plivo-token"
	vars["WHISPER_SMS_PLIVO_NUMBER"] = "+447700900000"
	vars["WHISPER_SMS_PLIVO_API_URL"] = stand.URL()
	return vars
}

// withSMTP adds to vars what makes whisperd send mail through the test's
// SMTP server, in clear, from whisper@example.org.
func withSMTP(smtp *smtptest.Server, vars map[string]string) map[string]string {
	vars["WHISPER_MAIL_DRIVER"] = "smtp"
	vars["WHISPER_MAIL_FROM"] = "whisper@example.org"
	vars["WHISPER_MAIL_SMTP_HOST"] = smtp.Host()
	vars["WHISPER_MAIL_SMTP_PORT"] = strconv.Itoa(smtp.Port())
	vars["WHISPER_MAIL_SMTP_TLS"] = "none"
	return vars
}
