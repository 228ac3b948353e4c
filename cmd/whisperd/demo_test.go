package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

// folder returns the contents of the files in dir, in name order (which is
// the order they were written), skipping none.
func folder(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

// A newcomer runs whisperd --demo, texts it with whisperctl, and follows
// what lands in the folders: the reporter's link from the text, the
// report from the staff alert. A second start says how to sign in again.
func TestTheDemoWritesMailAndTextsToFolders(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "whisper.db")
	mailDir, smsDir := filepath.Join(dir, "mail"), filepath.Join(dir, "sms")
	first := startProcess(t, nil, "--demo", "--database-url", "sqlite:"+db)
	eventually(t, "the banner", func() bool { return strings.Contains(first.logs.String(), "Text the demo") })
	banner := first.logs.String()
	assert.Contains(t, banner, "Mail:  written to "+mailDir+" (file driver)")
	assert.Contains(t, banner, "Texts: written to "+smsDir+" (file driver)")
	command := regexp.MustCompile(`\n +(WHISPER_PUBLIC_URL=\S+ whisperctl sms receive .*)\n`).FindStringSubmatch(banner)
	require.NotNil(t, command, "the banner shows how to text the demo")
	assert.Equal(t, "WHISPER_PUBLIC_URL="+first.url+" whisperctl sms receive --database-url sqlite:"+db+
		` --from 07700900123 --text "DEMO I need to talk to someone"`, command[1])
	for _, d := range []string{mailDir, smsDir} {
		info, err := os.Stat(d)
		require.NoError(t, err)
		assert.Equal(t, os.ModeDir|0o700, info.Mode(), d)
	}

	ctl, err := buildCtl()
	require.NoError(t, err)
	cmd := exec.Command(ctl, "sms", "receive", "--database-url", "sqlite:"+db, "--from", "07700900123", "--text", "DEMO I need to talk to someone")
	// As the banner says: whisperctl's links name whisperd's address.
	cmd.Env = append(os.Environ(), "WHISPER_PUBLIC_URL="+first.url)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	ref := regexp.MustCompile(`A new report was opened: (WSP-[0-9A-Z]{4}-[0-9A-Z]{4})\.`).FindStringSubmatch(string(out))
	require.NotNil(t, ref, "%s", out)
	assert.Contains(t, string(out), "whisperd sends them")

	// The reporter's link, texted back, is in the sms folder, and works.
	eventually(t, "the text back in the folder", func() bool { return len(folder(t, smsDir)) == 1 })
	text := folder(t, smsDir)[0]
	assert.Contains(t, text, "To: +447700900123\n")
	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/t/\S+`).FindString(text)
	require.NotEmpty(t, link, text)
	status, page := get(t, link)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "I need to talk to someone")

	// The admin's alert is in the mail folder as a whole email, linking to
	// the report, which the admin then sees.
	eventually(t, "the alert in the folder", func() bool { return len(folder(t, mailDir)) == 1 })
	alert := folder(t, mailDir)[0]
	assert.Contains(t, alert, "To: <admin@demo.whisper.test>")
	assert.Contains(t, alert, "Message-ID: <dlv_")
	assert.Contains(t, alert, first.url+"/staff/interactions/"+ref[1])
	admin := signInDemoAdmin(t, instance{url: first.url, stdout: first.logs})
	assert.Contains(t, admin.get("/staff/"), ref[1])
	for _, f := range append(folder(t, mailDir), folder(t, smsDir)...) {
		assert.NotEmpty(t, f)
	}
	entries, err := os.ReadDir(mailDir)
	require.NoError(t, err)
	info, err := entries[0].Info()
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode())

	require.NoError(t, first.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, first.cmd.Wait())

	second := startProcess(t, nil, "--demo", "--database-url", "sqlite:"+db)
	eventually(t, "the banner", func() bool { return strings.Contains(second.logs.String(), "Text the demo") })
	again := second.logs.String()
	assert.Contains(t, again, "nothing was created")
	assert.Contains(t, again, "To sign in again: "+second.url+"/staff/login")
	assert.Contains(t, again, "email: admin@demo.whisper.test")
	assert.Contains(t, again, "Ask for a reset link at "+second.url+"/staff/forgot (the email is written to "+mailDir+" (file driver))")
	assert.Regexp(t, `whisperctl staff reset --database-url sqlite:\S+ --id stf_[a-z2-7]+ --reason`, again)
	assert.Contains(t, again, "To start afresh: stop whisperd, delete "+db+" and "+db+".key")
	assert.NotRegexp(t, `password: [A-Z2-7]{16}`, again, "no new password is made")
}

// With PostgreSQL there is no database file to put the folders beside:
// --demo keeps the log drivers, says so, and starts.
func TestTheDemoOnPostgresKeepsTheLog(t *testing.T) {
	in := start(t, []string{"--demo"}, map[string]string{
		"WHISPER_DATABASE_URL": pgtest.NewDatabase(t), "WHISPER_SECURITY_DATA_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	})
	require.NoError(t, in.stop())
	out := in.stdout.String()
	assert.Contains(t, out, "Mail:  written to the log, not sent (log driver)")
	assert.Contains(t, out, "Texts: written to the log, not sent (log driver)")
	assert.Contains(t, out, "whisperctl sms receive --database-url URL --from")
}
