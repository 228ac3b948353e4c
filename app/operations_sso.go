package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// SetSSO is an operator's single sign-on setting for one organisation.
type SetSSO struct {
	OrgID    domain.OrgID
	Issuer   string
	ClientID string
	// ClientSecret is sealed at rest and never shown again.
	ClientSecret string
	Domains      []string
	Required     bool
	// TenantID is Entra ID's tenant; empty takes it from an Entra issuer.
	TenantID string
	Reason   string
}

// SetSSO saves an organisation's single sign-on, replacing any it had.
// It returns KindConflict when a domain signs in to another organisation.
func (s *Operations) SetSSO(ctx context.Context, op Operator, in SetSSO) (set *domain.SSOSetting, err error) {
	defer domain.Wrap(&err, "app.Operations.SetSSO")
	reason, err := requireReason(in.Reason)
	if err != nil {
		return nil, err
	}
	set, err = domain.NewSSOSetting(in.OrgID, in.Issuer, in.ClientID, in.ClientSecret, in.Domains, in.Required, in.TenantID, s.now())
	if err != nil {
		return nil, err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditSSOSet, OrgID: in.OrgID, Reason: reason, Details: map[string]string{
		"issuer": set.Issuer, "client_id": set.ClientID, "domains": strings.Join(set.Domains, ","),
		"required": strconv.FormatBool(set.Required), "tenant_id": set.TenantID,
	}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		if _, err := tx.Organisations().Get(ctx, in.OrgID); err != nil {
			return err
		}
		return tx.SSO().Put(ctx, set)
	})
	return set, err
}

// SSO returns an organisation's single sign-on setting without its
// secret, or KindNotFound.
func (s *Operations) SSO(ctx context.Context, org domain.OrgID) (set *domain.SSOSetting, err error) {
	defer domain.Wrap(&err, "app.Operations.SSO")
	return ssoSetting(ctx, s.core, org)
}

// RemoveSSO removes an organisation's single sign-on: its staff sign in
// with passwords again. It returns KindNotFound when it had none.
func (s *Operations) RemoveSSO(ctx context.Context, op Operator, org domain.OrgID, reason string) (err error) {
	defer domain.Wrap(&err, "app.Operations.RemoveSSO")
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditSSORemove, OrgID: org, Reason: reason}
	return s.audited(ctx, e, func(tx ports.Tx) error { return tx.SSO().Delete(ctx, org) })
}

// ssoSetting reads org's setting with its secret blanked, for showing.
func ssoSetting(ctx context.Context, s *core, org domain.OrgID) (set *domain.SSOSetting, err error) {
	err = s.store.View(ctx, func(tx ports.Tx) error {
		set, err = tx.SSO().Get(ctx, org)
		return err
	})
	if set != nil {
		set.ClientSecret = ""
	}
	return set, err
}
