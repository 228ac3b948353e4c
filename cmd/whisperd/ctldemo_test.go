package main

import (
	"os/user"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under systemd whisperd runs without --demo: the operator creates the
// demo with `whisperctl demo`, which prints the password on their terminal
// and never in whisperd's log (the journal), and audits the creation
// under the operator's own name. Run again, it creates nothing and says
// how to sign in again.
func TestWhisperctlDemoBesideARunningWhisperd(t *testing.T) {
	eachDatabase(t, func(t *testing.T, dbURL string) {
		key := randomKey()
		in := start(t, nil, map[string]string{"WHISPER_DATABASE_URL": dbURL, "WHISPER_SECURITY_DATA_KEY": key})
		env := vars{"WHISPER_DATABASE_URL": dbURL, "WHISPER_SECURITY_DATA_KEY": key, "WHISPER_PUBLIC_URL": in.url}.list()

		out, err := whisperctl(t, env, "demo")
		require.NoError(t, err, "%s", out)
		assert.Contains(t, out, "Demo created.")
		assert.Contains(t, out, "Report form:   "+in.url+"/r/DEMO  (SMS code DEMO)")
		assert.Contains(t, out, "Staff sign-in: "+in.url+"/staff/login")
		password := regexp.MustCompile(`password: ([A-Z2-7]{16})\n`).FindStringSubmatch(out)
		require.NotNil(t, password, out)

		// The password works on the running whisperd, and is nowhere in
		// its output.
		admin := signInDemoAdmin(t, instance{url: in.url, stdout: syncBufferOf(out)})
		assert.Contains(t, admin.get("/staff/"), "Demo Academy")
		assert.NotContains(t, in.stdout.String()+in.stderr.String(), password[1])

		// Audited under the operating system user, as `org create` is.
		audit, err := whisperctl(t, env, "audit", "list")
		require.NoError(t, err, "%s", audit)
		u, err := user.Current()
		require.NoError(t, err)
		for _, action := range []string{"org.create", "form.create", "inbox.create", "staff.invite"} {
			assert.Regexp(t, `os:`+regexp.QuoteMeta(u.Username)+` +`+regexp.QuoteMeta(action), audit)
		}

		again, err := whisperctl(t, env, "demo")
		require.NoError(t, err, "%s", again)
		assert.Contains(t, again, "nothing was created")
		assert.Contains(t, again, "To sign in again: "+in.url+"/staff/login")
		assert.Regexp(t, `whisperctl staff reset( --database-url \S+)? --id stf_[a-z2-7]+ --reason`, again)
		assert.Contains(t, again, "run whisperctl demo again")
		assert.NotRegexp(t, `password: [A-Z2-7]{16}`, again, "no new password is made")
		if strings.HasPrefix(dbURL, "sqlite:") {
			assert.Contains(t, again, "To start afresh: stop whisperd, delete "+strings.TrimPrefix(dbURL, "sqlite:"))
		} else {
			assert.Contains(t, again, "drop and create the database again")
		}

		// --json gives the same, for scripts.
		asJSON, err := whisperctl(t, env, "demo", "--json")
		require.NoError(t, err, "%s", asJSON)
		assert.Contains(t, asJSON, `"created": false`)
		assert.Contains(t, asJSON, `"sign_in_url": "`+in.url+`/staff/login"`)
	})
}

// syncBufferOf holds s, for helpers that read a demo's banner from an
// instance's output.
func syncBufferOf(s string) *syncBuffer {
	b := &syncBuffer{}
	b.Write([]byte(s))
	return b
}
