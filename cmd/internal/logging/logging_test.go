package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/cmd/internal/config"
)

func TestHandlerWritesTheFormatAtTheLevel(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Handler(&buf, config.Log{Format: "json", Level: "warn"}))
	log.Info("listening")
	log.Warn("operator not set", slog.String("kind", "notice"))
	line := strings.TrimSpace(buf.String())
	require.NotContains(t, line, "\n", "info is below warn")
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &m), line)
	assert.Equal(t, "WARN", m["level"])
	assert.Equal(t, "notice", m["kind"])

	buf.Reset()
	log = slog.New(Handler(&buf, config.Log{Format: "text", Level: "debug"}))
	log.Debug("text received")
	assert.Contains(t, buf.String(), `level=DEBUG msg="text received"`)
}
