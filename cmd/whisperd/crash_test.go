package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

// buildBinary compiles whisperd once for the tests that run it as a
// separate process.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "whisperd-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "whisperd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is whisperd running as its own process.
type process struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
}

// launch starts whisperd as a process without waiting for it, so that
// two can start at the same moment.
func launch(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	bin, err := buildBinary()
	require.NoError(t, err)
	port := freePort(t)
	p := &process{url: "http://127.0.0.1:" + strconv.Itoa(port), logs: &syncBuffer{}}
	p.cmd = exec.Command(bin, append([]string{"--listen", "127.0.0.1:" + strconv.Itoa(port)}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		if t.Failed() {
			t.Logf("whisperd said:\n%s", p.logs)
		}
	})
	return p
}

// startProcess starts whisperd as a process (launch) and waits until it
// answers /readyz.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := launch(t, env, args...)
	eventually(t, "whisperd to answer", func() bool {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestKilledMidLoadLosesNothing kills whisperd with SIGKILL while reports
// arrive, starts it again, and checks that every report that was answered
// 303 is there, and that every one's staff alert is delivered.
func TestKilledMidLoadLosesNothing(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "whisper.db")
		crashAndRecover(t, []string{"WHISPER_DATABASE_URL=sqlite:" + db})
		integrity := sqliteIntegrity(t, db)
		assert.Equal(t, "ok", integrity)
	})
	t.Run("postgres", func(t *testing.T) {
		crashAndRecover(t, []string{"WHISPER_DATABASE_URL=" + pgtest.NewDatabase(t),
			"WHISPER_SECURITY_DATA_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})
	})
}

func crashAndRecover(t *testing.T, env []string) {
	smtp := smtptest.Start(t, "", "")
	env = append(env, "WHISPER_MAIL_DRIVER=smtp", "WHISPER_MAIL_FROM=whisper@example.org",
		"WHISPER_MAIL_SMTP_HOST="+smtp.Host(), "WHISPER_MAIL_SMTP_PORT="+strconv.Itoa(smtp.Port()), "WHISPER_MAIL_SMTP_TLS=none",
		"WHISPER_OUTBOX_POLL_INTERVAL=50ms", "WHISPER_OUTBOX_RETRY_MIN=100ms", "WHISPER_OUTBOX_LEASE=2s", "WHISPER_LIMITS_REPORTS_PER_IP=0", "WHISPER_LIMITS_REPORTS_PER_FORM=0")
	first := startProcess(t, env, "--demo")
	_, page := get(t, first.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)

	// Reporters post until the server dies under them.
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var mu sync.Mutex
	acknowledged := map[string]string{} // token → marker
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for worker := range 8 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				marker := fmt.Sprintf("report-%d-%d", worker, n)
				resp, err := client.PostForm(first.url+"/r/DEMO", url.Values{"message": {marker}, "category": {category[1]}})
				if err != nil {
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusSeeOther {
					mu.Lock()
					acknowledged[strings.TrimPrefix(resp.Header.Get("Location"), "/t/")] = marker
					mu.Unlock()
				}
			}
		})
	}
	eventually(t, "some reports", func() bool { mu.Lock(); defer mu.Unlock(); return len(acknowledged) >= 50 })
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	first.cmd.Wait()
	close(stop)
	wg.Wait()

	second := startProcess(t, env)
	refs := map[string]bool{}
	for token, marker := range acknowledged {
		status, body := get(t, second.url+"/t/"+token)
		require.Equal(t, http.StatusOK, status, "an acknowledged report is there after the crash")
		require.Contains(t, body, marker)
		refs[regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(body)] = true
	}
	// Every acknowledged report's alert reaches the staff, at least once.
	eventually(t, "every alert", func() bool {
		seen := map[string]bool{}
		for _, m := range smtp.Messages() {
			seen[regexp.MustCompile(`WSP-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(m.Data)] = true
		}
		for ref := range refs {
			if !seen[ref] {
				return false
			}
		}
		return true
	})
	t.Logf("%d reports acknowledged before the kill, all present and alerted", len(acknowledged))
	require.NoError(t, second.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, second.cmd.Wait(), "a SIGTERM is a clean stop")
}

func sqliteIntegrity(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	var result string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&result))
	return result
}
