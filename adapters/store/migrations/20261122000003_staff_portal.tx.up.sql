-- The staff portal: sessions, authenticator codes, recovery codes, sign-in
-- throttling, read markers, removed accounts, and the text of SMS replies.

ALTER TABLE organisations ADD COLUMN require_totp BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE staff ADD COLUMN totp_secret_sealed {{.Bytes}};
--bun:split
ALTER TABLE staff ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE staff ADD COLUMN removed_at {{.Time}};
--bun:split
ALTER TABLE outbox ADD COLUMN body_sealed {{.Bytes}};
--bun:split
CREATE TABLE IF NOT EXISTS staff_recovery_codes (
    staff_id  TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   {{.Time}},
    PRIMARY KEY (staff_id, code_hash)
);
--bun:split
CREATE TABLE IF NOT EXISTS staff_sessions (
    id_hash      TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   {{.Time}} NOT NULL,
    last_seen_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS staff_sessions_staff ON staff_sessions (staff_id);
--bun:split
CREATE TABLE IF NOT EXISTS signin_failures (
    key_index       TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE IF NOT EXISTS case_reads (
    staff_id       TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    interaction_id TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    read_at        {{.Time}} NOT NULL,
    PRIMARY KEY (staff_id, interaction_id)
);
--bun:split
CREATE INDEX IF NOT EXISTS interactions_org_created ON interactions (org_id, created_at);
