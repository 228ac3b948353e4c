-- Bearer secrets that are checked rather than opened (staff_sessions.id_hash,
-- password_links.token_hash, staff_recovery_codes.code_hash,
-- interactions.token_hash) are kept as a keyed hash of the app's hash (see
-- adapters/store/secrets.go), not the bare hash. Rewriting the rows already
-- there needs the data key, which SQL does not have: keySecretHashes does it
-- in this migration's transaction, after this file (see goSteps in
-- adapters/store/migrate.go). The schema does not change; this statement only
-- gives the migration its place in the order.
SELECT 1;
