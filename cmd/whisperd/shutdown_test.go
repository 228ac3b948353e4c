package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSIGTERMUnderLoad stops whisperd while reports arrive: requests in
// flight complete, none fails with a server error, and the process exits
// 0 within its ten-second grace.
func TestSIGTERMUnderLoad(t *testing.T) {
	db := filepath.Join(t.TempDir(), "whisper.db")
	p := startProcess(t, []string{"WHISPER_DATABASE_URL=sqlite:" + db, "WHISPER_LIMITS_REPORTS_PER_IP=0", "WHISPER_LIMITS_REPORTS_PER_FORM=0"}, "--demo")
	_, page := get(t, p.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)

	client := &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var ok, serverErrors atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.PostForm(p.url+"/r/DEMO", url.Values{"message": {"report during shutdown"}, "category": {category[1]}})
				if err != nil {
					continue // refused once the listener has closed: never acknowledged
				}
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusSeeOther:
					ok.Add(1)
				case resp.StatusCode >= 500:
					serverErrors.Add(1)
				}
			}
		})
	}
	eventually(t, "load", func() bool { return ok.Load() >= 30 })
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	// whisperd gives requests in flight ten seconds and exits non-zero if
	// they need longer, so a clean exit is the deadline kept.
	err := p.cmd.Wait()
	close(stop)
	wg.Wait()
	require.NoError(t, err, "exit status 0")
	assert.Zero(t, serverErrors.Load(), "no request in flight failed")
	assert.Contains(t, p.logs.String(), "stopped")
}
