package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whisperctl's own diagnostics (here: the new key file beside a new
// database) follow log.format and log.level, on stderr, apart from its
// results on stdout.
func TestWhisperctlDiagnosticsFollowTheLogSettings(t *testing.T) {
	c := operator{t: t, env: map[string]string{
		"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "whisper.db"),
		"WHISPER_LOG_FORMAT":   "json",
	}}
	r := c.run("", "db", "migrate", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	require.Len(t, lines, 1, r.stderr)
	var line map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &line), lines[0])
	assert.Equal(t, "WARN", line["level"])
	assert.Contains(t, line["msg"], "created a new data key")
	assert.True(t, json.Valid([]byte(r.stdout)), "the result stays on stdout: %s", r.stdout)

	quiet := operator{t: t, env: map[string]string{
		"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "whisper.db"),
		"WHISPER_LOG_LEVEL":    "error",
	}}
	r = quiet.run("", "db", "migrate")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr, "a warning is below error")

	delete(quiet.env, "WHISPER_LOG_LEVEL") // it would override the file
	assert.Contains(t, quiet.fails(exitUsage, "--json", "org", "list", "--config", writeConfig(t, "log:\n  level: loud\n")),
		`log.level must be debug, info, warn or error, not "loud"`)
}

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "whisper.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}
