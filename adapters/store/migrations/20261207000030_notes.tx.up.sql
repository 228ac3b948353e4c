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
