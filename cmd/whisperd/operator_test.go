package main

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The notice names the operator from the configuration; a demo without one
// names a clearly fictional one; a start without either warns.
func TestTheNoticeNamesTheConfiguredOperator(t *testing.T) {
	db := func() string { return "sqlite:" + filepath.Join(t.TempDir(), "whisper.db") }

	in := start(t, []string{"--database-url", db()}, map[string]string{
		"WHISPER_OPERATOR_NAME": "Whisper Services Ltd", "WHISPER_OPERATOR_EMAIL": "privacy@whisper.example",
		"WHISPER_OPERATOR_POSTAL_ADDRESS": "1 High Street, Exeter, EX1 1AA",
	})
	status, body := get(t, in.url+"/notice")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Whisper is run by Whisper Services Ltd.")
	assert.Contains(t, body, `<a href="mailto:privacy@whisper.example">privacy@whisper.example</a>`)
	assert.Contains(t, body, "1 High Street<br>Exeter<br>EX1 1AA")
	require.NoError(t, in.stop())
	assert.NotContains(t, in.stderr.String(), "operator.name and operator.email are not set")

	demo := start(t, []string{"--demo", "--database-url", db()}, nil)
	_, body = get(t, demo.url+"/notice?form=DEMO")
	assert.Contains(t, body, "Whisper is run by Demo Operator (fictional, for trying Whisper out).")
	assert.Contains(t, body, "privacy@demo-operator.example")
	require.NoError(t, demo.stop())
	assert.NotContains(t, demo.stderr.String(), "operator.name and operator.email are not set")

	bare := start(t, []string{"--database-url", db()}, nil)
	_, body = get(t, bare.url+"/notice")
	assert.Contains(t, body, "Ask your school how to reach them.")
	require.NoError(t, bare.stop())
	assert.Contains(t, bare.stderr.String(), "operator.name and operator.email are not set")
}
