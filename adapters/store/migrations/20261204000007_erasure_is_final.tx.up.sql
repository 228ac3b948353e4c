-- Erasure is final by construction: whatever a program does, the database
-- refuses an erased interaction that holds personal data, an erasure
-- undone, and a message text, address, town or queued delivery added to
-- an erased interaction. Its errors carry SQLSTATE WE001 on PostgreSQL
-- (and 23514 for the CHECK) and SQLITE_CONSTRAINT_TRIGGER on SQLite; the
-- store translates them into domain.ErrErased.
--
-- First repair what an earlier race may have written back, so that the
-- rules below hold for every row already there.
UPDATE interactions SET reporter_name_sealed = NULL, token_hash = NULL,
    email_sealed = NULL, email_index = NULL, phone_sealed = NULL, phone_index = NULL
WHERE erased_at IS NOT NULL AND (reporter_name_sealed IS NOT NULL OR token_hash IS NOT NULL
    OR email_sealed IS NOT NULL OR email_index IS NOT NULL OR phone_sealed IS NOT NULL OR phone_index IS NOT NULL);
--bun:split
UPDATE messages SET body_sealed = NULL, ip_sealed = NULL, location_sealed = NULL
WHERE interaction_id IN (SELECT id FROM interactions WHERE erased_at IS NOT NULL)
    AND (body_sealed IS NOT NULL OR ip_sealed IS NOT NULL OR location_sealed IS NOT NULL);
--bun:split
DELETE FROM outbox WHERE interaction_id IN (SELECT id FROM interactions WHERE erased_at IS NOT NULL);
--bun:split
{{if .Postgres -}}
ALTER TABLE interactions ADD CONSTRAINT interactions_erased_holds_nothing CHECK (erased_at IS NULL OR (
    reporter_name_sealed IS NULL AND token_hash IS NULL AND email_sealed IS NULL AND email_index IS NULL
    AND phone_sealed IS NULL AND phone_index IS NULL))
{{- else -}}
-- SQLite cannot add a CHECK to a table that exists: triggers stand in.
CREATE TRIGGER IF NOT EXISTS interactions_erased_holds_nothing_insert BEFORE INSERT ON interactions
WHEN NEW.erased_at IS NOT NULL AND (NEW.reporter_name_sealed IS NOT NULL OR NEW.token_hash IS NOT NULL
    OR NEW.email_sealed IS NOT NULL OR NEW.email_index IS NOT NULL OR NEW.phone_sealed IS NOT NULL OR NEW.phone_index IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: an erased interaction holds no personal data');
END
{{- end}};
--bun:split
{{if .Postgres -}}
CREATE OR REPLACE FUNCTION whisper_erasure_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'erased: an erasure cannot be undone' USING ERRCODE = 'WE001';
END
$$
{{- else -}}
CREATE TRIGGER IF NOT EXISTS interactions_erased_holds_nothing_update BEFORE UPDATE ON interactions
WHEN NEW.erased_at IS NOT NULL AND (NEW.reporter_name_sealed IS NOT NULL OR NEW.token_hash IS NOT NULL
    OR NEW.email_sealed IS NOT NULL OR NEW.email_index IS NOT NULL OR NEW.phone_sealed IS NOT NULL OR NEW.phone_index IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: an erased interaction holds no personal data');
END
{{- end}};
--bun:split
{{if .Postgres -}}
CREATE TRIGGER interactions_erasure_is_final BEFORE UPDATE ON interactions FOR EACH ROW
WHEN (OLD.erased_at IS NOT NULL AND NEW.erased_at IS DISTINCT FROM OLD.erased_at)
EXECUTE FUNCTION whisper_erasure_is_final()
{{- else -}}
CREATE TRIGGER IF NOT EXISTS interactions_erasure_is_final BEFORE UPDATE ON interactions
WHEN OLD.erased_at IS NOT NULL AND NEW.erased_at IS NOT OLD.erased_at
BEGIN
    SELECT RAISE(ABORT, 'erased: an erasure cannot be undone');
END
{{- end}};
--bun:split
{{if .Postgres -}}
-- The parent is read FOR SHARE: a message or delivery being added holds
-- its interaction against an erasure, and one added after an erasure
-- began waits for it, then sees it, at read committed.
CREATE OR REPLACE FUNCTION whisper_refuse_if_erased() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    erased {{.Time}};
BEGIN
    SELECT erased_at INTO erased FROM interactions WHERE id = NEW.interaction_id FOR SHARE;
    IF erased IS NOT NULL THEN
        RAISE EXCEPTION 'erased: nothing personal may be added to an erased interaction' USING ERRCODE = 'WE001';
    END IF;
    RETURN NEW;
END
$$
{{- else -}}
CREATE TRIGGER IF NOT EXISTS messages_of_erased_insert BEFORE INSERT ON messages
WHEN (NEW.body_sealed IS NOT NULL OR NEW.ip_sealed IS NOT NULL OR NEW.location_sealed IS NOT NULL)
    AND EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- end}};
--bun:split
{{if .Postgres -}}
CREATE TRIGGER messages_of_erased BEFORE INSERT OR UPDATE ON messages FOR EACH ROW
WHEN (NEW.body_sealed IS NOT NULL OR NEW.ip_sealed IS NOT NULL OR NEW.location_sealed IS NOT NULL)
EXECUTE FUNCTION whisper_refuse_if_erased()
{{- else -}}
CREATE TRIGGER IF NOT EXISTS messages_of_erased_update BEFORE UPDATE ON messages
WHEN (NEW.body_sealed IS NOT NULL OR NEW.ip_sealed IS NOT NULL OR NEW.location_sealed IS NOT NULL)
    AND EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- end}};
--bun:split
{{if .Postgres -}}
CREATE TRIGGER outbox_of_erased BEFORE INSERT ON outbox FOR EACH ROW
WHEN (NEW.interaction_id IS NOT NULL)
EXECUTE FUNCTION whisper_refuse_if_erased()
{{- else -}}
CREATE TRIGGER IF NOT EXISTS outbox_of_erased BEFORE INSERT ON outbox
WHEN NEW.interaction_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- end}};
