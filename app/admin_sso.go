package app

import (
	"context"

	"github.com/whisper-schools/whisper/domain"
)

// SSO returns the actor's organisation's single sign-on setting, without
// its secret, for admins to see; only the operator changes it. It returns
// nil when the organisation has none.
func (s *Admin) SSO(ctx context.Context, a *Actor) (set *domain.SSOSetting, err error) {
	defer domain.Wrap(&err, "app.Admin.SSO")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	set, err = ssoSetting(ctx, s.core, a.Org.ID)
	if domain.KindOf(err) == domain.KindNotFound {
		return nil, nil
	}
	return set, err
}
