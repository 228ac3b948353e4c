-- The staff list chooses a page by identifier alone, then joins only that
-- page's rows (adapters/store/staffview.go, issue #23). This index serves
-- the choice from the index alone, in the list's order (urgent apart,
-- latest activity first, then id): a deep page of a large organisation's
-- list walks index entries, not its rows. It extends interactions_triage
-- with the id that breaks ties.
--
-- Built CONCURRENTLY on PostgreSQL, outside a transaction, so that reports
-- keep arriving while it builds (docs/operations.md, "Upgrades"); a build
-- that failed half-way leaves an invalid index, dropped first.
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_list{{else}}DROP INDEX IF EXISTS interactions_list{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_list ON interactions (org_id, urgent, last_activity_at, id) WHERE erased_at IS NULL;
