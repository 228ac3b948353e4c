package mail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail/smtp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// The values of Config.Auth.
const (
	AuthAuto    = "auto"
	AuthPlain   = "plain"
	AuthLogin   = "login"
	AuthXOAUTH2 = "xoauth2"
	AuthNone    = "none"
)

// OAuth2 is where XOAUTH2 gets its access tokens: the OAuth 2.0 client
// credentials flow.
type OAuth2 struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
}

// refreshEarly is how long before its expiry a token is replaced, so that
// one is not presented to the mail server in its last seconds of life.
const refreshEarly = time.Minute

// tokens hands out access tokens, reusing one until refreshEarly before it
// expires, as oauth2.ReuseTokenSourceWithExpiry would; unlike it, a fetch
// honours the delivery's context, whose deadline keeps a send within its
// outbox lease. A token the mail server refuses is forgotten, so that the
// delivery's retry asks for a new one rather than presenting it again.
type tokens struct {
	cc     *clientcredentials.Config
	client *http.Client
	fetch  chan struct{} // one fetch at a time: the others wait for its token

	mu  sync.Mutex
	tok *oauth2.Token
	gen int // counts tokens fetched, so that forget drops only the refused one
}

func newTokens(cfg OAuth2, timeout time.Duration) *tokens {
	return &tokens{
		cc: &clientcredentials.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL, Scopes: cfg.Scopes,
		},
		client: &http.Client{Timeout: timeout},
		fetch:  make(chan struct{}, 1),
	}
}

// cached returns the current token while it is good for at least
// refreshEarly more; a token without an expiry is good until refused.
func (t *tokens) cached() (string, int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil || (!t.tok.Expiry.IsZero() && time.Until(t.tok.Expiry) < refreshEarly) {
		return "", 0, false
	}
	return t.tok.AccessToken, t.gen, true
}

// token returns an access token and the generation it belongs to.
func (t *tokens) token(ctx context.Context) (string, int, error) {
	if tok, gen, ok := t.cached(); ok {
		return tok, gen, nil
	}
	select {
	case t.fetch <- struct{}{}:
		defer func() { <-t.fetch }()
	case <-ctx.Done():
		return "", 0, fmt.Errorf("mail: waiting for a token: %w", ctx.Err())
	}
	if tok, gen, ok := t.cached(); ok { // fetched while this one waited
		return tok, gen, nil
	}
	tok, err := t.cc.Token(context.WithValue(ctx, oauth2.HTTPClient, t.client))
	if err != nil {
		return "", 0, tokenError(err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tok = tok
	t.gen++
	return tok.AccessToken, t.gen, nil
}

// forget drops the token of generation gen, unless another has already
// replaced it.
func (t *tokens) forget(gen int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if gen == t.gen {
		t.tok = nil
	}
}

// tokenError describes a failure to get a token without the response body,
// which a token endpoint may fill with anything, and without the secret.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := 0
		if re.Response != nil {
			code = re.Response.StatusCode
		}
		return fmt.Errorf("mail: the token endpoint refused a token: HTTP %d %s", code, re.ErrorCode)
	}
	return fmt.Errorf("mail: getting a token: %w", err)
}

// isLocalhost is go-mail's test for a server a password may be sent to
// without TLS: the connection never leaves the machine.
func isLocalhost(name string) bool {
	return name == "localhost" || name == "127.0.0.1" || name == "::1"
}

var errUnencrypted = errors.New("mail: refusing to sign in over a connection without TLS")

// autoAuth signs in with the best password mechanism the server offers:
// SCRAM, which never reveals the password, then PLAIN or LOGIN, which do
// and so need TLS (or a server on this machine).
type autoAuth struct {
	username, password string
	chosen             smtp.Auth
}

func (a *autoAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	secure := server.TLS || isLocalhost(server.Name)
	offered := func(mech string) bool { return slices.Contains(server.Auth, mech) }
	switch {
	case offered("SCRAM-SHA-256"):
		a.chosen = smtp.ScramSHA256Auth(a.username, a.password)
	case offered("SCRAM-SHA-1"):
		a.chosen = smtp.ScramSHA1Auth(a.username, a.password)
	case !secure && (offered("PLAIN") || offered("LOGIN")):
		return "", nil, errUnencrypted
	case offered("PLAIN"):
		// The host check is go-mail's, against a server's name swapped
		// mid-conversation; Start has just been given this name.
		a.chosen = smtp.PlainAuth("", a.username, a.password, server.Name, false)
	case offered("LOGIN"):
		a.chosen = smtp.LoginAuth(a.username, a.password, server.Name, false)
	default:
		return "", nil, fmt.Errorf("mail: the server offers no sign-in Whisper can use (it offers %q); set mail.smtp.auth",
			strings.Join(server.Auth, " "))
	}
	return a.chosen.Start(server)
}

func (a *autoAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.chosen.Next(fromServer, more)
}

// xoauth2Auth presents an OAuth 2.0 access token (XOAUTH2, as Microsoft 365
// and Google speak it). It remembers whether the server refused it.
type xoauth2Auth struct {
	username, token    string
	started, succeeded bool
}

func (a *xoauth2Auth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLocalhost(server.Name) {
		return "", nil, errUnencrypted
	}
	if !slices.Contains(server.Auth, "XOAUTH2") {
		return "", nil, fmt.Errorf("mail: the server does not offer XOAUTH2 (it offers %q)", strings.Join(server.Auth, " "))
	}
	a.started = true
	return "XOAUTH2", []byte("user=" + a.username + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

func (a *xoauth2Auth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		// A challenge after the token is the server's JSON error; the
		// empty answer lets it finish with its refusal.
		return []byte{}, nil
	}
	a.succeeded = true
	return nil, nil
}

// refused says whether the server was shown the token and did not accept
// it.
func (a *xoauth2Auth) refused() bool { return a.started && !a.succeeded }
