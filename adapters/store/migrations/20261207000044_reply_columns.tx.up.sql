-- Each interaction keeps when staff first replied and who wrote its latest
-- message (adapters/store/reply_columns.go, issue #23), so that the
-- statistics page and the awaiting filter read one row an interaction,
-- not its messages. Nullable columns without a default: adding them
-- rewrites nothing. Migration 52 fills them in for the rows already there.
ALTER TABLE interactions ADD COLUMN first_staff_reply_at {{.Time}};
--bun:split
ALTER TABLE interactions ADD COLUMN latest_author TEXT;
