-- The purge walks each organisation's due interactions in the order they
-- fall due, each batch from where the last one ended
-- (adapters/store/erase.go, DueCandidates): open ones by last activity,
-- closed ones by closing, then by id. These indexes end with id, so that a
-- batch seeks straight to its place however many interactions share one
-- instant (closing many at once gives them one closing time); without it a
-- batch would read every one of them again. They replace migration 54's
-- interactions_opening and 51's interactions_closing, which lacked id, for
-- the purge's probes too.
--
-- Built CONCURRENTLY on PostgreSQL, outside a transaction, so that reports
-- keep arriving while they build; a build that failed half-way leaves an
-- invalid index, dropped first. The old indexes go only once the new ones
-- serve.
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_open_due{{else}}DROP INDEX IF EXISTS interactions_open_due{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_open_due ON interactions (org_id, last_activity_at, id) WHERE erased_at IS NULL AND status = 'open';
--bun:split
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_closed_due{{else}}DROP INDEX IF EXISTS interactions_closed_due{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_closed_due ON interactions (org_id, closed_at, id) WHERE erased_at IS NULL AND status = 'closed';
--bun:split
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_opening{{else}}DROP INDEX IF EXISTS interactions_opening{{end}};
--bun:split
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_closing{{else}}DROP INDEX IF EXISTS interactions_closing{{end}};
