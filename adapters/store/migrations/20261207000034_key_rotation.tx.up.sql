-- How far `whisperctl key rotate` has gone (issue #21): one row per table
-- it re-seals, holding the last row done, so that a rotation cut short
-- carries on from there. target is the fingerprint of the key the rows are
-- being re-sealed under; a new rotation starts the rows again.
CREATE TABLE IF NOT EXISTS key_rotation (
    table_name  TEXT PRIMARY KEY,
    target      TEXT NOT NULL,
    after_key   TEXT NOT NULL,
    done        BIGINT NOT NULL,
    finished_at {{.Time}}
);
