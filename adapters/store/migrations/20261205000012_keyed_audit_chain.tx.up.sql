-- The audit chain becomes keyed: each entry's hash is an HMAC under a key
-- derived from the data key, so that rewriting an entry and recomputing
-- the chain needs the key, not only write access to the database. The
-- rekeying needs the keyring, so it is a Go step (keyChain in
-- adapters/store/audit.go, see goSteps in adapters/store/migrate.go) in this migration's
-- transaction, after this file. It checks the old chain first and records
-- in the log whether it was whole. The schema itself does not change; this
-- statement only gives the migration its place in the order.
SELECT 1;
