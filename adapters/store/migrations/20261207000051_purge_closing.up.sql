-- The nightly purge asks each organisation whether anything is due
-- (adapters/store/erase.go, OrganisationsToPurge): an open interaction is
-- due by its last activity, found on interactions_retention, and a closed
-- one by its closing, found here, so that an organisation with nothing due
-- costs an index probe or two, not a read of all it keeps.
--
-- Built CONCURRENTLY on PostgreSQL, outside a transaction, so that reports
-- keep arriving while it builds; a build that failed half-way leaves an
-- invalid index, dropped first.
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_closing{{else}}DROP INDEX IF EXISTS interactions_closing{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_closing ON interactions (org_id, closed_at) WHERE erased_at IS NULL AND status = 'closed';
