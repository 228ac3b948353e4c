-- The rules of migration 20261205000017, kept by the database whatever a
-- program does: one name per form, one inbox for texts per form, and no
-- new interaction in an archived inbox. The last is checked under a
-- share lock on the inbox, so that a report racing an admin archiving its
-- inbox either commits first or is refused (SQLSTATE WE002 on PostgreSQL,
-- SQLITE_CONSTRAINT_TRIGGER with "archived:" on SQLite; the store turns
-- both into domain.ErrInboxArchived).
CREATE UNIQUE INDEX inboxes_form_name_key ON inboxes (form_id, name_key);
--bun:split
CREATE UNIQUE INDEX inboxes_form_texts ON inboxes (form_id) WHERE receives_texts;
--bun:split
{{if .Postgres -}}
CREATE OR REPLACE FUNCTION whisper_inbox_takes_reports() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    archived {{.Time}};
BEGIN
    SELECT archived_at INTO archived FROM inboxes WHERE id = NEW.inbox_id FOR SHARE;
    IF archived IS NOT NULL THEN
        RAISE EXCEPTION 'archived: an archived inbox takes no new reports' USING ERRCODE = 'WE002';
    END IF;
    RETURN NEW;
END
$$
{{- else -}}
CREATE TRIGGER IF NOT EXISTS interactions_inbox_takes_reports BEFORE INSERT ON interactions
WHEN (SELECT archived_at FROM inboxes WHERE id = NEW.inbox_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'archived: an archived inbox takes no new reports');
END
{{- end}};
--bun:split
{{if .Postgres -}}
CREATE TRIGGER interactions_inbox_takes_reports BEFORE INSERT ON interactions FOR EACH ROW
EXECUTE FUNCTION whisper_inbox_takes_reports()
{{- else -}}
SELECT 1
{{- end}};
