-- The data key is checked (issue #21). One row names the key the data is
-- sealed under by its fingerprint (seal.Fingerprint: a keyed hash of a
-- fixed label, never the key), written on the first open under a key and
-- compared on every open and by /readyz, so a process given the wrong key
-- refuses to run instead of failing on every report.
CREATE TABLE IF NOT EXISTS data_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at {{.Time}} NOT NULL
);
--bun:split
-- The index keys of retired data keys, each sealed under the current one.
-- A keyed hash of a secret (a conversation link, a session, a recovery
-- code, a carrier's nonce) cannot be recomputed under a new key, since the
-- secret is not stored: lookups go on trying these keys. The one marked
-- audit_chain keys the audit chain for good, so that entries and the heads
-- operators saved before a rotation still verify after it.
CREATE TABLE IF NOT EXISTS retired_index_keys (
    fingerprint TEXT PRIMARY KEY,
    key_sealed  {{.Bytes}} NOT NULL,
    audit_chain BOOLEAN NOT NULL,
    retired_at  {{.Time}} NOT NULL
);
