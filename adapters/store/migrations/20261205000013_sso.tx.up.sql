-- Single sign-on with OpenID Connect: each organisation's provider, the
-- email domains that sign in through it, and the sign-ins that have gone
-- to a provider and not yet come back. The client secret is sealed; a
-- state is kept only as a keyed hash, and only until it is used.

CREATE TABLE IF NOT EXISTS sso_settings (
    org_id               TEXT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    issuer               TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    client_secret_sealed {{.Bytes}} NOT NULL,
    required             BOOLEAN NOT NULL DEFAULT FALSE,
    tenant_id            TEXT NOT NULL DEFAULT '',
    updated_at           {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE IF NOT EXISTS sso_domains (
    domain TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES sso_settings (org_id) ON DELETE CASCADE
);
--bun:split
CREATE INDEX IF NOT EXISTS sso_domains_org ON sso_domains (org_id);
--bun:split
CREATE TABLE IF NOT EXISTS sso_states (
    state_index TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    expires_at  {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS sso_states_expiry ON sso_states (expires_at);
