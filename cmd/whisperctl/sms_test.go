package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type receivedOut struct {
	Outcome string
	Ref     string
	Replies []struct{ ID, Kind, To, Text string }
	Folder  string
}

// whisperctl sms receive hands a text in as Plivo's webhook would: the
// first opens a report the organisation sees, the next continues it, and
// the link texted back is printed.
func TestSMSReceiveOpensAndContinuesAReport(t *testing.T) {
	eachStore(t, func(t *testing.T, c operator) {
		s := c.school()
		var opened receivedOut
		c.ok(&opened, "sms", "receive", "--from", "07700 900123", "--text", "oak1 Someone is posting photos of me")
		assert.Equal(t, "opened", opened.Outcome)
		assert.Regexp(t, `^WSP-`, opened.Ref)
		require.Len(t, opened.Replies, 1)
		assert.Equal(t, "reporter_link", opened.Replies[0].Kind)
		assert.Equal(t, "+447700900123", opened.Replies[0].To)
		assert.Contains(t, opened.Replies[0].Text, "https://whisper.example.org/t/", "the reporter's link, to follow")
		assert.Empty(t, opened.Folder, "whisperd sends them as its configuration says")

		var cont receivedOut
		c.ok(&cont, "sms", "receive", "--from", "+447700900123", "--text", "It started last week")
		assert.Equal(t, "continued", cont.Outcome)
		assert.Equal(t, opened.Ref, cont.Ref)
		assert.Empty(t, cont.Replies)

		// What the organisation's staff see.
		var rows []struct {
			Ref      string
			Messages []struct{ Text string }
		}
		c.ok(&rows, "export", "--org", s.OrgID)
		require.Len(t, rows, 1)
		assert.Equal(t, opened.Ref, rows[0].Ref)
		require.Len(t, rows[0].Messages, 2)
		assert.Equal(t, "Someone is posting photos of me", rows[0].Messages[0].Text)
		assert.Equal(t, "It started last week", rows[0].Messages[1].Text)

		text := c.run("", "sms", "receive", "--from", "+447700900999", "--text", "hello?")
		require.Equal(t, 0, text.code, text.stderr)
		assert.Contains(t, text.stdout, "Ignored: no form has that code")
		assert.Contains(t, text.stdout, "to +447700900999: ")

		audit := c.run("", "audit", "list")
		require.Equal(t, 0, audit.code, audit.stderr)
		assert.Equal(t, 3, strings.Count(audit.stdout, "sms.receive"), audit.stdout)
		assert.NotContains(t, audit.stdout, "900123", "the number stays out of the audit log")
		assert.NotContains(t, audit.stdout, "photos")

		assert.Contains(t, c.fails(exitUsage, "sms", "receive", "--from", "+447700900123"), "--text is required")
		assert.Contains(t, c.fails(exitInvalid, "sms", "receive", "--from", "nobody", "--text", "oak1 hi"), "whisperctl: ")
	})
}

// With sms.driver file, the printout says where whisperd writes the texts.
func TestSMSReceiveNamesTheTextFolder(t *testing.T) {
	dir := t.TempDir()
	c := operator{t: t, env: map[string]string{
		"WHISPER_DATABASE_URL": "sqlite:" + filepath.Join(dir, "whisper.db"), "WHISPER_SMS_DRIVER": "file",
	}}
	c.school()
	out := c.run("", "sms", "receive", "--from", "+447700900123", "--text", "OAK1 help")
	require.Equal(t, 0, out.code, out.stderr)
	assert.Contains(t, out.stdout, "A new report was opened: WSP-")
	assert.Contains(t, out.stdout, "whisperd writes them to "+filepath.Join(dir, "sms"))
	_, err := os.Stat(filepath.Join(dir, "sms"))
	assert.ErrorIs(t, err, os.ErrNotExist, "whisperctl sends nothing itself: whisperd's relay writes the files")
}
