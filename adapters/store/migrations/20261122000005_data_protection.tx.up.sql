-- Data protection: the audit log (a hash chain), and when admins were
-- warned that an interaction is about to be erased.

CREATE TABLE IF NOT EXISTS audit_log (
    seq       BIGINT PRIMARY KEY,
    at        {{.Time}} NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    org_id    TEXT NOT NULL DEFAULT '',
    ref       TEXT NOT NULL DEFAULT '',
    reason    TEXT NOT NULL DEFAULT '',
    details   TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
--bun:split
ALTER TABLE interactions ADD COLUMN erasure_warned_at {{.Time}};
--bun:split
CREATE INDEX IF NOT EXISTS interactions_retention ON interactions (org_id, last_activity_at) WHERE erased_at IS NULL;
--bun:split
-- The region-level part of a message's location (e.g. "England, GB"),
-- which erasure keeps for statistics while the town goes.
ALTER TABLE messages ADD COLUMN region_sealed {{.Bytes}};
