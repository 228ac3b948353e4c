-- Inboxes that fit a school. name_key is an inbox's name in lower case
-- with its spaces collapsed (domain.InboxNameKey): two inboxes of one form
-- must not share it. receives_texts marks the one open inbox of a form
-- that text messages land in; archived_at, when set, stops an inbox taking
-- new reports. This migration's Go step (renameDuplicateInboxes) fills
-- name_key, renames the duplicates an older database may hold ("General"
-- and "general" become "General" and "general (2)") and marks each form's
-- first inbox for texts, where texts landed before; migration
-- 20261205000021 then adds the indexes that keep these rules.
ALTER TABLE inboxes ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE inboxes ADD COLUMN receives_texts BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE inboxes ADD COLUMN archived_at {{.Time}};
