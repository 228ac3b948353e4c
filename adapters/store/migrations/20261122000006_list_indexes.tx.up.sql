-- The staff list counts every report that matches its filters, on every
-- page it shows. This index holds just the columns those filters test, for
-- the interactions that are cases (not erased), so that the count reads the
-- index alone: by status, then inbox, as cases.Count asks for them. The
-- list's order is served by interactions_retention.
--
-- erased_at is always NULL here; it is listed so that SQLite, which does
-- not count a partial index's own condition as covered, reads no table row.

CREATE INDEX IF NOT EXISTS interactions_cases ON interactions (org_id, status, inbox_id, erased_at) WHERE erased_at IS NULL;
