-- The nightly purge asks each organisation whether an open interaction is
-- due by its last activity (adapters/store/erase.go,
-- OrganisationsToPurge). Migration 51 expected interactions_retention to
-- answer, but at national scale (issue #23) PostgreSQL chose
-- interactions_cases (org_id, status, …) and read every open interaction
-- of each of 5,000 organisations to test its last activity: 1.4 s a night
-- spent finding nothing. This index holds open interactions alone, by
-- organisation and last activity, so the probe is one seek, as
-- interactions_closing makes it for closed ones.
--
-- Built CONCURRENTLY on PostgreSQL, outside a transaction; a build that
-- failed half-way leaves an invalid index, dropped first.
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_opening{{else}}DROP INDEX IF EXISTS interactions_opening{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_opening ON interactions (org_id, last_activity_at) WHERE erased_at IS NULL AND status = 'open';
