package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SSOKeyPurpose names the key of single sign-on's nonces and verifiers
// among the subkeys of the data key (seal.Keyring.Subkey).
const SSOKeyPurpose = "whisper sso v1"

// SSOCallbackPath is where a provider sends the browser back: the
// redirect URL registered with it is the public URL and this path.
const SSOCallbackPath = "/staff/sso/callback"

// SSOStarted is a sign-in sent to a provider: the browser goes to URL and
// keeps State (in a cookie only it can read), which must come back with it.
type SSOStarted struct {
	URL   string
	State string
}

// ErrSSOUnavailable is single sign-on asked for where Whisper has no
// OpenID client.
var ErrSSOUnavailable = domain.Errorf(domain.KindUnavailable, "Signing in with your school account is not available at the moment.")

// StartSSO begins signing in the owner of email at their organisation's
// provider. It returns KindNotFound when no organisation signs in
// email's domain through a provider: they sign in with a password.
//
// The state is a new random token, kept in the store only as a hash and
// good once for SSOStateLifetime. The nonce and the PKCE verifier are
// derived from it under the SSO key, so nothing secret is stored, and
// someone who sees the state in the provider's URL cannot make either.
func (s *Portal) StartSSO(ctx context.Context, email string) (out SSOStarted, err error) {
	defer domain.Wrap(&err, "app.Portal.StartSSO")
	if s.sso == nil {
		return out, ErrSSOUnavailable
	}
	set, err := ssoForEmail(ctx, s.core, email)
	if err != nil {
		return out, err
	}
	state, err := domain.NewToken(s.random)
	if err != nil {
		return out, err
	}
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		return tx.SSOStates().Create(ctx, &domain.SSOState{Hash: state.Hash(), OrgID: set.OrgID, ExpiresAt: now.Add(domain.SSOStateLifetime)})
	})
	if err != nil {
		return out, err
	}
	u, err := s.sso.AuthURL(ctx, set, s.ssoRedirectURL(), string(state), s.ssoDerive("nonce", string(state)), s.ssoDerive("verifier", string(state)))
	if err != nil {
		return out, err
	}
	return SSOStarted{URL: u, State: string(state)}, nil
}

// SSORequiredFor says whether email's domain signs in through a provider
// that its organisation requires, so that the login page can send its
// owner there instead of asking for a password.
func (s *Portal) SSORequiredFor(ctx context.Context, email string) (bool, error) {
	set, err := ssoForEmail(ctx, s.core, email)
	if domain.KindOf(err) == domain.KindNotFound {
		return false, nil
	}
	return err == nil && set.Required, err
}

// SSOOffered says whether any organisation signs in through a provider,
// so that the login page asks for the email address first.
func (s *Portal) SSOOffered(ctx context.Context) (any bool, err error) {
	err = s.store.View(ctx, func(tx ports.Tx) error {
		any, err = tx.SSO().Any(ctx)
		return err
	})
	return any, err
}

// ssoForEmail is the setting email's domain signs in through, or
// KindNotFound.
func ssoForEmail(ctx context.Context, s *core, email string) (set *domain.SSOSetting, err error) {
	d := domain.EmailDomain(email)
	if d == "" {
		return nil, domain.Errorf(domain.KindNotFound, "no such %s", "single sign-on setting")
	}
	err = s.store.View(ctx, func(tx ports.Tx) error {
		set, err = tx.SSO().GetByDomain(ctx, d)
		return err
	})
	return set, err
}

func (s *core) ssoRedirectURL() string { return s.links.base + SSOCallbackPath }

// ssoDerive is the value for purpose (the nonce, the verifier) of the
// sign-in with state: 43 URL-safe characters, as PKCE asks of a verifier.
func (s *core) ssoDerive(purpose, state string) string {
	m := hmac.New(sha256.New, s.ssoKey)
	m.Write([]byte(purpose + "|" + state))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
