-- Deliveries waiting to be sent, blocks on reporters, and each
-- organisation's own swear words.

ALTER TABLE organisations ADD COLUMN swear_words TEXT NOT NULL DEFAULT '[]';
--bun:split
CREATE TABLE IF NOT EXISTS outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    to_sealed       {{.Bytes}} NOT NULL,
    link_sealed     {{.Bytes}},
    subject         TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL CHECK (language IN ('en', 'cy')),
    org_id          TEXT REFERENCES organisations (id),
    interaction_id  TEXT REFERENCES interactions (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{.Time}} NOT NULL,
    created_at      {{.Time}} NOT NULL,
    sent_at         {{.Time}}
);
--bun:split
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
--bun:split
CREATE INDEX IF NOT EXISTS outbox_interaction ON outbox (interaction_id);
--bun:split
CREATE TABLE IF NOT EXISTS blocks (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'ip')),
    value_index TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    expires_at {{.Time}},
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS blocks_value ON blocks (value_index);
