-- A staff reply texted to a reporter starts with the replier's first
-- name, sealed like the reply itself and forgotten with it once sent.
ALTER TABLE outbox ADD COLUMN staff_name_sealed {{.Bytes}};
