package mail_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/mail"
	"github.com/whisper-schools/whisper/adapters/mail/smtptest"
	"github.com/whisper-schools/whisper/domain"
)

const (
	mailbox      = "whisper@oakfield.example"
	clientID     = "whisper-client"
	clientSecret = "client-s3cret-value"
)

// tokenEndpoint is an OAuth 2.0 token endpoint for the client credentials
// flow. It issues the tokens in issue, one per request (the last one
// again once they run out), each valid for lifetime, and counts requests.
type tokenEndpoint struct {
	srv      *httptest.Server
	lifetime time.Duration

	mu       sync.Mutex
	issue    []string
	requests int
	fail     bool
}

func startTokenEndpoint(t *testing.T, lifetime time.Duration, issue ...string) *tokenEndpoint {
	e := &tokenEndpoint{lifetime: lifetime, issue: issue}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.requests++
		id, secret, _ := r.BasicAuth()
		if r.Method != http.MethodPost || r.FormValue("grant_type") != "client_credentials" ||
			r.FormValue("scope") != "https://outlook.office365.com/.default" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if e.fail || id != clientID || secret != clientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret %s was wrong"}`, secret)
			return
		}
		token := e.issue[0]
		if len(e.issue) > 1 {
			e.issue = e.issue[1:]
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": token, "token_type": "Bearer", "expires_in": int(e.lifetime.Seconds()),
		})
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *tokenEndpoint) count() int { e.mu.Lock(); defer e.mu.Unlock(); return e.requests }

func (e *tokenEndpoint) setFail(fail bool) { e.mu.Lock(); defer e.mu.Unlock(); e.fail = fail }

// xoauth2Server offers only XOAUTH2 and accepts only token "good".
func xoauth2Server(t *testing.T) *smtptest.Server {
	return smtptest.StartWith(t, smtptest.Options{
		Username: mailbox, Mechanisms: []string{"XOAUTH2"}, Token: func(tok string) bool { return tok == "good" },
	})
}

func xoauth2Config(srv *smtptest.Server, e *tokenEndpoint) mail.Config {
	return mail.Config{
		From: mailbox, Host: srv.Host(), Port: srv.Port(), Username: mailbox, TLS: "none", Timeout: 5 * time.Second,
		PublicURL: "https://whisper.example.org", Auth: mail.AuthXOAUTH2,
		OAuth2: mail.OAuth2{TokenURL: e.srv.URL + "/oauth2/v2.0/token", ClientID: clientID, ClientSecret: clientSecret,
			Scopes: []string{"https://outlook.office365.com/.default"}},
	}
}

func send(t *testing.T, m *mail.SMTP) error {
	t.Helper()
	return m.Send(context.Background(), delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example",
		"https://whisper.example.org/staff/interactions/WSP-1111-2222", "New report"))
}

func TestSendsThroughALoginOnlyServer(t *testing.T) {
	srv := smtptest.StartWith(t, smtptest.Options{Username: "whisper", Password: "pw", Mechanisms: []string{"LOGIN"}})
	for _, auth := range []string{mail.AuthLogin, mail.AuthAuto} {
		m, err := mail.NewSMTP(mail.Config{From: mailbox, Host: srv.Host(), Port: srv.Port(), Username: "whisper",
			Password: "pw", TLS: "none", Auth: auth})
		require.NoError(t, err)
		require.NoError(t, send(t, m), auth)
	}
	got := srv.Messages()
	require.Len(t, got, 2)
	assert.Equal(t, "LOGIN", got[0].Mechanism)
	assert.Equal(t, "LOGIN", got[1].Mechanism, "auto picks the one mechanism offered")

	m, err := mail.NewSMTP(mail.Config{From: mailbox, Host: srv.Host(), Port: srv.Port(), Username: "whisper",
		Password: "pw", TLS: "none", Auth: mail.AuthPlain})
	require.NoError(t, err)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(send(t, m)), "PLAIN is not offered")
	m, err = mail.NewSMTP(mail.Config{From: mailbox, Host: srv.Host(), Port: srv.Port(), TLS: "none", Auth: mail.AuthNone})
	require.NoError(t, err)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(send(t, m)), "the server wants a sign-in")
	assert.Len(t, srv.Messages(), 2)
}

