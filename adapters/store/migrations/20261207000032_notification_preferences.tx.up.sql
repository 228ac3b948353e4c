-- How each member of staff hears of new reports and replies in each of
-- their inboxes (issue #20): 'digest' (the daily digest only) or 'none'.
-- A member with no row for an inbox is alerted at once, as before.
CREATE TABLE IF NOT EXISTS notification_preferences (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    mode     TEXT NOT NULL CHECK (mode IN ('digest', 'none')),
    PRIMARY KEY (staff_id, inbox_id)
);
--bun:split
CREATE INDEX IF NOT EXISTS notification_preferences_inbox ON notification_preferences (inbox_id);
--bun:split
-- The daily digests sent, one row per member and local day. A digest is
-- claimed by inserting its row in the transaction that queues its email:
-- of two instances sending digests at once, one inserts it and sends.
-- A row says nothing of any report.
CREATE TABLE IF NOT EXISTS digest_claims (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day      TEXT NOT NULL,
    sent_at  {{.Time}} NOT NULL,
    PRIMARY KEY (staff_id, day)
);
