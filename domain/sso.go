package domain

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// SSOSetting is an organisation's single sign-on with OpenID Connect: its
// staff sign in at the school's own identity provider (Microsoft Entra ID,
// Google Workspace) instead of, or as well as, with a password.
type SSOSetting struct {
	OrgID OrgID
	// Issuer is the provider's issuer URL, exactly as its ID tokens name
	// it.
	Issuer   string
	ClientID string
	// ClientSecret authenticates Whisper to the provider. Sensitive:
	// sealed at rest, never shown or logged.
	ClientSecret string
	// Domains are the email domains, in lower case, whose addresses sign
	// in through this provider. One domain belongs to one organisation.
	Domains []string
	// Required stops the organisation's staff signing in with a password.
	Required bool
	// TenantID, for Entra ID, is the tenant whose tokens alone are
	// accepted (the tid claim); empty accepts the issuer's.
	TenantID  string
	UpdatedAt time.Time
}

// NewSSOSetting checks an operator's SSO setting and returns it with its
// domains normalised. A tenant id left empty is taken from an Entra ID
// issuer (https://login.microsoftonline.com/{tenant}/v2.0).
func NewSSOSetting(org OrgID, issuer, clientID, secret string, domains []string, required bool, tenant string, now time.Time) (*SSOSetting, error) {
	u, err := url.Parse(strings.TrimSpace(issuer))
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, Errorf(KindInvalid, "the issuer must be an https URL")
	}
	clientID = strings.TrimSpace(clientID)
	if clientID == "" || len(clientID) > 255 {
		return nil, Errorf(KindInvalid, "a client id is required")
	}
	if secret == "" || len(secret) > 1024 {
		return nil, Errorf(KindInvalid, "a client secret is required")
	}
	var ds []string
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if _, err := ParseEmail("x@" + d); err != nil {
			return nil, Errorf(KindInvalid, "%s is not an email domain", d)
		}
		if !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil, Errorf(KindInvalid, "at least one email domain is required")
	}
	tenant = strings.TrimSpace(tenant)
	if tenant == "" {
		tenant = EntraTenant(u.String())
	}
	return &SSOSetting{
		OrgID: org, Issuer: u.String(), ClientID: clientID, ClientSecret: secret,
		Domains: ds, Required: required, TenantID: tenant, UpdatedAt: now,
	}, nil
}

// EntraTenant is the tenant id in an Entra ID issuer URL, or "" for any
// other issuer (and for Entra's multi-tenant "common" and "organizations").
func EntraTenant(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Host != "login.microsoftonline.com" {
		return ""
	}
	tenant, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	switch tenant {
	case "common", "organizations", "consumers":
		return ""
	}
	return tenant
}

// Allows says whether email's domain is one of the setting's.
func (s *SSOSetting) Allows(email string) bool {
	return slices.Contains(s.Domains, EmailDomain(email))
}

// EmailDomain is the domain of an address, in lower case; "" when it has
// none.
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// SSOState is one sign-in through a provider, from the redirect there to
// the return: it is good once, for SSOStateLifetime, and keeps which
// organisation's provider was asked. The state itself is kept only as a
// hash.
type SSOState struct {
	Hash      string
	OrgID     OrgID
	ExpiresAt time.Time
}

// SSOStateLifetime is how long a member has at the provider before the
// sign-in must start again.
const SSOStateLifetime = 10 * time.Minute

// SSOIdentity is what a provider's verified ID token says about who signed
// in.
type SSOIdentity struct {
	Subject string
	// Email is the address the token names. Sensitive: never logged.
	Email         string
	EmailVerified bool
	// Nonce is the token's nonce, which must be the one the sign-in sent.
	Nonce string
	// TenantID is Entra ID's tid claim; empty from other providers.
	TenantID string
	// DomainVerified is Entra ID's xms_edov claim: the tenant has verified
	// that it owns the email's domain, which Entra's email claim does not
	// otherwise promise.
	DomainVerified bool
}
