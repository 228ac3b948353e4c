-- Triage in the staff list (issue #20): who is looking after an
-- interaction, whether it is urgent, and how soon each form means to
-- answer a reporter.
--
-- assignee_id is a member who can see the interaction, or NULL. The store
-- clears it when that member is removed, loses the inbox, or the
-- interaction moves to an inbox they cannot see (adapters/store/triage.go).
ALTER TABLE interactions ADD COLUMN assignee_id TEXT REFERENCES staff (id);
--bun:split
ALTER TABLE interactions ADD COLUMN urgent BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
-- The response target: a reporter's message that has waited longer than
-- this for a reply is shown overdue in the staff list.
ALTER TABLE forms ADD COLUMN response_target_hours INTEGER NOT NULL DEFAULT 24
    CHECK (response_target_hours BETWEEN 1 AND 720);
--bun:split
-- The list shows urgent interactions first, then by latest activity; this
-- serves that order as interactions_retention serves the latter alone.
CREATE INDEX IF NOT EXISTS interactions_triage ON interactions (org_id, urgent, last_activity_at) WHERE erased_at IS NULL;
--bun:split
CREATE INDEX IF NOT EXISTS interactions_assignee ON interactions (assignee_id) WHERE assignee_id IS NOT NULL;
