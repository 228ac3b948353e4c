package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoPersonalDataAtRestOrInLogs submits a report and a reply through a
// running whisperd, then reads the database files and everything it logged
// as an attacker or a curious operator would.
func TestNoPersonalDataAtRestOrInLogs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--demo", "--database-url", "sqlite:" + db}, map[string]string{
		"WHISPER_HTTP_TRUSTED_PROXIES": "127.0.0.1/32",
	})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	_, page := get(t, in.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	secrets := map[string]string{
		"name":    "Morgan Quillfeather",
		"message": "Quillfeather-unique-message about the bus stop",
		"email":   "morgan.quillfeather@example.org",
		"ip":      "81.2.69.160",
		"reply":   "Quillfeather-second-message with more detail",
	}
	post := func(path string, form url.Values) *http.Response {
		req, err := http.NewRequest(http.MethodPost, in.url+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", secrets["ip"])
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	resp := post("/r/DEMO", url.Values{
		"name": {secrets["name"]}, "message": {secrets["message"]}, "email": {secrets["email"]}, "category": {category[1]},
	})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	link := resp.Header.Get("Location")
	secrets["token"] = strings.TrimPrefix(link, "/t/")
	require.Equal(t, http.StatusSeeOther, post(link, url.Values{"message": {secrets["reply"]}}).StatusCode)
	status, conversation := get(t, in.url+link)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, conversation, secrets["reply"], "stored and readable through the link")
	require.NoError(t, in.stop())

	var files []byte
	for _, p := range []string{db, db + "-wal"} {
		if b, err := os.ReadFile(p); err == nil {
			files = append(files, b...)
		}
	}
	logs := []byte(in.stderr.String() + in.stdout.String())
	for what, secret := range secrets {
		for _, enc := range []string{secret, hex.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte(secret))} {
			assert.False(t, bytes.Contains(files, []byte(enc)), "the database files hold the %s in clear", what)
			assert.False(t, bytes.Contains(logs, []byte(enc)), "the logs hold the %s", what)
		}
	}
	assert.True(t, bytes.Contains(files, []byte("Demo Academy")), "control: clear text is findable in the file")
}
