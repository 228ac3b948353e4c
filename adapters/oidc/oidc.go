// Package oidc signs staff in at their organisation's OpenID Connect
// provider (Microsoft Entra ID, Google Workspace): the authorisation code
// flow with PKCE, and ID tokens verified by github.com/coreos/go-oidc.
package oidc

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.SSOClient = (*Client)(nil)

// Client is a ports.SSOClient. It reads each issuer's discovery document
// once and keeps it, with the signing keys go-oidc fetches as they rotate.
type Client struct {
	// HTTP makes the requests to providers; nil uses a client with a
	// timeout.
	HTTP *http.Client
	// Now is the clock the token's expiry is checked against; nil is the
	// system clock.
	Now func() time.Time

	mu        sync.Mutex
	providers map[string]*gooidc.Provider
}

// New returns a client for every organisation's provider.
func New() *Client { return &Client{} }

func (c *Client) ctx(ctx context.Context) context.Context {
	h := c.HTTP
	if h == nil {
		h = &http.Client{Timeout: 10 * time.Second}
	}
	return gooidc.ClientContext(ctx, h)
}

func (c *Client) provider(ctx context.Context, issuer string) (*gooidc.Provider, error) {
	c.mu.Lock()
	p, ok := c.providers[issuer]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	// The provider's keys are fetched, as they rotate, with the context
	// given here; it must outlive this request.
	p, err := gooidc.NewProvider(c.ctx(context.WithoutCancel(ctx)), issuer)
	if err != nil {
		return nil, &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("The school's sign-in service did not answer. Please try again."), Err: err}
	}
	c.mu.Lock()
	if c.providers == nil {
		c.providers = map[string]*gooidc.Provider{}
	}
	c.providers[issuer] = p
	c.mu.Unlock()
	return p, nil
}

func (c *Client) config(p *gooidc.Provider, s *domain.SSOSetting, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.ClientID, ClientSecret: s.ClientSecret, RedirectURL: redirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{gooidc.ScopeOpenID, "email", "profile"},
	}
}

// AuthURL implements ports.SSOClient.
func (c *Client) AuthURL(ctx context.Context, s *domain.SSOSetting, redirectURL, state, nonce, verifier string) (string, error) {
	p, err := c.provider(ctx, s.Issuer)
	if err != nil {
		return "", err
	}
	return c.config(p, s, redirectURL).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// claims are the ID token's claims Whisper reads.
type claims struct {
	Email          string `json:"email"`
	EmailVerified  any    `json:"email_verified"` // a bool, or "true" from some providers
	Nonce          string `json:"nonce"`
	TenantID       string `json:"tid"`
	DomainVerified any    `json:"xms_edov"`
}

// Exchange implements ports.SSOClient.
func (c *Client) Exchange(ctx context.Context, s *domain.SSOSetting, redirectURL, code, verifier string) (*domain.SSOIdentity, error) {
	p, err := c.provider(ctx, s.Issuer)
	if err != nil {
		return nil, err
	}
	tok, err := c.config(p, s, redirectURL).Exchange(c.ctx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, refused(err)
		}
		return nil, &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("The school's sign-in service did not answer. Please try again."), Err: err}
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, refused(errors.New("oidc: the token response has no ID token"))
	}
	cfg := &gooidc.Config{ClientID: s.ClientID, Now: c.Now}
	idt, err := p.Verifier(cfg).Verify(c.ctx(ctx), raw)
	if err != nil {
		return nil, refused(err)
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return nil, refused(err)
	}
	return &domain.SSOIdentity{
		Subject: idt.Subject, Email: cl.Email, EmailVerified: truthy(cl.EmailVerified),
		Nonce: idt.Nonce, TenantID: cl.TenantID, DomainVerified: truthy(cl.DomainVerified),
	}, nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "1"
	}
	return false
}

func refused(err error) error {
	return &domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("The school's sign-in service did not vouch for you."), Err: err}
}
