package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Targets for a new embedded store (docs/performance.md).
const (
	idleReadyTarget = 300 * time.Millisecond
	idleRSSTarget   = 40 << 20
)

// runIdle starts the real whisperd on a new, empty embedded store several
// times, and measures how long it takes from exec to the first 200 from
// /readyz, and how much memory it holds once it has been idle a while.
func runIdle(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	var (
		runs = fs.Int("runs", 10, "start whisperd this many times, each on a new store")
		idle = fs.Duration("idle", 5*time.Second, "how long whisperd idles before its RSS is read")
	)
	fs.Parse(args)
	bin, cleanup, err := buildWhisperd(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Printf("whisperd on a new, empty embedded store (no data key configured: it creates its key file), %d starts; RSS after %s idle\n\n", *runs, *idle)
	fmt.Println("start  ready     RSS after idle  peak RSS (VmHWM)")
	var ready []time.Duration
	var rss []int64
	for i := range *runs {
		r, m, hwm, err := idleOnce(ctx, bin, *idle)
		if err != nil {
			return fmt.Errorf("start %d: %w", i+1, err)
		}
		fmt.Printf("%5d  %-8s  %-14s  %s\n", i+1, fmtDur(r), fmtMiB(m), fmtMiB(hwm))
		ready, rss = append(ready, r), append(rss, m)
	}
	slices.Sort(ready)
	slices.Sort(rss)
	medReady, maxReady := ready[len(ready)/2], ready[len(ready)-1]
	medRSS, maxRSS := rss[len(rss)/2], rss[len(rss)-1]
	fmt.Println()
	fmt.Printf("ready: median %s, max %s (target < %s: %s)\n", fmtDur(medReady), fmtDur(maxReady), fmtDur(idleReadyTarget), verdict(maxReady < idleReadyTarget))
	fmt.Printf("idle RSS: median %s, max %s (target < %s: %s)\n", fmtMiB(medRSS), fmtMiB(maxRSS), fmtMiB(idleRSSTarget), verdict(maxRSS < idleRSSTarget))
	return nil
}

// idleOnce starts whisperd once on a new store and returns the time to
// ready, VmRSS after idling and VmHWM at the end.
func idleOnce(ctx context.Context, bin string, idle time.Duration) (ready time.Duration, rss, hwm int64, err error) {
	dir, err := os.MkdirTemp("", "whisper-idle-")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	w, err := startWhisperd(ctx, bin, dir, nil, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	defer w.stop()
	time.Sleep(idle)
	mem, err := w.memory()
	if err != nil {
		return 0, 0, 0, err
	}
	return w.ready, mem.rss, mem.hwm, nil
}

// verdict words whether a target was met.
func verdict(met bool) string {
	if met {
		return "MET"
	}
	return "MISSED"
}

func fmtMiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// launchWhisperd builds whisperd and starts it once, on a new embedded
// store in a temporary directory (see startWhisperd); stop ends it and
// removes what it made.
func launchWhisperd(ctx context.Context, extra, env []string, args ...string) (w *whisperd, stop func(), err error) {
	bin, cleanup, err := buildWhisperd(ctx)
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "whisper-loadtest-")
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	if w, err = startWhisperd(ctx, bin, dir, extra, env, args...); err != nil {
		os.RemoveAll(dir)
		cleanup()
		return nil, nil, err
	}
	return w, func() { w.stop(); os.RemoveAll(dir); cleanup() }, nil
}

// buildWhisperd compiles the real server into a temporary directory.
func buildWhisperd(ctx context.Context) (bin string, cleanup func(), err error) {
	return buildCommand(ctx, "whisperd")
}

// buildCommand compiles the real cmd/NAME (whisperd, whisperctl) into a
// temporary directory, from wherever in the module the tool runs.
func buildCommand(ctx context.Context, name string) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", name+"-bin-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, name)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/whisper-schools/whisper/cmd/"+name).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("go build %s: %v\n%s", name, err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// whisperd is the real server running as a child process, on an embedded
// store in its own directory.
type whisperd struct {
	cmd *exec.Cmd
	url string
	// ready is the time from exec to the first 200 from /readyz.
	ready          time.Duration
	stdout, stderr *syncBuffer
	done           chan error
}

// startWhisperd runs bin with a config file in dir naming a free port on
// 127.0.0.1 and the store dir/whisper.db, plus the YAML lines in extra,
// and waits for /readyz. Inherited WHISPER_* variables are dropped, so only
// the file configures it; env ("NAME=value") is added to the rest.
func startWhisperd(ctx context.Context, bin, dir string, extra, env []string, args ...string) (*whisperd, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(port)
	conf := append([]string{
		"listen: " + listen,
		"database:",
		"  url: sqlite:" + filepath.Join(dir, "whisper.db"),
		// The log drivers, as before --demo wrote to folders: a file per
		// email would add its own writes to what is measured.
		"mail:",
		"  driver: log",
		"sms:",
		"  driver: log",
	}, extra...)
	confPath := filepath.Join(dir, "whisper.yaml")
	if err := os.WriteFile(confPath, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	w := &whisperd{url: "http://" + listen, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	w.cmd = exec.Command(bin, append([]string{"--config", confPath}, args...)...)
	w.cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHISPER_") {
			w.cmd.Env = append(w.cmd.Env, kv)
		}
	}
	w.cmd.Env = append(w.cmd.Env, env...)
	w.cmd.Stdout, w.cmd.Stderr = w.stdout, w.stderr

	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { w.done <- w.cmd.Wait() }()
	// 30 s unless ctx allows longer: on a large dataset whisperd's first
	// retention round, before it serves, erases a day's due interactions.
	deadline := start.Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.After(deadline) {
		deadline = d
	}
	for {
		resp, err := client.Get(w.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				w.ready = time.Since(start)
				return w, nil
			}
		}
		select {
		case err := <-w.done:
			return nil, fmt.Errorf("whisperd exited before it was ready (%v):\n%s", err, w.stderr)
		case <-ctx.Done():
			w.stop()
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			w.stop()
			return nil, fmt.Errorf("whisperd not ready after %s:\n%s", time.Since(start).Round(time.Second), w.stderr)
		}
	}
}

// stop ends the child with SIGKILL: nothing it holds is needed afterwards.
func (w *whisperd) stop() {
	w.cmd.Process.Kill()
	<-w.done
	w.done <- nil // a second stop returns at once
}

// memStatus is the child's resident memory, from /proc/PID/status.
type memStatus struct {
	rss, hwm int64 // VmRSS and VmHWM, in bytes
	// anon and file split VmRSS: the process's own memory, and the pages
	// of files it maps (SQLite's mmap of the database) that it has read.
	anon, file int64
}

func (w *whisperd) memory() (memStatus, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return memStatus{}, err
	}
	var m memStatus
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			m.rss = n << 10
		case "VmHWM":
			m.hwm = n << 10
		case "RssAnon":
			m.anon = n << 10
		case "RssFile":
			m.file = n << 10
		}
	}
	if m.rss == 0 {
		return m, errors.New("no VmRSS in /proc/PID/status (Linux only)")
	}
	return m, nil
}

// resetPeak sets the child's VmHWM back to its current RSS (Linux ≥ 4.0),
// so that a later VmHWM is the peak since now.
func (w *whisperd) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", w.cmd.Process.Pid), []byte("5"), 0)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects a child's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fromAddress returns a client whose connections come from the loopback
// address src (any of 127.0.0.0/8 on Linux), so that one machine can play
// several clients' addresses to a server on 127.0.0.1. Redirects are not
// followed.
func fromAddress(src string, conns int) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		},
		Timeout: 60 * time.Second,
	}
}
