-- What the mail server or carrier answered to a delivery's latest failed
-- attempt (issue #21): the reply code (550, 451; an HTTP status for a text;
-- NULL when no answer came) and its words with every address taken out.
-- Never the recipient: an operator reads these in `whisperctl outbox list`.
-- Nullable columns without defaults: no rewrite, no long lock on PostgreSQL.
ALTER TABLE outbox ADD COLUMN last_error_code INTEGER;
--bun:split
ALTER TABLE outbox ADD COLUMN last_error_text TEXT;
