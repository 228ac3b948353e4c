// Package plivotest is a stand-in for Plivo's message API in tests: an
// httptest server that checks Basic auth, records each text and answers as
// Plivo does, and can be told to fail.
package plivotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Sent is one text the stand-in accepted.
type Sent struct {
	Src, Dst, Text string
	// Log is what the sender asked Plivo to keep in its logs.
	Log any
}

// Server is the stand-in.
type Server struct {
	*httptest.Server
	AuthID, AuthToken string

	mu       sync.Mutex
	sent     []Sent
	failures int
}

// Start runs a stand-in for the account authID/authToken, closed when t ends.
func Start(t testing.TB, authID, authToken string) *Server {
	s := &Server{AuthID: authID, AuthToken: authToken}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// FailNext makes the next n sends fail with a 500, as an outage would.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = n
}

// Sent returns the texts accepted so far.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent{}, s.sent...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	id, token, ok := r.BasicAuth()
	if !ok || id != s.AuthID || token != s.AuthToken {
		http.Error(w, `{"error":"authentication failed"}`, http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/Account/"+s.AuthID+"/Message/" {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	var body struct {
		Src, Dst, Text string
		Log            any `json:"log"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures > 0 {
		s.failures--
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	s.sent = append(s.sent, Sent{Src: body.Src, Dst: body.Dst, Text: body.Text, Log: body.Log})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"api_id":"api-%d","message":"message(s) queued","message_uuid":["uuid-%d"]}`, len(s.sent), len(s.sent))
}

// URL is the stand-in's base URL, for sms.plivo.api_url.
func (s *Server) URL() string { return strings.TrimRight(s.Server.URL, "/") }
