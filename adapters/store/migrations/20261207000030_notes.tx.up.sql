-- Internal notes (issue #20): what staff write about a case for one
-- another, never shown or sent to the reporter. The text is sealed as a
-- message's is ("notes.body:<id>"); the writer is a member of staff.
-- Erasing the interaction deletes its notes: they are about the reporter
-- too, and nothing of them serves statistics.
CREATE TABLE IF NOT EXISTS notes (
    id             TEXT PRIMARY KEY,
    interaction_id TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    staff_id       TEXT NOT NULL REFERENCES staff (id),
    body_sealed    {{.Bytes}} NOT NULL,
    created_at     {{.Time}} NOT NULL
);
--bun:split
-- An interaction's notes in time order, for its page, the export, search
-- and erasure.
CREATE INDEX IF NOT EXISTS notes_interaction ON notes (interaction_id, created_at);
--bun:split
-- Erasure is final for notes too (see 20261204000007_erasure_is_final): the
-- database refuses a note written to, or into, an erased interaction.
{{if .Postgres -}}
CREATE TRIGGER notes_of_erased BEFORE INSERT OR UPDATE ON notes FOR EACH ROW
EXECUTE FUNCTION whisper_refuse_if_erased()
{{- else -}}
CREATE TRIGGER IF NOT EXISTS notes_of_erased_insert BEFORE INSERT ON notes
WHEN EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- end}};
--bun:split
{{if not .Postgres -}}
CREATE TRIGGER IF NOT EXISTS notes_of_erased_update BEFORE UPDATE ON notes
WHEN EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- else -}}
SELECT 1
{{- end}};