func TestAutoPicksWhatTheServerOffers(t *testing.T) {
	both := smtptest.StartWith(t, smtptest.Options{Username: "whisper", Password: "pw", Mechanisms: []string{"LOGIN", "PLAIN"}})
	m, err := mail.NewSMTP(mail.Config{From: mailbox, Host: both.Host(), Port: both.Port(), Username: "whisper", Password: "pw", TLS: "none"})
	require.NoError(t, err)
	require.NoError(t, send(t, m))
	require.Len(t, both.Messages(), 1)
	assert.Equal(t, "PLAIN", both.Messages()[0].Mechanism)

	// A password is no use to a server that only takes tokens: the error
	// says which setting to change.
	oauthOnly := xoauth2Server(t)
	m, err = mail.NewSMTP(mail.Config{From: mailbox, Host: oauthOnly.Host(), Port: oauthOnly.Port(), Username: mailbox, Password: "pw", TLS: "none"})
	require.NoError(t, err)
	err = send(t, m)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.ErrorContains(t, err, "mail.smtp.auth")
	assert.Empty(t, oauthOnly.Messages())
}

// A password or token goes over a connection without TLS only to a server
// on this machine; 127.0.0.2 plays one elsewhere.
func TestNoPasswordOrTokenWithoutTLS(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	} else {
		ln.Close()
	}
	srv := smtptest.StartWith(t, smtptest.Options{Addr: "127.0.0.2:0", Username: mailbox, Password: "pw",
		Mechanisms: []string{"PLAIN", "LOGIN", "XOAUTH2"}, Token: func(string) bool { return true }})
	e := startTokenEndpoint(t, time.Hour, "good")
	for _, auth := range []string{mail.AuthAuto, mail.AuthPlain, mail.AuthLogin, mail.AuthXOAUTH2} {
		cfg := xoauth2Config(srv, e)
		cfg.Auth, cfg.Password = auth, "pw"
		m, err := mail.NewSMTP(cfg)
		require.NoError(t, err)
		err = send(t, m)
		assert.Equal(t, domain.KindUnavailable, domain.KindOf(err), auth)
	}
	assert.Empty(t, srv.Messages())
}

func TestSendsThroughAnXOAUTH2OnlyServerReusingTheToken(t *testing.T) {
	srv := xoauth2Server(t)
	e := startTokenEndpoint(t, time.Hour, "good")
	m, err := mail.NewSMTP(xoauth2Config(srv, e))
	require.NoError(t, err)
	assert.Zero(t, e.count(), "no token is asked for before the first message")

	require.NoError(t, send(t, m))
	require.NoError(t, send(t, m))
	got := srv.Messages()
	require.Len(t, got, 2)
	assert.Equal(t, "XOAUTH2", got[0].Mechanism)
	assert.Equal(t, "whisper.example.org", got[0].Helo, "named as the service, not localhost")
	assert.Equal(t, 1, e.count(), "a token is reused while it is valid")
}

func TestATokenIsRefreshedBeforeItExpires(t *testing.T) {
	srv := xoauth2Server(t)
	// Still valid for half a minute, but too close to its end to use.
	e := startTokenEndpoint(t, 30*time.Second, "good")
	m, err := mail.NewSMTP(xoauth2Config(srv, e))
	require.NoError(t, err)
	require.NoError(t, send(t, m))
	require.NoError(t, send(t, m))
	assert.Len(t, srv.Messages(), 2)
	assert.Equal(t, 2, e.count())
}

func TestARefusedTokenIsReplacedOnTheRetry(t *testing.T) {
	srv := xoauth2Server(t)
	e := startTokenEndpoint(t, time.Hour, "revoked-token-value", "good")
	m, err := mail.NewSMTP(xoauth2Config(srv, e))
	require.NoError(t, err)

	err = send(t, m)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err), "retried like any delivery failure")
	assert.NotContains(t, err.Error(), "revoked-token-value")
	assert.NotContains(t, err.Error(), clientSecret)
	assert.Empty(t, srv.Messages())

	require.NoError(t, send(t, m), "the retry asks for a new token")
	assert.Len(t, srv.Messages(), 1)
	assert.Equal(t, 2, e.count())
}

