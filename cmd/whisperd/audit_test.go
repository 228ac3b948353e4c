package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whisperd logs the audit log's head at start, so that heads are kept
// outside the database without anyone running a command.
func TestWhisperdLogsTheAuditHead(t *testing.T) {
	db := filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + db}, nil)
	eventually(t, "the audit head", func() bool { return strings.Contains(in.stderr.String(), "audit head") })
	require.NoError(t, in.stop())
	line := regexp.MustCompile(`.*audit head.*`).FindString(in.stderr.String())
	// The sweep's first run came first and was audited.
	assert.Regexp(t, `seq=[1-9][0-9]* hash=[0-9a-f]{64}`, line)
}
