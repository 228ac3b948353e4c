package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

type ssoRow struct {
	bun.BaseModel `bun:"table:sso_settings"`

	OrgID              string    `bun:"org_id,pk"`
	Issuer             string    `bun:"issuer"`
	ClientID           string    `bun:"client_id"`
	ClientSecretSealed []byte    `bun:"client_secret_sealed"`
	Required           bool      `bun:"required"`
	TenantID           string    `bun:"tenant_id"`
	UpdatedAt          time.Time `bun:"updated_at"`
}

type ssoDomainRow struct {
	bun.BaseModel `bun:"table:sso_domains"`

	Domain string `bun:"domain,pk"`
	OrgID  string `bun:"org_id"`
}

type sso struct{ *tx }

func (s sso) Put(ctx context.Context, set *domain.SSOSetting) error {
	row := ssoRow{
		OrgID: string(set.OrgID), Issuer: set.Issuer, ClientID: set.ClientID,
		ClientSecretSealed: s.keys.Seal(set.ClientSecret, aad("sso_settings.client_secret", string(set.OrgID))),
		Required:           set.Required, TenantID: set.TenantID, UpdatedAt: storedTime(set.UpdatedAt),
	}
	_, err := s.db.NewInsert().Model(&row).On("CONFLICT (org_id) DO UPDATE").
		Set("issuer = EXCLUDED.issuer").Set("client_id = EXCLUDED.client_id").
		Set("client_secret_sealed = EXCLUDED.client_secret_sealed").Set("required = EXCLUDED.required").
		Set("tenant_id = EXCLUDED.tenant_id").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return translate(err)
	}
	// The domains are replaced whole; one taken by another organisation
	// fails the insert, and with it the transaction.
	if _, err := s.db.NewDelete().Model((*ssoDomainRow)(nil)).Where("org_id = ?", row.OrgID).Exec(ctx); err != nil {
		return translate(err)
	}
	rows := make([]ssoDomainRow, len(set.Domains))
	for i, d := range set.Domains {
		rows[i] = ssoDomainRow{Domain: d, OrgID: row.OrgID}
	}
	if _, err := s.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		if err = translate(err); domain.KindOf(err) == domain.KindConflict {
			return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("one of those domains signs in to another organisation"), Err: err}
		}
		return err
	}
	return nil
}

func (s sso) Get(ctx context.Context, org domain.OrgID) (*domain.SSOSetting, error) {
	var row ssoRow
	if err := s.db.NewSelect().Model(&row).Where("org_id = ?", string(org)).Scan(ctx); err != nil {
		return nil, notFound(err, "single sign-on setting")
	}
	var domains []string
	if err := s.db.NewSelect().Model((*ssoDomainRow)(nil)).Column("domain").Where("org_id = ?", row.OrgID).
		Order("domain").Scan(ctx, &domains); err != nil {
		return nil, translate(err)
	}
	secret, err := s.keys.Open(row.ClientSecretSealed, aad("sso_settings.client_secret", row.OrgID))
	if err != nil {
		return nil, err
	}
	return &domain.SSOSetting{
		OrgID: domain.OrgID(row.OrgID), Issuer: row.Issuer, ClientID: row.ClientID, ClientSecret: secret,
		Domains: domains, Required: row.Required, TenantID: row.TenantID, UpdatedAt: row.UpdatedAt.UTC(),
	}, nil
}

func (s sso) GetByDomain(ctx context.Context, d string) (*domain.SSOSetting, error) {
	var row ssoDomainRow
	if err := s.db.NewSelect().Model(&row).Where("domain = ?", d).Scan(ctx); err != nil {
		return nil, notFound(err, "single sign-on setting")
	}
	return s.Get(ctx, domain.OrgID(row.OrgID))
}

func (s sso) Any(ctx context.Context) (bool, error) {
	ok, err := s.db.NewSelect().Model((*ssoRow)(nil)).Exists(ctx)
	return ok, translate(err)
}

func (s sso) Delete(ctx context.Context, org domain.OrgID) error {
	// The domains go with the setting (ON DELETE CASCADE); SQLite enforces
	// that only with foreign keys on, so they are removed here as well.
	if _, err := s.db.NewDelete().Model((*ssoDomainRow)(nil)).Where("org_id = ?", string(org)).Exec(ctx); err != nil {
		return translate(err)
	}
	res, err := s.db.NewDelete().Model((*ssoRow)(nil)).Where("org_id = ?", string(org)).Exec(ctx)
	return mustAffect(res, err, "single sign-on setting")
}

type ssoStateRow struct {
	bun.BaseModel `bun:"table:sso_states"`

	StateIndex string    `bun:"state_index,pk"`
	OrgID      string    `bun:"org_id"`
	ExpiresAt  time.Time `bun:"expires_at"`
}

// secretSSOState is the kind of a sign-in state's keyed hash.
const secretSSOState = "secret.sso_state"

type ssoStates struct{ *tx }

func (s ssoStates) Create(ctx context.Context, st *domain.SSOState) error {
	_, err := s.db.NewInsert().Model(&ssoStateRow{
		StateIndex: s.secretIndex(secretSSOState, st.Hash), OrgID: string(st.OrgID), ExpiresAt: storedTime(st.ExpiresAt),
	}).Exec(ctx)
	return translate(err)
}

func (s ssoStates) Take(ctx context.Context, hash string, now time.Time) (*domain.SSOState, error) {
	// The state is claimed by the statement that removes it: of two
	// requests with one state, the second finds nothing to remove.
	var row ssoStateRow
	err := s.db.NewDelete().Model(&row).Where("state_index IN (?)", s.secretLookups(secretSSOState, hash)).
		Where("expires_at > ?", storedTime(now)).Returning("org_id, expires_at").Scan(ctx)
	if err != nil {
		return nil, notFound(err, "sign-in")
	}
	return &domain.SSOState{Hash: hash, OrgID: domain.OrgID(row.OrgID), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

func (s ssoStates) DeleteExpired(ctx context.Context, t time.Time) (int, error) {
	return rowsAffected(s.db.NewDelete().Model((*ssoStateRow)(nil)).Where("expires_at < ?", storedTime(t)).Exec(ctx))
}
