package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
)

// whisperd, given a 550 for a reporter's address, fails that email at
// once, logs the server's answer without the address and counts it; the
// mail it does send says a machine wrote it and names no mail library.
func TestWhisperdFailsARefusedEmailAtOnceAndSaysWhy(t *testing.T) {
	smtp := smtptest.Start(t, "", "")
	smtp.Refuse("kim@example.org", 550, "5.1.1 <kim@example.org>: Recipient address rejected")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}, withSMTP(smtp, map[string]string{
		"WHISPER_OUTBOX_POLL_INTERVAL": "20ms",
		"WHISPER_METRICS_LISTEN":       "127.0.0.1:0",
	}))
	_, form := get(t, in.url+"/r/demo")
	category := regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(form)
	require.NotNil(t, category)
	resp, body := reporterPost(t, in, "/r/demo", url.Values{"message": {"Someone keeps taking my lunch money."},
		"email": {"kim@example.org"}, "category": {category[1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)

	logs := func() string { return in.stdout.String() + in.stderr.String() }
	eventually(t, "the refusal in the log", func() bool { return strings.Contains(logs(), "refused for good") })
	eventually(t, "the staff alert", func() bool { return len(smtp.Messages()) > 0 })
	out := logs()
	assert.Contains(t, out, "5.1.1 <redacted>: Recipient address rejected")
	assert.Regexp(t, `code=550|"code":550`, out)
	assert.NotContains(t, out, "kim@example.org")

	mresp, err := http.Get(in.metricsURL + "/metrics")
	require.NoError(t, err)
	defer mresp.Body.Close()
	metrics, err := io.ReadAll(mresp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(metrics), `whisper_outbox_failed_total{kind="reporter_link",reason="permanent"} 1`)

	for _, m := range smtp.Messages() {
		assert.NotEqual(t, []string{"kim@example.org"}, m.To)
		head, _, _ := strings.Cut(m.Data, "\r\n\r\n")
		assert.Contains(t, head, "Auto-Submitted: auto-generated\r\n")
		assert.Contains(t, head, "X-Auto-Response-Suppress: All\r\n")
		assert.NotContains(t, strings.ToLower(head), "x-mailer")
		assert.NotContains(t, strings.ToLower(head), "go-mail")
	}
}
