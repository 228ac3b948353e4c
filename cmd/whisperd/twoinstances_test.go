package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

var refPattern = regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// TestTwoInstancesOnOnePostgres runs two whisperd processes on one
// database: reports go to either, each alert is sent exactly once while
// both are healthy, a session opened on one works on the other, and when
// one is killed the other delivers what it had claimed.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	smtp := smtptest.Start(t, "", "")
	env := []string{
		"WHISPER_DATABASE_URL=" + pgtest.NewDatabase(t),
		"WHISPER_SECURITY_DATA_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"WHISPER_MAIL_DRIVER=smtp", "WHISPER_MAIL_FROM=whisper@example.org", "WHISPER_MAIL_SMTP_HOST=" + smtp.Host(),
		"WHISPER_MAIL_SMTP_PORT=" + strconv.Itoa(smtp.Port()), "WHISPER_MAIL_SMTP_TLS=none",
		"WHISPER_OUTBOX_POLL_INTERVAL=20ms", "WHISPER_OUTBOX_LEASE=2s",
		"WHISPER_LIMITS_REPORTS_PER_IP=0", "WHISPER_LIMITS_REPORTS_PER_FORM=0",
	}
	a := startProcess(t, env, "--demo")
	b := startProcess(t, env)
	_, page := get(t, a.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	report := func(base string) string {
		resp, err := client.PostForm(base+"/r/DEMO", url.Values{"message": {"two instances"}, "category": {category[1]}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		_, body := get(t, base+resp.Header.Get("Location"))
		return refPattern.FindString(body)
	}
	alerts := func() map[string]int {
		seen := map[string]int{}
		for _, m := range smtp.Messages() {
			seen[refPattern.FindString(m.Data)]++
		}
		return seen
	}

	var refs []string
	for i := range 40 {
		refs = append(refs, report([]string{a.url, b.url}[i%2]))
	}
	eventually(t, "every alert", func() bool { return len(alerts()) >= len(refs) })
	for _, ref := range refs {
		assert.Equal(t, 1, alerts()[ref], "alert for %s sent exactly once", ref)
	}

	// A session opened on A works on B.
	password := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(a.logs.String())
	require.NotNil(t, password)
	resp, err := client.PostForm(a.url+"/staff/login", url.Values{"email": {"admin@demo.whisper.test"}, "password": {password[1]}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	req, _ := http.NewRequest(http.MethodGet, b.url+"/staff/", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	list, err := client.Do(req)
	require.NoError(t, err)
	list.Body.Close()
	assert.Equal(t, http.StatusOK, list.StatusCode, "B knows A's session")

	// A dies right after taking reports; B delivers what A had claimed,
	// once the lease runs out.
	var late []string
	for range 10 {
		late = append(late, report(a.url))
	}
	require.NoError(t, a.cmd.Process.Signal(syscall.SIGKILL))
	a.cmd.Wait()
	eventually(t, "the dead instance's alerts", func() bool {
		seen := alerts()
		for _, ref := range late {
			if seen[ref] == 0 {
				return false
			}
		}
		return true
	})
}
