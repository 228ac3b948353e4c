-- The staff list's filters (status, inbox, dates, assignee, flagged,
-- awaiting) are tested on every row a page's choice walks past, and its
-- counts on every match (adapters/store/staffview.go). With only the
-- list's order in interactions_list, each such test read the row itself:
-- at national scale (issue #23) a filter that keeps few of a large trust's
-- 60,000 live reports read all of them, 50–100 ms a page. This index
-- carries the filtered columns too, so that the choice and the counts read
-- the index alone: INCLUDE on PostgreSQL, trailing key columns on SQLite,
-- which has no INCLUDE. It replaces interactions_list, and
-- interactions_triage, a prefix of both.
--
-- Built CONCURRENTLY on PostgreSQL, outside a transaction, so that reports
-- keep arriving while it builds; a build that failed half-way leaves an
-- invalid index, dropped first. The old indexes go only once the new one
-- serves.
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_list_covering{{else}}DROP INDEX IF EXISTS interactions_list_covering{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_list_covering ON interactions (org_id, urgent, last_activity_at, id{{if .Postgres}}) INCLUDE (status, inbox_id, created_at, assignee_id, flagged, latest_author){{else}}, status, inbox_id, created_at, assignee_id, flagged, latest_author){{end}} WHERE erased_at IS NULL;
--bun:split
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_list{{else}}DROP INDEX IF EXISTS interactions_list{{end}};
--bun:split
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_triage{{else}}DROP INDEX IF EXISTS interactions_triage{{end}};
