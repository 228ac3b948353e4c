package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

func randomKey() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return base64.StdEncoding.EncodeToString(key)
}

// eachDatabase runs fn with the URL of a new embedded and a new PostgreSQL
// database.
func eachDatabase(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "whisper.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.NewDatabase(t)) })
}

// TestWrongKeyRefusesToStart: a second start with another key stops at
// once, naming the problem in one line, instead of answering 500 to every
// report.
func TestWrongKeyRefusesToStart(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dbURL string) {
		first := start(t, nil, map[string]string{"WHISPER_DATABASE_URL": dbURL, "WHISPER_SECURITY_DATA_KEY": randomKey()})
		require.NoError(t, first.stop())

		var stderr syncBuffer
		err := run(context.Background(), env{args: []string{"--listen", "127.0.0.1:0"},
			getenv: vars{"WHISPER_DATABASE_URL": dbURL, "WHISPER_SECURITY_DATA_KEY": randomKey()}.get,
			stdout: &stderr, stderr: &stderr, ready: func(string) { t.Error("whisperd served with the wrong key") }})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the data key does not match this database")
		assert.NotContains(t, err.Error(), "\n")
	})
}

// openSQL opens the database behind whisperd's back.
func openSQL(t *testing.T, dbURL string) *sql.DB {
	driver, dsn := "pgx", dbURL
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		// whisperd writes too (its checkpoints): wait for it, as it does.
		driver, dsn = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestReadyzFailsWhenTheKeyStopsMatching: once the database records
// another key (a rotation this instance was not given the key for),
// /readyz says 503.
func TestReadyzFailsWhenTheKeyStopsMatching(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dbURL string) {
		in := start(t, nil, map[string]string{"WHISPER_DATABASE_URL": dbURL, "WHISPER_SECURITY_DATA_KEY": randomKey()})
		status, _ := get(t, in.url+"/readyz")
		require.Equal(t, http.StatusOK, status)
		_, err := openSQL(t, dbURL).Exec("UPDATE data_key SET fingerprint = '00000000000000000000000000000000'")
		require.NoError(t, err)
		status, _ = get(t, in.url+"/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, status)
	})
}

type vars map[string]string

func (v vars) get(k string) string { return v[k] }

func (v vars) list() []string {
	var out []string
	for k, val := range v {
		out = append(out, k+"="+val)
	}
	return out
}

func whisperctl(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	bin, err := buildCtl()
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestRotationWhileTakingReports follows docs/operations.md, "Rotating the
// data key": whisperd restarted with the new key and the old one beside
// it takes reports while `whisperctl key rotate` runs; afterwards whisperd
// with the new key alone shows every conversation, and the audit log
// verifies.
func TestRotationWhileTakingReports(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dbURL string) {
		old, next := randomKey(), randomKey()
		base := vars{"WHISPER_DATABASE_URL": dbURL, "WHISPER_LIMITS_REPORTS_PER_IP": "0", "WHISPER_LIMITS_REPORTS_PER_FORM": "0"}
		with := func(extra vars) []string {
			out := base.list()
			return append(out, extra.list()...)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var category string
		report := func(p *process, text string) (string, error) {
			resp, err := client.PostForm(p.url+"/r/DEMO", url.Values{"message": {text}, "category": {category}})
			if err != nil {
				return "", err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				return "", fmt.Errorf("status %d", resp.StatusCode)
			}
			return resp.Header.Get("Location"), nil
		}

		first := startProcess(t, with(vars{"WHISPER_SECURITY_DATA_KEY": old}), "--demo")
		_, page := get(t, first.url+"/r/DEMO")
		m := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
		require.NotNil(t, m)
		category = m[1]
		links := map[string]string{}
		for i := range 30 {
			text := fmt.Sprintf("before the rotation %d", i)
			link, err := report(first, text)
			require.NoError(t, err)
			links[link] = text
		}
		first.cmd.Process.Kill()
		first.cmd.Wait()

		// Every instance restarts with the new key and the old beside it.
		rotating := vars{"WHISPER_SECURITY_DATA_KEY": next, "WHISPER_SECURITY_OLD_DATA_KEYS": old}
		second := startProcess(t, with(rotating))
		keyFile := filepath.Join(t.TempDir(), "new.key")
		require.NoError(t, os.WriteFile(keyFile, []byte(next+"\n"), 0o600))

		var stop atomic.Bool
		var mu sync.Mutex
		var during int
		done := make(chan struct{})
		go func() {
			defer close(done)
			// A report every few milliseconds, hundreds a second: far
			// above any school's peak, yet with pauses. Without them, on
			// SQLite, whisperd's writers (each report, then its alert's
			// delivery) hand the one write lock from one to the next
			// inside the process, and whisperctl, another process, whose
			// wait for it polls, may not get it for minutes (SQLite's
			// lock is not fair; docs/operations.md says so).
			pace := time.NewTicker(5 * time.Millisecond)
			defer pace.Stop()
			for i := 0; !stop.Load(); i++ {
				<-pace.C
				text := fmt.Sprintf("during the rotation %d", i)
				link, err := report(second, text)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				links[link] = text
				during++
				mu.Unlock()
			}
		}()
		out, err := whisperctl(t, with(rotating), "key", "rotate", "--new-key-file", keyFile, "--reason", "yearly rotation")
		stop.Store(true)
		<-done
		require.NoError(t, err, out)
		assert.Contains(t, out, "Rotation done")
		second.cmd.Process.Kill()
		second.cmd.Wait()

		// The new key alone.
		alone := vars{"WHISPER_SECURITY_DATA_KEY": next}
		third := startProcess(t, with(alone))
		for link, text := range links {
			status, body := get(t, third.url+link)
			assert.Equal(t, http.StatusOK, status, link)
			assert.Contains(t, body, text)
		}
		out, err = whisperctl(t, with(alone), "audit", "verify")
		assert.NoError(t, err, out)
		out, err = whisperctl(t, with(alone), "key", "status")
		assert.NoError(t, err, out)
		assert.Contains(t, out, "Rotation done")
		t.Logf("%d reports taken during the rotation", during)
	})
}
