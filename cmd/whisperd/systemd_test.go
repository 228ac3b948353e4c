package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notifySocket listens as systemd does where NOTIFY_SOCKET will point, and
// passes on each notification that arrives.
func notifySocket(t *testing.T) (string, <-chan string) {
	t.Helper()
	// A socket's path is limited to 108 bytes: t.TempDir's, named after
	// the test, can be longer.
	dir, err := os.MkdirTemp("", "sd-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	notes := make(chan string, 10000)
	go func() {
		defer close(notes)
		buf := make([]byte, 4096)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				return
			}
			notes <- string(buf[:n])
		}
	}()
	return path, notes
}

// await reads notifications until one has the line want, and returns it
// with the ones before it. The wait is generous, not a speed check.
func await(t *testing.T, notes <-chan string, want string) (string, []string) {
	t.Helper()
	var before []string
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case n, ok := <-notes:
			require.True(t, ok, "the socket closed before %q", want)
			if hasLine(n, want) {
				return n, before
			}
			before = append(before, n)
		case <-deadline:
			t.Fatalf("no %q; got %q", want, before)
		}
	}
}

// hasLine reports whether the notification n has the line want.
func hasLine(n, want string) bool {
	for line := range strings.SplitSeq(n, "\n") {
		if line == want {
			return true
		}
	}
	return false
}

