package main

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// currentKey is the base64 data key the operator's commands use: the
// configured one, or on the embedded store the key file beside it.
func (c operator) currentKey() string {
	c.t.Helper()
	if k := c.env["WHISPER_SECURITY_DATA_KEY"]; k != "" {
		return k
	}
	b, err := os.ReadFile(strings.TrimPrefix(c.env["WHISPER_DATABASE_URL"], "sqlite:") + ".key")
	require.NoError(c.t, err)
	return strings.TrimSpace(string(b))
}

func newKey() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return base64.StdEncoding.EncodeToString(key)
}

// With a key that is not the database's, every command that opens the
// store stops with one clear line and a non-zero code; none says "found 0".
func TestWrongKeyFailsEveryCommand(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		c.reporters(s.Code).report("Jo", pupilEmail, pupilIP, "Please help.")
		c.env["WHISPER_SECURITY_DATA_KEY"] = newKey()
		for _, args := range [][]string{
			{"dsar", "--reason", "subject access request", "--email", pupilEmail},
			{"org", "list"},
			{"audit", "verify"},
			{"key", "status"},
			{"db", "migrate"},
		} {
			msg := c.fails(exitInvalid, args...)
			assert.Contains(t, msg, "the data key does not match this database", args)
		}
	})
}

type keyStatusJSON struct {
	Current string   `json:"current"`
	Retired []string `json:"retired"`
	Done    bool     `json:"done"`
	Tables  []struct {
		Table    string `json:"table"`
		Done     int64  `json:"done"`
		Total    int64  `json:"total"`
		Finished bool   `json:"finished"`
	} `json:"tables"`
}

// The documented rotation: the new key configured with the old one beside
// it, `key rotate`, then the new key alone reads and finds everything, and
// the audit log, kept under its own key, still verifies.
func TestKeyRotation(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		c.auditActs(s)
		ref := string(c.reporters(s.Code).report("Jo", pupilEmail, pupilIP, "Please help."))
		var head struct{}
		c.ok(&head, "audit", "verify")

		old, next := c.currentKey(), newKey()
		file := filepath.Join(t.TempDir(), "new.key")
		require.NoError(t, os.WriteFile(file, []byte(next+"\n"), 0o600))
		c.env["WHISPER_SECURITY_DATA_KEY"] = next
		c.env["WHISPER_SECURITY_OLD_DATA_KEYS"] = old
		assert.Equal(t, []string{ref}, c.refsOf("--email", pupilEmail), "found while the rotation is prepared")

		c.fails(exitUsage, "key", "rotate", "--new-key-file", file)
		var st keyStatusJSON
		c.ok(&st, "key", "rotate", "--new-key-file", file, "--reason", "yearly rotation")
		assert.True(t, st.Done)
		assert.Len(t, st.Retired, 1)
		assert.NotEmpty(t, st.Tables)
		for _, tb := range st.Tables {
			assert.True(t, tb.Finished, tb.Table)
			assert.Equal(t, tb.Total, tb.Done, tb.Table)
		}

		delete(c.env, "WHISPER_SECURITY_OLD_DATA_KEYS")
		c.ok(&st, "key", "status")
		assert.True(t, st.Done)
		assert.Equal(t, []string{ref}, c.refsOf("--email", pupilEmail), "found under the new key alone")
		c.ok(&head, "audit", "verify")
		acts := actions(c.wholeAuditLog())
		assert.Contains(t, acts, "key.rotate")
		assert.Contains(t, acts, "key.rotated")

		c.env["WHISPER_SECURITY_DATA_KEY"] = old
		assert.Contains(t, c.fails(exitInvalid, "org", "list"), "the data key does not match this database")
	})
}
