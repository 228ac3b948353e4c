package ports

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
)

// SSORepo keeps organisations' single sign-on settings. The client secret
// is sealed at rest.
type SSORepo interface {
	// Put saves s as its organisation's setting, replacing any other. It
	// returns KindConflict when one of its domains belongs to another
	// organisation's setting.
	Put(ctx context.Context, s *domain.SSOSetting) error
	// Get returns the organisation's setting, or KindNotFound.
	Get(ctx context.Context, org domain.OrgID) (*domain.SSOSetting, error)
	// GetByDomain returns the setting that email domain d (in lower case)
	// belongs to, or KindNotFound.
	GetByDomain(ctx context.Context, d string) (*domain.SSOSetting, error)
	// Any says whether any organisation has a setting.
	Any(ctx context.Context) (bool, error)
	// Delete removes the organisation's setting. It returns KindNotFound
	// when there is none.
	Delete(ctx context.Context, org domain.OrgID) error
}

// SSOStateRepo keeps sign-ins that have gone to a provider and not yet
// come back. The state's hash is kept only as a keyed hash.
type SSOStateRepo interface {
	// Create adds s.
	Create(ctx context.Context, s *domain.SSOState) error
	// Take claims the state with that hash, if it has not expired at now,
	// and removes it, in one statement: of requests racing with one
	// state, one gets it. The others, and a state that is unknown or has
	// expired, get KindNotFound.
	Take(ctx context.Context, hash string, now time.Time) (*domain.SSOState, error)
	// DeleteExpired removes states that expired before t, and returns how
	// many.
	DeleteExpired(ctx context.Context, t time.Time) (int, error)
}

// SSOClient is the provider's side of signing in with OpenID Connect.
type SSOClient interface {
	// AuthURL is where to send the browser to sign in at the setting's
	// provider: the authorisation endpoint with the openid, email and
	// profile scopes, state, nonce and the PKCE challenge of verifier.
	// It returns KindUnavailable when the provider cannot be reached.
	AuthURL(ctx context.Context, s *domain.SSOSetting, redirectURL, state, nonce, verifier string) (string, error)
	// Exchange redeems code with verifier and returns what the ID token
	// says, once its signature, issuer, audience and expiry have been
	// verified. It returns KindForbidden for a code or token that fails
	// and KindUnavailable when the provider cannot be reached.
	Exchange(ctx context.Context, s *domain.SSOSetting, redirectURL, code, verifier string) (*domain.SSOIdentity, error)
}
