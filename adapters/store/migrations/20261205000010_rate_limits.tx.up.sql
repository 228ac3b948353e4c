-- Rate limits shared by every instance on PostgreSQL (see limits.go): one
-- row per key, its blind index, holding the last hour counted in 60
-- one-minute buckets, newest last, and the minute of the newest.
-- UNLOGGED: counts cost no write-ahead log flush, and a crash forgets
-- them, which only lets reports in. The embedded store counts in memory
-- and needs no table.
{{if .Postgres -}}
CREATE UNLOGGED TABLE IF NOT EXISTS rate_limits (
    key_index TEXT PRIMARY KEY,
    minute    BIGINT NOT NULL,
    counts    INTEGER[] NOT NULL
)
{{- else -}}
SELECT 1
{{- end}};
