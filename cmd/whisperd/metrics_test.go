package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The public listener never serves the metrics: per-channel delivery
// counters moving after a staff reply tell an onlooker how that report came
// in. Operators get them on their own address.
func TestMetricsAreServedOnlyOnTheOperatorsAddress(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")
	in := start(t, []string{"--demo", "--database-url", db}, map[string]string{"WHISPER_METRICS_LISTEN": "127.0.0.1:0"})
	require.NotEmpty(t, in.metricsURL, "metrics.listen was set")

	status, _ := get(t, in.url+"/metrics")
	assert.Equal(t, http.StatusNotFound, status, "the public listener has no /metrics")
	status, _ = get(t, in.url+"/r/DEMO")
	require.Equal(t, http.StatusOK, status)

	resp, err := http.Get(in.metricsURL + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"), resp.Header.Get("Content-Type"))
	assert.Contains(t, string(body), "# TYPE whisper_outbox_pending gauge")
	assert.Regexp(t, `whisper_build_info\{commit="[^"]+",goversion="go[^"]+",version="[^"]+"\} 1`, string(body))
	assert.Contains(t, string(body), `whisper_http_request_duration_seconds_count{area="r",status="2xx"} 1`,
		"the public request was counted")

	status, _ = get(t, in.metricsURL+"/r/DEMO")
	assert.Equal(t, http.StatusNotFound, status, "the metrics listener serves the metrics and nothing else")

	require.NoError(t, in.stop())
	_, err = http.Get(in.metricsURL + "/metrics")
	assert.Error(t, err, "the metrics listener stops with the server")
	assert.Contains(t, in.stderr.String(), "serving metrics")
	assert.Regexp(t, `msg="starting whisperd" version=\S+ commit=\S+ built=\S+`, in.stderr.String(), "the first line names the build")
}

func TestMetricsAreOffByDefault(t *testing.T) {
	in := start(t, []string{"--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")}, nil)
	assert.Empty(t, in.metricsURL)
	status, _ := get(t, in.url+"/metrics")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestAMetricsAddressInUseFailsStartup(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	var stderr syncBuffer
	served := false
	// Were the address not refused, the first sign of serving ends the run.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = run(ctx, env{
		args: []string{"--listen", "127.0.0.1:0", "--database-url", "sqlite:" + filepath.Join(t.TempDir(), "whisper.db")},
		getenv: func(k string) string {
			return map[string]string{"WHISPER_METRICS_LISTEN": taken.Addr().String()}[k]
		},
		stdout: io.Discard, stderr: &stderr, ready: func(string) { served = true; cancel() },
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "metrics.listen")
	assert.Contains(t, err.Error(), taken.Addr().String())
	assert.False(t, served, "whisperd never said it was ready")
}
