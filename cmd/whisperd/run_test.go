package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a buffer the server's goroutines may write while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is a whisperd started by a test.
type instance struct {
	url string
	// metricsURL is the operators' metrics listener, when metrics.listen
	// is set.
	metricsURL     string
	stdout, stderr *syncBuffer
	stop           func() error
}

func start(t *testing.T, args []string, vars map[string]string) instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr, metricsAddr := make(chan string, 1), make(chan string, 1)
	done := make(chan error, 1)
	in := instance{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() {
		done <- run(ctx, env{
			args: append([]string{"--listen", "127.0.0.1:0"}, args...), getenv: func(k string) string { return vars[k] },
			stdout: in.stdout, stderr: in.stderr, ready: func(a string) { addr <- a },
			metricsReady: func(a string) { metricsAddr <- a },
		})
	}()
	select {
	case a := <-addr:
		in.url = "http://" + a
		// The metrics listener, if any, is up before the server is ready.
		select {
		case m := <-metricsAddr:
			in.metricsURL = "http://" + m
		default:
		}
	case err := <-done:
		cancel()
		t.Fatalf("whisperd stopped before serving: %v\n%s", err, in.stderr)
	case <-time.After(2 * time.Minute):
		// A generous deadline, not a speed check: under -race on a busy
		// two-core machine, --demo's first start (migrations, a key, an
		// argon2 hash) has taken over 30 s.
		cancel()
		t.Fatalf("whisperd did not start\n%s", in.stderr)
	}
	var once sync.Once
	var stopErr error
	in.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() { in.stop() })
	return in
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestServesOnTheEmbeddedStoreAndStopsCleanly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--database-url", "sqlite:" + db}, nil)

	status, body := get(t, in.url+"/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)
	status, _ = get(t, in.url+"/readyz")
	assert.Equal(t, http.StatusOK, status)

	require.NoError(t, in.stop(), "a cancelled run is a clean stop")
	logs := in.stderr.String()
	assert.Contains(t, logs, "applied migration")
	assert.Contains(t, logs, "created a new data key")
	assert.Contains(t, logs, "stopped")
}

func TestDemoCreatesItsDataOnce(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")
	first := start(t, []string{"--demo", "--database-url", db}, map[string]string{"WHISPER_PUBLIC_URL": "https://demo.example.org"})
	require.NoError(t, first.stop())
	out := first.stdout.String()
	assert.Contains(t, out, "https://demo.example.org/r/DEMO")
	assert.Contains(t, out, "admin@demo.whisper.test")
	assert.Regexp(t, `password: [A-Z2-7]{16}`, out)

	second := start(t, []string{"--demo", "--database-url", db}, nil)
	require.NoError(t, second.stop())
	assert.Contains(t, second.stdout.String(), "nothing was created")
	assert.NotContains(t, second.stderr.String(), "applied migration", "the schema was already there")
}

func TestRefusesBadConfiguration(t *testing.T) {
	cases := map[string]struct {
		args []string
		vars map[string]string
		want string
	}{
		"unknown flag":            {[]string{"--frobnicate"}, nil, "frobnicate"},
		"stray argument":          {[]string{"serve"}, nil, "unexpected arguments"},
		"bad database URL":        {[]string{"--database-url", "mysql://x"}, nil, "database.url"},
		"postgres without key":    {nil, map[string]string{"WHISPER_DATABASE_URL": "postgres://postgres@127.0.0.1/x"}, "data_key"},
		"missing config file":     {[]string{"--config", "/nonexistent/whisper.yaml"}, nil, "whisper.yaml"},
		"bad limit in env":        {nil, map[string]string{"WHISPER_LIMITS_REPORTS_PER_IP": "-1"}, "limits.reports_per_ip"},
		"unusable listen address": {[]string{"--listen", "256.0.0.1:1"}, nil, "256.0.0.1"},
		"bad metrics address":     {nil, map[string]string{"WHISPER_METRICS_LISTEN": "9464"}, "metrics.listen"},
		"operator without email":  {nil, map[string]string{"WHISPER_OPERATOR_NAME": "Whisper Services Ltd"}, "operator.email is required"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			vars := map[string]string{"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}
			for k, v := range c.vars {
				vars[k] = v
			}
			err := run(context.Background(), env{
				args: c.args, getenv: func(k string) string { return vars[k] }, stdout: io.Discard, stderr: &stderr,
			})
			require.Error(t, err)
			assert.Contains(t, strings.ToLower(err.Error()+stderr.String()), strings.ToLower(c.want))
		})
	}
}

// anOldReport makes a report through the demo form of a first whisperd on
// the embedded database db, stops it, and moves the report back in time in
// the store: the next whisperd finds it due for erasure. It returns the
// report's conversation link.
func anOldReport(t *testing.T, db string) string {
	t.Helper()
	first := start(t, []string{"--demo", "--database-url", "sqlite:" + db}, nil)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, page := get(t, first.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	resp, err := client.PostForm(first.url+"/r/DEMO", url.Values{"message": {"an old worry"}, "category": {category[1]}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	link := resp.Header.Get("Location")
	require.NoError(t, first.stop())

	ageEverything(t, db, 3*365*24*time.Hour)
	return link
}

func TestTheSweepErasesWhatIsDue(t *testing.T) {
	db := filepath.Join(t.TempDir(), "whisper.db")
	link := anOldReport(t, db)
	second := start(t, []string{"--database-url", "sqlite:" + db}, map[string]string{"WHISPER_RETENTION_SWEEP_INTERVAL": "1h"})
	eventually(t, "the sweep", func() bool { return strings.Contains(second.stderr.String(), "retention sweep") })
	status, _ := get(t, second.url+link)
	assert.Equal(t, http.StatusNotFound, status, "the erased conversation's link opens nothing")
	require.NoError(t, second.stop())
	assert.Contains(t, second.stderr.String(), "erased=1")
}

func TestSetsASoftMemoryLimitUnlessGOMEMLIMITIsSet(t *testing.T) {
	for name, c := range map[string]struct {
		vars map[string]string
		want int64
	}{
		"the default budget": {nil, (64 + 32) << 20},
		"a budget of 40 MiB": {map[string]string{"WHISPER_SECURITY_PASSWORD_HASHING_MEMORY_MIB": "40"}, (40 + 32) << 20},
		"GOMEMLIMIT set":     {map[string]string{"GOMEMLIMIT": "200MiB"}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			var limit int64
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := run(ctx, env{
				args:   []string{"--listen", "127.0.0.1:0", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")},
				getenv: func(k string) string { return c.vars[k] }, stdout: io.Discard, stderr: io.Discard,
				ready:       func(string) { cancel() },
				limitMemory: func(bytes int64) int64 { limit = bytes; return 0 },
			})
			require.NoError(t, err)
			assert.Equal(t, c.want, limit)
		})
	}
}
