package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/cmd/internal/config"
)

// whisperdOutput runs the whisperd binary with args and the extra
// environment vars to its end and returns its stdout, stderr and exit code.
func whisperdOutput(t *testing.T, vars []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin, err := buildBinary()
	require.NoError(t, err)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), vars...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

// --help exits 0 and names every setting's environment variable, the
// _FILE twins, and where the reference is.
func TestHelpNamesEverySetting(t *testing.T) {
	for _, flag := range []string{"--help", "-h"} {
		out, errOut, code := whisperdOutput(t, nil, flag)
		require.Equal(t, 0, code, errOut)
		for _, want := range []string{"--config", "--database-url", "--listen", "--demo", "WHISPER_CONFIG", "_FILE",
			"README.md", `"Configuration"`} {
			assert.Contains(t, out, want, flag)
		}
		for _, key := range config.Keys() {
			env := config.EnvName(key)
			if config.IsSecret(key) {
				env += ", or " + env + "_FILE \\(secret\\)"
			}
			assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(key)+` +`+env+`$`, out, "%s names %s", flag, key)
		}
		assert.Contains(t, out, "WHISPER_SECURITY_DATA_KEY, or WHISPER_SECURITY_DATA_KEY_FILE (secret)")
	}
	_, errOut, code := whisperdOutput(t, nil, "--frobnicate")
	assert.Equal(t, 1, code)
	assert.Equal(t, "whisperd: flag provided but not defined: -frobnicate (whisperd --help lists the flags and settings)\n", errOut,
		"one line, not the whole help")
}

// logLines parses whisperd's output as JSON lines; every line must parse,
// except, with demo, the demo's note to the newcomer on standard output
// (startProcess merges the two streams).
func logLines(t *testing.T, out string, demo bool) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" || demo && !strings.HasPrefix(sc.Text(), "{") {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "not a JSON line: %s", sc.Text())
		lines = append(lines, m)
	}
	return lines
}

// stopProcess stops whisperd as an init system would and waits for it.
func stopProcess(t *testing.T, p *process) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.cmd.Wait(), "a SIGTERM is a clean stop")
}

func TestLogsAreJSONAtTheChosenLevel(t *testing.T) {
	levels := func(lines []map[string]any) map[string]int {
		seen := map[string]int{}
		for _, l := range lines {
			seen[l["level"].(string)]++
		}
		return seen
	}
	messages := func(lines []map[string]any) []string {
		var out []string
		for _, l := range lines {
			out = append(out, l["msg"].(string))
		}
		return out
	}

	db := filepath.Join(t.TempDir(), "whisper.db")
	info := startProcess(t, []string{"WHISPER_DATABASE_URL=sqlite:" + db, "WHISPER_LOG_FORMAT=json"})
	stopProcess(t, info)
	lines := logLines(t, info.logs.String(), false)
	assert.Contains(t, messages(lines), "starting whisperd")
	assert.Contains(t, messages(lines), "stopped")
	assert.Contains(t, messages(lines), "created a new data key beside the database; back it up apart from the database, since without it no report can be read")
	assert.Zero(t, levels(lines)["DEBUG"], "info is the default level")
	for _, l := range lines {
		if l["msg"] == "starting whisperd" {
			assert.IsType(t, map[string]any{}, l["config"], "the configuration is a JSON object, not a string")
		}
	}

	warn := startProcess(t, []string{"WHISPER_DATABASE_URL=sqlite:" + db, "WHISPER_LOG_FORMAT=json", "WHISPER_LOG_LEVEL=warn"})
	stopProcess(t, warn)
	lines = logLines(t, warn.logs.String(), false)
	require.NotEmpty(t, lines, "the missing operator is a warning")
	assert.Equal(t, map[string]int{"WARN": len(lines)}, levels(lines), "nothing below warn")

	_, errOut, code := whisperdOutput(t, []string{"WHISPER_LOG_LEVEL=verbose", "WHISPER_LOG_FORMAT=xml"}, "--database-url", "sqlite:"+db)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `log.level must be debug, info, warn or error, not "verbose"`)
	assert.Contains(t, errOut, `log.format must be text or json, not "xml"`)
}

