package http

import (
	nethttp "net/http"
	"strings"
	"time"
)

// areas are the parts of the service requests are counted under. Only the
// first path segment is ever used, from this list: the rest of a path may
// hold a conversation token.
var areas = map[string]bool{
	"r": true, "t": true, "notice": true, "staff": true, "sms": true, "static": true,
	"healthz": true, "readyz": true,
}

func areaOf(path string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if areas[first] {
		return first
	}
	return "other"
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	nethttp.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection, so that a
// long export can move its write deadline on.
func (r *statusRecorder) Unwrap() nethttp.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = nethttp.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// observed times every request for cfg.Observe, when set.
func observed(observe func(area string, status int, d time.Duration), next nethttp.Handler) nethttp.Handler {
	if observe == nil {
		return next
	}
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = nethttp.StatusOK
		}
		observe(areaOf(r.URL.Path), rec.status, time.Since(start))
	})
}
