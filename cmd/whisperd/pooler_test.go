package main

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

// TestTwoInstancesBehindAPooler runs two whisperd processes through
// PgBouncer in transaction mode (WHISPER_TEST_POOLER_URL), started at the
// same moment on an empty database: one migrates it while the other waits
// for the migration lock; both serve reports, each alert is sent exactly
// once, and both sweep every 100 ms, taking turns at the purge's lease.
// Stopped, they leave no lease behind, and neither logged an error.
func TestTwoInstancesBehindAPooler(t *testing.T) {
	db := pgtest.NewPoolerDatabase(t)
	smtp := smtptest.Start(t, "", "")
	env := []string{
		"WHISPER_DATABASE_URL=" + db,
		"WHISPER_SECURITY_DATA_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"WHISPER_MAIL_DRIVER=smtp", "WHISPER_MAIL_FROM=whisper@example.org", "WHISPER_MAIL_SMTP_HOST=" + smtp.Host(),
		"WHISPER_MAIL_SMTP_PORT=" + strconv.Itoa(smtp.Port()), "WHISPER_MAIL_SMTP_TLS=none",
		"WHISPER_OUTBOX_POLL_INTERVAL=20ms", "WHISPER_OUTBOX_LEASE=2s", "WHISPER_RETENTION_SWEEP_INTERVAL=100ms",
		"WHISPER_LIMITS_REPORTS_PER_IP=0", "WHISPER_LIMITS_REPORTS_PER_FORM=0",
	}
	a, b := launch(t, env, "--demo"), launch(t, env)
	waitReady(t, a)
	waitReady(t, b)

	_, page := get(t, a.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var refs []string
	for i := range 20 {
		base := []string{a.url, b.url}[i%2]
		resp, err := client.PostForm(base+"/r/DEMO", url.Values{"message": {"through the pooler"}, "category": {category[1]}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		// The reporter's page reads through View: a READ ONLY transaction.
		status, body := get(t, base+resp.Header.Get("Location"))
		require.Equal(t, http.StatusOK, status)
		refs = append(refs, refPattern.FindString(body))
	}
	alerts := func() map[string]int {
		seen := map[string]int{}
		for _, m := range smtp.Messages() {
			seen[refPattern.FindString(m.Data)]++
		}
		return seen
	}
	eventually(t, "every alert", func() bool { return len(alerts()) >= len(refs) })
	for _, ref := range refs {
		assert.Equal(t, 1, alerts()[ref], "alert for %s sent exactly once", ref)
	}

	for _, p := range []*process{a, b} {
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, p.cmd.Wait(), "a SIGTERM is a clean stop")
	}
	for name, p := range map[string]*process{"first": a, "second": b} {
		logs := p.logs.String()
		assert.NotContains(t, logs, "level=ERROR", "the %s instance logged an error", name)
		assert.Contains(t, logs, "listening", "the %s instance served", name)
	}
	pooled, err := sql.Open("pgx", db)
	require.NoError(t, err)
	defer pooled.Close()
	var leases int
	require.NoError(t, pooled.QueryRowContext(context.Background(), "SELECT count(*) FROM leases").Scan(&leases))
	assert.Zero(t, leases, "every lease was given up")
}

// waitReady waits for p to answer /readyz, with a deadline generous
// enough for migrating an empty database on a busy machine: not a speed
// check.
func waitReady(t *testing.T, p *process) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		// A whisperd that gave up says why on a line of its own.
		if time.Now().After(deadline) || strings.Contains(p.logs.String(), "\nwhisperd: ") {
			t.Fatalf("whisperd did not become ready\n%s", p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
