package main

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/store/pgtest"
)

// TestTwoInstancesShareOneLimit runs two whisperd processes on one
// database and sends reports from one address to both: the service lets
// limits.reports_per_ip through once, not once per instance.
func TestTwoInstancesShareOneLimit(t *testing.T) {
	env := []string{
		"WHISPER_DATABASE_URL=" + pgtest.NewDatabase(t),
		"WHISPER_SECURITY_DATA_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"WHISPER_LIMITS_REPORTS_PER_IP=3", "WHISPER_LIMITS_REPORTS_PER_FORM=0",
	}
	a := startProcess(t, env, "--demo")
	b := startProcess(t, env)
	_, page := get(t, a.url+"/r/DEMO")
	category := regexp.MustCompile(`option value="(inb_[a-z2-7]+)"`).FindStringSubmatch(page)
	require.NotNil(t, category)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	statuses := map[int]int{}
	for i := range 8 {
		resp, err := client.PostForm([]string{a.url, b.url}[i%2]+"/r/DEMO", url.Values{"message": {"one limit"}, "category": {category[1]}})
		require.NoError(t, err)
		resp.Body.Close()
		statuses[resp.StatusCode]++
	}
	assert.Equal(t, map[int]int{http.StatusSeeOther: 3, http.StatusTooManyRequests: 5}, statuses,
		"three reports from one address an hour, whichever instance takes them")
}
