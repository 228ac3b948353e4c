package mail_test

import (
	"context"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	whispermail "github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

// eml reads the .eml files in dir, in the order their names sort.
func eml(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		require.True(t, strings.HasSuffix(e.Name(), ".eml"), "only whole emails in the folder: %s", e.Name())
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

func TestTheFileDriverWritesEachEmailWholeAndPrivately(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo", "mail")
	m, err := whispermail.NewFile(whispermail.FileConfig{Dir: dir, PublicURL: "http://localhost:8080"})
	require.NoError(t, err)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeDir|0o700, info.Mode(), "the folder is the machine owner's alone")

	first := delivery(domain.DeliveryReporterLink, "kid@example.org", "http://localhost:8080/t/SECRET", "")
	second := delivery(domain.DeliveryStaffInvite, "dsl@oakfield.example", "http://localhost:8080/staff/set-password/X", "Oakfield")
	second.ID = "dlv_bbbbbbbbbbbbbbbbbbbb"
	require.NoError(t, m.Send(context.Background(), first))
	require.NoError(t, m.Send(context.Background(), second))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), info.Mode(), e.Name())
		assert.Regexp(t, `^\d{8}T\d{6}\.\d{9}Z-dlv_[a-z]{20}\.eml$`, e.Name(), "named by time, so they sort in order")
	}
	got := eml(t, dir)
	msg, err := mail.ReadMessage(strings.NewReader(got[0]))
	require.NoError(t, err)
	assert.Equal(t, "<whisper@localhost>", msg.Header.Get("From"))
	assert.Equal(t, "<kid@example.org>", msg.Header.Get("To"))
	assert.Equal(t, "<dlv_aaaaaaaaaaaaaaaaaaaa@localhost>", msg.Header.Get("Message-ID"))
	assert.Contains(t, got[0], "http://localhost:8080/t/SECRET", "a newcomer follows the reporter's link from the file")
	assert.Contains(t, got[1], "http://localhost:8080/staff/set-password/X", "and opens the invitation")
}

// The file holds what SMTP would have carried: the same code builds both,
// so the headers match but for the date and the MIME boundary, which are
// new each time.
func TestTheFileDriverWritesWhatSMTPSends(t *testing.T) {
	srv := smtptest.Start(t, "", "")
	smtp, err := whispermail.NewSMTP(whispermail.Config{From: "whisper@example.org", Host: srv.Host(), Port: srv.Port(), TLS: "none",
		PublicURL: "https://whisper.example.org"})
	require.NoError(t, err)
	dir := t.TempDir()
	file, err := whispermail.NewFile(whispermail.FileConfig{Dir: dir, From: "whisper@example.org", PublicURL: "https://whisper.example.org"})
	require.NoError(t, err)
	d := delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example", "https://whisper.example.org/staff/interactions/WSP-1", "General (Oakfield)")
	require.NoError(t, smtp.Send(context.Background(), d))
	require.NoError(t, file.Send(context.Background(), d))

	sent := srv.Messages()
	require.Len(t, sent, 1)
	written := eml(t, dir)
	require.Len(t, written, 1)
	assert.Equal(t, headers(t, sent[0].Data), headers(t, written[0]))
}

var boundary = regexp.MustCompile(`boundary=\S+`)

func headers(t *testing.T, data string) map[string]string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	out := map[string]string{}
	for k, v := range msg.Header {
		if k != "Date" && !slices.Contains([]string{"Received", "Return-Path"}, k) {
			out[k] = boundary.ReplaceAllString(strings.Join(v, "\n"), "boundary=…")
		}
	}
	return out
}

func TestTheFileDriverNeedsAFolder(t *testing.T) {
	_, err := whispermail.NewFile(whispermail.FileConfig{})
	assert.Error(t, err)
	notDir := filepath.Join(t.TempDir(), "mail")
	require.NoError(t, os.WriteFile(notDir, nil, 0o600))
	_, err = whispermail.NewFile(whispermail.FileConfig{Dir: notDir})
	assert.ErrorContains(t, err, "mail.file.dir")
}