// whisperd run by systemd as a Type=notify service: READY=1 once it serves
// (after the migrations), WATCHDOG=1 again and again while the database
// answers, STOPPING=1 on SIGTERM.
func TestTellsSystemdItIsReadyAliveAndStopping(t *testing.T) {
	sock, notes := notifySocket(t)
	db := filepath.Join(t.TempDir(), "whisper.db")
	p := launch(t, []string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=1000000", "WHISPER_DATABASE_URL=sqlite:" + db})

	ready, before := await(t, notes, "READY=1")
	assert.Empty(t, before, "nothing before READY=1, the watchdog included")
	assert.Contains(t, ready, "STATUS=Serving on "+strings.TrimPrefix(p.url, "http://"))
	// By READY=1 the server answers. Its log lines say the migrations ran
	// before it listened; they come through a pipe, which may lag behind
	// the notification, so they are waited for.
	status, body := get(t, p.url+"/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)
	require.Eventually(t, func() bool { return strings.Contains(p.logs.String(), "listening") }, time.Minute, 10*time.Millisecond)
	logs := p.logs.String()
	assert.Less(t, strings.Index(logs, "applied migration"), strings.Index(logs, "listening"), "migrations before listening")
	assert.GreaterOrEqual(t, strings.Index(logs, "applied migration"), 0)

	for range 3 {
		await(t, notes, "WATCHDOG=1")
	}

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	stopping, _ := await(t, notes, "STOPPING=1")
	assert.Contains(t, stopping, "STATUS=Stopping")
	require.NoError(t, p.cmd.Wait(), "a SIGTERM is a clean stop")
	assert.NotContains(t, p.logs.String(), "could not notify systemd")
}

// A NOTIFY_SOCKET that nothing listens on is logged once and stops
// nothing.
func TestServesWhenSystemdCannotBeReached(t *testing.T) {
	dir, err := os.MkdirTemp("", "sd-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(t.TempDir(), "whisper.db")
	p := startProcess(t, []string{"NOTIFY_SOCKET=" + filepath.Join(dir, "nothing-here"), "WATCHDOG_USEC=200000",
		"WHISPER_DATABASE_URL=sqlite:" + db})
	status, _ := get(t, p.url+"/readyz")
	assert.Equal(t, http.StatusOK, status)
	eventually(t, "the failure logged", func() bool { return strings.Contains(p.logs.String(), "could not notify systemd") })
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.cmd.Wait())
	assert.Equal(t, 1, strings.Count(p.logs.String(), "could not notify systemd"), "logged once, not at every tick")
}

// recorder collects notifications in place of the socket.
type recorder struct {
	mu    sync.Mutex
	notes []string
	// seen gets each notification as it is sent.
	seen chan string
}

func newRecorder() *recorder { return &recorder{seen: make(chan string, 10000)} }

func (r *recorder) notify(state string) error {
	r.mu.Lock()
	r.notes = append(r.notes, state)
	r.mu.Unlock()
	r.seen <- state
	return nil
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.notes...)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Without NOTIFY_SOCKET nothing is sent, whatever else is set.
func TestNoNotifySocketSendsNothing(t *testing.T) {
	r := newRecorder()
	sd := newSystemd(env{getenv: vars{"WATCHDOG_USEC": "1000"}.get, notify: r.notify}, quietLog())
	sd.ready("127.0.0.1:8080")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sd.watch(ctx, func(context.Context) error { return nil })
	sd.stop()
	assert.Empty(t, r.all())
}

// watchWith runs the watchdog over probe with a 40 ms interval until it
// has sent a notification with the line want, then stops it and returns
// everything it sent.
func watchWith(t *testing.T, patience time.Duration, probe func(context.Context) error, want string) []string {
	t.Helper()
	r := newRecorder()
	sd := newSystemd(env{getenv: vars{"NOTIFY_SOCKET": "@test", "WATCHDOG_USEC": "40000"}.get, notify: r.notify}, quietLog())
	sd.patience = patience
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sd.watch(ctx, probe); close(done) }()
	await(t, r.seen, want)
	cancel()
	<-done
	return r.all()
}

// A database that answers, even with an error, keeps the watchdog fed: a
// restart would not mend it, and /readyz already says not ready.
func TestTheWatchdogIsFedWhileTheDatabaseAnswers(t *testing.T) {
	refused := errors.New("connection refused")
	sent := watchWith(t, 0, func(context.Context) error { return refused }, "STATUS=Serving; the database answers with an error")
	var fed []string
	for _, n := range sent {
		if n == "WATCHDOG=1" {
			fed = append(fed, n)
		}
	}
	assert.NotEmpty(t, fed, "%q", sent)
	assert.Equal(t, "STOPPING=1\nSTATUS=Stopping", sent[len(sent)-1])
}

// A database that does not answer at all within the bound, for the whole
// patience, starves the watchdog, so that systemd restarts whisperd.
func TestTheWatchdogStarvesWhenTheDatabaseNeverAnswers(t *testing.T) {
	hangs := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	sent := watchWith(t, 0, hangs, "STATUS=The database has not answered for 0s; waiting for the watchdog to restart whisperd")
	assert.NotContains(t, sent, "WATCHDOG=1")
	assert.Equal(t, "STOPPING=1\nSTATUS=Stopping", sent[len(sent)-1])
}

// A long step of the start asks systemd to wait longer, again and again,
// while the database answers (with an error too: it is there), and says
// what it is doing.
func TestALongStartAsksSystemdToWaitWhileTheDatabaseAnswers(t *testing.T) {
	r := newRecorder()
	sd := newSystemd(env{getenv: vars{"NOTIFY_SOCKET": "@test"}.get, notify: r.notify}, quietLog())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	answers := 0
	go func() {
		defer close(done)
		sd.extendWhileAnswering(ctx, "Applying migrations", func(context.Context) error {
			answers++
			if answers%2 == 0 {
				return errors.New("relation \"keys\" does not exist")
			}
			return nil
		}, 30*time.Millisecond)
	}()
	for range 3 {
		await(t, r.seen, "EXTEND_TIMEOUT_USEC=30000")
	}
	cancel()
	<-done
	for _, n := range r.all() {
		assert.Equal(t, "EXTEND_TIMEOUT_USEC=30000\nSTATUS=Applying migrations", n)
	}
}

// A start stuck on a database that does not answer is not extended: the
// unit's TimeoutStartSec= ends it.
func TestAStartOnASilentDatabaseIsNotExtended(t *testing.T) {
	r := newRecorder()
	sd := newSystemd(env{getenv: vars{"NOTIFY_SOCKET": "@test"}.get, notify: r.notify}, quietLog())
	ctx, cancel := context.WithCancel(context.Background())
	probed := make(chan struct{}, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sd.extendWhileAnswering(ctx, "Running the first retention round", func(ctx context.Context) error {
			<-ctx.Done()
			probed <- struct{}{}
			return ctx.Err()
		}, 30*time.Millisecond)
	}()
	for range 3 {
		<-probed
	}
	cancel()
	<-done
	assert.Empty(t, r.all())
}

// Without NOTIFY_SOCKET the start asks nothing, and ending it returns.
func TestAStartWithoutSystemdAsksNothing(t *testing.T) {
	r := newRecorder()
	sd := newSystemd(env{getenv: vars{}.get, notify: r.notify}, quietLog())
	sd.extendStart(context.Background(), "Applying migrations", func(context.Context) error { return nil })()
	assert.Empty(t, r.all())
}

// The watchdog's judgement over time: only silence that lasts the whole
// patience is wedged, and any answer ends it.
func TestHealthNeedsSilenceForTheWholePatience(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	refused := errors.New("connection refused")
	steps := []struct {
		at       time.Duration
		err      error
		timedOut bool
		want     healthState
	}{
		{0, nil, false, stateAnswering},
		{15 * time.Second, refused, false, stateDatabaseError},
		{30 * time.Second, context.DeadlineExceeded, true, stateSilent},
		{2 * time.Minute, context.DeadlineExceeded, true, stateSilent},
		{2*time.Minute + 15*time.Second, nil, false, stateAnswering},
		{3 * time.Minute, context.DeadlineExceeded, true, stateSilent},
		{4 * time.Minute, refused, false, stateDatabaseError},
		{5 * time.Minute, context.DeadlineExceeded, true, stateSilent},
		{6*time.Minute + 59*time.Second, context.DeadlineExceeded, true, stateSilent},
		{7 * time.Minute, context.DeadlineExceeded, true, stateWedged},
		{8 * time.Minute, context.DeadlineExceeded, true, stateWedged},
	}
	h := health{patience: 2 * time.Minute}
	for _, s := range steps {
		h.observe(t0.Add(s.at), s.err, s.timedOut)
		assert.Equal(t, s.want, h.state, "at %s", s.at)
	}
}

func TestWatchdogInterval(t *testing.T) {
	cases := map[string]struct {
		vars vars
		want time.Duration
		err  bool
	}{
		"none":               {vars{}, 0, false},
		"thirty seconds":     {vars{"WATCHDOG_USEC": "30000000"}, 30 * time.Second, false},
		"for this process":   {vars{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"}, 30 * time.Second, false},
		"for another":        {vars{"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "43"}, 0, false},
		"not a number":       {vars{"WATCHDOG_USEC": "30s"}, 0, true},
		"not positive":       {vars{"WATCHDOG_USEC": "0"}, 0, true},
		"negative":           {vars{"WATCHDOG_USEC": "-5"}, 0, true},
		"microseconds exact": {vars{"WATCHDOG_USEC": "1500"}, 1500 * time.Microsecond, false},
	}
	for name, c := range cases {
		got, err := watchdogInterval(c.vars.get, 42)
		if c.err {
			assert.Error(t, err, name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, c.want, got, name)
	}
}
