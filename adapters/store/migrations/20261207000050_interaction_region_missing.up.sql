-- The interactions written before migration 49 that have no region yet,
-- so that the sweep's FillRegions finds the next batch from this index
-- alone: walking the primary key past every row already filled made each
-- batch slower than the last (issue #23). Interactions with no message
-- stay here until their first message gives them a region; they are few.
--
-- Built CONCURRENTLY on PostgreSQL, outside a transaction, so that reports
-- keep arriving while it builds; a build that failed half-way leaves an
-- invalid index, dropped first. Then PostgreSQL analyses the table: until it does,
-- PostgreSQL guesses that few rows have no region (it has no statistics of
-- the new column) and reads them all, sorting, at every batch.
{{if .Postgres}}DROP INDEX CONCURRENTLY IF EXISTS interactions_region_missing{{else}}DROP INDEX IF EXISTS interactions_region_missing{{end}};
--bun:split
CREATE INDEX {{if .Postgres}}CONCURRENTLY {{end}}IF NOT EXISTS interactions_region_missing ON interactions (id) WHERE region_index IS NULL;
--bun:split
{{if .Postgres}}ANALYZE interactions{{else}}SELECT 1{{end}};
