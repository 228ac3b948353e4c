-- Bearer secrets that are checked rather than opened (staff_sessions.id_hash,
-- password_links.token_hash, staff_recovery_codes.code_hash,
-- interactions.token_hash) are kept as a keyed hash of the app's hash (see
-- adapters/store/secrets.go), not the bare hash. Rewriting the rows already
-- there needs the data key, which SQL does not have: this marks the work
-- due, and Store.Migrate does it, clearing the mark in the same transaction.
CREATE TABLE IF NOT EXISTS secret_hashes_unkeyed (
    pending BOOLEAN PRIMARY KEY
);
--bun:split
INSERT INTO secret_hashes_unkeyed (pending) VALUES (TRUE);