func TestATokenFailureIsADeliveryFailure(t *testing.T) {
	srv := xoauth2Server(t)
	e := startTokenEndpoint(t, time.Hour, "good")
	e.setFail(true)
	m, err := mail.NewSMTP(xoauth2Config(srv, e))
	require.NoError(t, err)

	err = send(t, m)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	assert.ErrorContains(t, err, "HTTP 401 invalid_client")
	assert.NotContains(t, err.Error(), clientSecret, "not even when the endpoint echoes it")
	assert.Empty(t, srv.Messages())

	e.setFail(false)
	require.NoError(t, send(t, m))
	assert.Len(t, srv.Messages(), 1)

	e.srv.Close()
	cfg := xoauth2Config(srv, e)
	m, err = mail.NewSMTP(cfg)
	require.NoError(t, err)
	err = send(t, m)
	assert.Equal(t, domain.KindUnavailable, domain.KindOf(err), "an endpoint that is down")
	assert.NotContains(t, err.Error(), clientSecret)
}

func TestAuthConfigIsChecked(t *testing.T) {
	base := mail.Config{From: "a@b.example", Host: "localhost", TLS: "starttls", Username: "u"}
	for name, change := range map[string]func(*mail.Config){
		"unknown auth":            func(c *mail.Config) { c.Auth = "cram-md5" },
		"login without username":  func(c *mail.Config) { c.Auth, c.Username = mail.AuthLogin, "" },
		"xoauth2 without a token": func(c *mail.Config) { c.Auth = mail.AuthXOAUTH2 },
	} {
		c := base
		change(&c)
		_, err := mail.NewSMTP(c)
		assert.Error(t, err, name)
	}
}

// Over STARTTLS the same remote server gets the token: this is how
// Microsoft 365 is reached (smtp.office365.com:587).
func TestSendsAnXOAUTH2TokenOverSTARTTLS(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	} else {
		ln.Close()
	}
	// httptest's certificate is for example.com, among others.
	certs := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(certs.Close)
	srv := smtptest.StartWith(t, smtptest.Options{Addr: "127.0.0.2:0", Username: mailbox, Mechanisms: []string{"XOAUTH2"},
		Token: func(tok string) bool { return tok == "good" }, TLS: certs.TLS})
	e := startTokenEndpoint(t, time.Hour, "good")
	cfg := xoauth2Config(srv, e)
	cfg.TLS = "starttls"
	cfg.TLSConfig = &tls.Config{
		ServerName: "example.com", RootCAs: certs.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
		MinVersion: tls.VersionTLS12,
	}
	m, err := mail.NewSMTP(cfg)
	require.NoError(t, err)
	require.NoError(t, send(t, m))
	require.Len(t, srv.Messages(), 1)
	assert.Equal(t, "XOAUTH2", srv.Messages()[0].Mechanism)
}

// Senders running at once share one token.
func TestConcurrentSendsShareOneToken(t *testing.T) {
	srv := xoauth2Server(t)
	e := startTokenEndpoint(t, time.Hour, "good")
	m, err := mail.NewSMTP(xoauth2Config(srv, e))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- send(t, m) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Len(t, srv.Messages(), 8)
	assert.Equal(t, 1, e.count())
}

// A token endpoint that does not answer holds a delivery no longer than
// its context allows: the outbox's lease depends on it.
func TestASlowTokenEndpointKeepsToTheDeadline(t *testing.T) {
	srv := xoauth2Server(t)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	cfg := xoauth2Config(srv, &tokenEndpoint{srv: slow})
	m, err := mail.NewSMTP(cfg)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	for range 2 { // the second waits behind no one: the first gave up
		err = m.Send(ctx, delivery(domain.DeliveryStaffNewReport, "dsl@oakfield.example", "https://w.example/l", "New report"))
		assert.Equal(t, domain.KindUnavailable, domain.KindOf(err))
	}
	assert.Less(t, time.Since(began), 2*time.Second)
	assert.Empty(t, srv.Messages())
}
