-- The words of each interaction's messages and notes, for staff search
-- (issue #20): each distinct word once, folded as search compares them
-- (domain.IndexWords), sealed like the texts they come from
-- ("interaction_words.words:<interaction id>"). A search then opens one
-- short text per interaction instead of every message and note.
--
-- The row is written with the interaction and rewritten, under the
-- interaction's row lock, with each message and note added to it
-- (adapters/store/search_words.go). An interaction written before this
-- table existed has no row until housekeeping builds it; search reads such
-- an interaction's texts themselves meanwhile. Erasing the interaction
-- deletes its row. WITHOUT ROWID keeps SQLite's row in its primary key's
-- b-tree, so a search reads each one with a single seek.
CREATE TABLE IF NOT EXISTS interaction_words (
    interaction_id TEXT PRIMARY KEY REFERENCES interactions (id) ON DELETE CASCADE,
    words_sealed   {{.Bytes}} NOT NULL
){{if not .Postgres}} WITHOUT ROWID{{end}};
--bun:split
-- Erasure is final here too (see 20261204000007_erasure_is_final).
{{if .Postgres -}}
CREATE TRIGGER interaction_words_of_erased BEFORE INSERT OR UPDATE ON interaction_words FOR EACH ROW
EXECUTE FUNCTION whisper_refuse_if_erased()
{{- else -}}
CREATE TRIGGER IF NOT EXISTS interaction_words_of_erased_insert BEFORE INSERT ON interaction_words
WHEN EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- end}};
--bun:split
{{if not .Postgres -}}
CREATE TRIGGER IF NOT EXISTS interaction_words_of_erased_update BEFORE UPDATE ON interaction_words
WHEN EXISTS (SELECT 1 FROM interactions WHERE id = NEW.interaction_id AND erased_at IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'erased: nothing personal may be added to an erased interaction');
END
{{- else -}}
SELECT 1
{{- end}};
