-- The foundation schema. It runs on PostgreSQL and SQLite alike; the few
-- type names that differ come from the template data ({{.Bytes}}, {{.Time}}).
-- Columns ending in _sealed hold AES-256-GCM envelopes (see adapters/store/seal);
-- columns ending in _index hold keyed HMAC blind indexes of the sealed value.

CREATE TABLE IF NOT EXISTS organisations (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('trial', 'active', 'suspended', 'ended')),
    retention_months INTEGER NOT NULL CHECK (retention_months IN (6, 12, 24, 36)),
    trial_ends_at    {{.Time}},
    created_at       {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE IF NOT EXISTS forms (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    name          TEXT NOT NULL,
    code          TEXT NOT NULL UNIQUE,
    intro         TEXT NOT NULL DEFAULT '',
    response_time TEXT NOT NULL DEFAULT '',
    out_of_hours  TEXT NOT NULL DEFAULT '',
    language      TEXT NOT NULL CHECK (language IN ('en', 'cy')),
    swear_policy  TEXT NOT NULL CHECK (swear_policy IN ('off', 'flag', 'block')),
    open          BOOLEAN NOT NULL,
    created_at    {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS forms_org ON forms (org_id);
--bun:split
CREATE TABLE IF NOT EXISTS inboxes (
    id            TEXT PRIMARY KEY,
    form_id       TEXT NOT NULL REFERENCES forms (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    name          TEXT NOT NULL,
    notify_sealed {{.Bytes}},
    position      INTEGER NOT NULL,
    created_at    {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS inboxes_form ON inboxes (form_id, position);
--bun:split
CREATE INDEX IF NOT EXISTS inboxes_org ON inboxes (org_id);
--bun:split
CREATE TABLE IF NOT EXISTS staff (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    email_sealed      {{.Bytes}} NOT NULL,
    email_index       TEXT NOT NULL UNIQUE,
    first_name_sealed {{.Bytes}} NOT NULL,
    last_name_sealed  {{.Bytes}},
    role              TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    password_hash     TEXT NOT NULL DEFAULT '',
    created_at        {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS staff_org ON staff (org_id);
--bun:split
CREATE TABLE IF NOT EXISTS staff_inboxes (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, inbox_id)
);
--bun:split
CREATE INDEX IF NOT EXISTS staff_inboxes_inbox ON staff_inboxes (inbox_id);
--bun:split
CREATE TABLE IF NOT EXISTS password_links (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    expires_at {{.Time}} NOT NULL,
    used_at    {{.Time}},
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS password_links_staff ON password_links (staff_id);
--bun:split
CREATE TABLE IF NOT EXISTS interactions (
    id                   TEXT PRIMARY KEY,
    ref                  TEXT NOT NULL UNIQUE,
    org_id               TEXT NOT NULL REFERENCES organisations (id),
    form_id              TEXT NOT NULL REFERENCES forms (id),
    inbox_id             TEXT NOT NULL REFERENCES inboxes (id),
    channel              TEXT NOT NULL CHECK (channel IN ('web', 'sms')),
    status               TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    reporter_name_sealed {{.Bytes}},
    flagged              BOOLEAN NOT NULL,
    legal_hold           BOOLEAN NOT NULL,
    -- SHA-256 of the conversation token; NULL once erased.
    token_hash           TEXT UNIQUE,
    email_sealed         {{.Bytes}},
    email_index          TEXT,
    phone_sealed         {{.Bytes}},
    phone_index          TEXT,
    created_at           {{.Time}} NOT NULL,
    last_activity_at     {{.Time}} NOT NULL,
    closed_at            {{.Time}},
    erased_at            {{.Time}}
);
--bun:split
CREATE INDEX IF NOT EXISTS interactions_org_activity ON interactions (org_id, last_activity_at);
--bun:split
CREATE INDEX IF NOT EXISTS interactions_inbox_activity ON interactions (inbox_id, last_activity_at);
--bun:split
CREATE INDEX IF NOT EXISTS interactions_email ON interactions (email_index) WHERE email_index IS NOT NULL;
--bun:split
CREATE INDEX IF NOT EXISTS interactions_phone ON interactions (phone_index) WHERE phone_index IS NOT NULL;
--bun:split
CREATE TABLE IF NOT EXISTS messages (
    id             TEXT PRIMARY KEY,
    interaction_id TEXT NOT NULL REFERENCES interactions (id),
    author         TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
    staff_id       TEXT REFERENCES staff (id),
    body_sealed    {{.Bytes}},
    ip_sealed      {{.Bytes}},
    location_sealed {{.Bytes}},
    network_sealed {{.Bytes}},
    created_at     {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS messages_interaction ON messages (interaction_id, created_at);
