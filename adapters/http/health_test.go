package http_test

import (
	"crypto/rand"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/app"
)

func newServer(t *testing.T) (*httptest.Server, func() error) {
	t.Helper()
	st := storetest.OpenSQLite(t)
	svc := app.New(app.Deps{
		Store: st, Clock: app.SystemClock{}, Random: rand.Reader,
		Hasher: passhash.New(passhash.TestParams(), 1), PublicURL: "https://whisper.example.org",
	})
	h, err := httpadapter.New(httpadapter.Config{PublicURL: "https://whisper.example.org"}, svc,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, st.Close
}

func TestHealthAndReadiness(t *testing.T) {
	srv, closeStore := newServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := nethttp.Get(srv.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, nethttp.StatusOK, resp.StatusCode, path)
		assert.Equal(t, "ok\n", string(body), path)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"), path)
		assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
	}

	// With the database gone the instance is alive but not ready.
	require.NoError(t, closeStore())
	resp, err := nethttp.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, nethttp.StatusServiceUnavailable, resp.StatusCode)
	resp, err = nethttp.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, nethttp.StatusOK, resp.StatusCode)
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	srv, _ := newServer(t)
	resp, err := nethttp.Get(srv.URL + "/nowhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, nethttp.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), "even errors carry the headers")

	resp, err = nethttp.Post(srv.URL+"/readyz", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, nethttp.StatusMethodNotAllowed, resp.StatusCode)
}