// pendingAttempts reads from the metrics how many delivery attempts have
// failed and are to be retried.
func pendingAttempts(t *testing.T, metricsURL string) int {
	t.Helper()
	_, body := get(t, metricsURL+"/metrics")
	n := 0
	for _, m := range regexp.MustCompile(`(?m)^whisper_delivery_attempts_total\{[^}]*outcome="pending"[^}]*\} (\d+)$`).FindAllStringSubmatch(body, -1) {
		v, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		n += v
	}
	return n
}

// With the mail server down, the relay retries a staff alert many times;
// the log says so once, and then with a count, not once an attempt.
func TestARepeatingMailFailureIsLoggedWithACount(t *testing.T) {
	closed := freePort(t) // nothing listens there: every attempt is refused
	metricsPort := freePort(t)
	p := startProcess(t, []string{
		"WHISPER_DATABASE_URL=sqlite:" + filepath.Join(t.TempDir(), "whisper.db"),
		"WHISPER_LOG_FORMAT=json", "WHISPER_METRICS_LISTEN=127.0.0.1:" + strconv.Itoa(metricsPort),
		"WHISPER_MAIL_DRIVER=smtp", "WHISPER_MAIL_FROM=whisper@example.org", "WHISPER_MAIL_SMTP_TLS=none",
		"WHISPER_MAIL_SMTP_HOST=127.0.0.1", "WHISPER_MAIL_SMTP_PORT=" + strconv.Itoa(closed),
		"WHISPER_OUTBOX_POLL_INTERVAL=20ms", "WHISPER_OUTBOX_RETRY_MIN=50ms", "WHISPER_OUTBOX_RETRY_MAX=50ms",
		"WHISPER_OUTBOX_MAX_ATTEMPTS=100000",
	}, "--demo")
	metricsURL := "http://127.0.0.1:" + strconv.Itoa(metricsPort)
	_, page := get(t, p.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(p.url+"/r/DEMO", url.Values{"message": {"the lockers"}, "category": {category[1]}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	const failures = 30
	eventually(t, "the relay to fail again and again", func() bool { return pendingAttempts(t, metricsURL) >= failures })
	stopProcess(t, p)

	// Group the warnings and errors by message, a summary with the line
	// it stands for: the failure that repeated is the group with most.
	type group struct{ lines, total, summaries int }
	groups := map[string]*group{}
	for _, l := range logLines(t, p.logs.String(), true) {
		if l["level"] != "WARN" && l["level"] != "ERROR" {
			continue
		}
		msg, _, _ := strings.Cut(l["msg"].(string), " (repeated ")
		g := groups[msg]
		if g == nil {
			g = &group{}
			groups[msg] = g
		}
		g.lines++
		if c, ok := l["count"].(float64); ok {
			g.total += int(c)
			g.summaries++
			assert.Regexp(t, `\(repeated \d+ times? in the last minute\)$`, l["msg"])
		} else {
			g.total++
		}
	}
	var most string
	for msg, g := range groups {
		if most == "" || g.total > groups[most].total {
			most = msg
		}
	}
	require.NotEmpty(t, most, "the failures were logged")
	g := groups[most]
	t.Logf("%q: %d lines for %d failures", most, g.lines, g.total)
	assert.GreaterOrEqual(t, g.total, failures, "every failure is counted")
	assert.GreaterOrEqual(t, g.summaries, 1, "held-back repeats are counted when whisperd stops")
	// The first line, the summary written as whisperd stops, and one a
	// minute if this machine was slow enough for the test to take one.
	assert.LessOrEqual(t, g.lines, 4, "not a line a failure")
	assert.NotContains(t, p.logs.String(), "the lockers", "never the report's words")
}
