package app

import (
	"context"
	"crypto/hmac"
	"errors"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SSOCallback is the browser's return from a provider.
type SSOCallback struct {
	// State is the state the provider sent back; BrowserState is the one
	// the browser kept when the sign-in started. They must match: a
	// return into a browser that did not start the sign-in is refused.
	State, BrowserState string
	// Code is the authorisation code to redeem; ProviderError is the
	// provider's refusal, when it sent one instead.
	Code, ProviderError string
	// Previous is the session token the browser already held, which ends.
	Previous string
}

// ErrSSOFailed refuses a return from a provider. It is one error for every
// reason, so that the page reveals nothing about who has an account; the
// reason is wrapped inside it for the logs, and never names the person.
var ErrSSOFailed = &domain.Error{
	Kind: domain.KindForbidden,
	Safe: domain.Say("We could not sign you in with your school account. Start again from the sign-in page, or ask an admin of your school's Whisper."),
}

// Why a return from a provider was refused, for logs and tests.
var (
	errSSOState      = errors.New("sso: unknown, used or expired state, or not this browser's")
	errSSONonce      = errors.New("sso: the token's nonce is not this sign-in's")
	errSSOTenant     = errors.New("sso: the token is from another tenant")
	errSSOUnverified = errors.New("sso: the email is not verified")
	errSSODomain     = errors.New("sso: the email's domain does not sign in to this organisation")
	errSSONoAccount  = errors.New("sso: no account of this organisation has that email")
)

// ssoRefusal is ErrSSOFailed for a reason: errors.Is(err, ErrSSOFailed)
// holds, and the reason is in the chain for the logs.
type ssoRefusal struct{ why error }

func (r ssoRefusal) Error() string        { return r.why.Error() }
func (r ssoRefusal) Unwrap() error        { return r.why }
func (r ssoRefusal) Is(target error) bool { return target == ErrSSOFailed }

func ssoRefused(why error) error {
	return &domain.Error{Kind: ErrSSOFailed.Kind, Safe: ErrSSOFailed.Safe, Err: ssoRefusal{why}}
}

// FinishSSO checks a return from a provider and signs in the member it
// names: the state is taken once (a replayed return finds it gone), the
// code is redeemed with the sign-in's PKCE verifier, the ID token's
// signature, issuer, audience and expiry are checked by the client, and
// here its nonce, its tenant (for Entra ID), that its email is verified
// and in one of the organisation's domains, and that a member of that
// organisation has it. Nobody is created: staff are still invited. The
// session starts as it does for a password.
func (s *Portal) FinishSSO(ctx context.Context, in SSOCallback) (out SignedIn, err error) {
	defer domain.Wrap(&err, "app.Portal.FinishSSO")
	if s.sso == nil {
		return out, ErrSSOUnavailable
	}
	state, perr := domain.ParseToken(in.State)
	if perr != nil || !hmac.Equal([]byte(in.State), []byte(in.BrowserState)) {
		return out, ssoRefused(errSSOState)
	}
	now := s.now()
	var set *domain.SSOSetting
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		st, err := tx.SSOStates().Take(ctx, state.Hash(), now)
		if domain.KindOf(err) == domain.KindNotFound {
			return ssoRefused(errSSOState)
		}
		if err != nil {
			return err
		}
		set, err = tx.SSO().Get(ctx, st.OrgID)
		if domain.KindOf(err) == domain.KindNotFound {
			return ssoRefused(errSSOState) // removed since the sign-in began
		}
		return err
	})
	if err != nil {
		return out, err
	}
	if in.ProviderError != "" || in.Code == "" {
		return out, ssoRefused(errors.New("sso: the provider sent no code"))
	}
	// The provider is asked outside any transaction: it may be slow.
	id, err := s.sso.Exchange(ctx, set, s.ssoRedirectURL(), in.Code, s.ssoDerive("verifier", in.State))
	if err != nil {
		if domain.KindOf(err) == domain.KindForbidden {
			return out, ssoRefused(err)
		}
		return out, err
	}
	email, err := checkIdentity(set, id, s.ssoDerive("nonce", in.State))
	if err != nil {
		return out, err
	}
	var m *domain.Staff
	err = s.store.InTx(ctx, func(tx ports.Tx) error {
		m, err = tx.Staff().GetByEmail(ctx, email)
		if domain.KindOf(err) == domain.KindNotFound || (err == nil && (m.OrgID != set.OrgID || m.RemovedAt != nil)) {
			return ssoRefused(errSSONoAccount)
		}
		if err != nil {
			return err
		}
		if prev, err := domain.ParseToken(in.Previous); err == nil {
			if err := tx.Sessions().Delete(ctx, prev.Hash()); err != nil {
				return err
			}
		}
		if out.Token, err = s.startSession(ctx, tx, m, now); err != nil {
			return err
		}
		return tx.Audit().Append(ctx, &domain.AuditEntry{At: now, Actor: staffActor(m.ID), Action: domain.AuditStaffSSOSignIn, OrgID: m.OrgID})
	})
	if err != nil {
		return SignedIn{}, err
	}
	if out.Device, err = s.newDeviceCookie(m.ID, now); err != nil {
		return SignedIn{}, err
	}
	return out, nil
}

// checkIdentity applies what the organisation's setting asks of a verified
// ID token, and returns its email address.
func checkIdentity(set *domain.SSOSetting, id *domain.SSOIdentity, nonce string) (string, error) {
	if !hmac.Equal([]byte(id.Nonce), []byte(nonce)) {
		return "", ssoRefused(errSSONonce)
	}
	if set.TenantID != "" && id.TenantID != set.TenantID {
		return "", ssoRefused(errSSOTenant)
	}
	// Entra ID sends no email_verified; its xms_edov says the tenant owns
	// the email's domain, which is what matters here.
	if !id.EmailVerified && (set.TenantID == "" || !id.DomainVerified) {
		return "", ssoRefused(errSSOUnverified)
	}
	email, err := domain.ParseEmail(id.Email)
	if err != nil {
		return "", ssoRefused(errSSOUnverified)
	}
	if !set.Allows(email) {
		return "", ssoRefused(errSSODomain)
	}
	return email, nil
}
