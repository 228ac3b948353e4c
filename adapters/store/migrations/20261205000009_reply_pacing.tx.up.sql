-- Reporter replies are paced (issue #15). A burst of replies to one
-- interaction sends each alert recipient one "new reply" alert at once and
-- one trailing alert at the end of a 15-minute window that counts the
-- rest; a texter over the hourly reply limit is told so once an hour.
--
-- How many replies a reporter sent in the last hour is counted from
-- messages itself (author, created_at) through messages_interaction
-- (interaction_id, created_at): a range of at most one hour of one
-- interaction's messages.
--
-- How many events an outbox row announces: a trailing reply alert counts
-- the replies it stands for; every other delivery announces one.
ALTER TABLE outbox ADD COLUMN item_count INTEGER NOT NULL DEFAULT 1;
--bun:split
-- Where one recipient's reply alerts about one interaction stand. The
-- recipient is a blind index of their address. Written only while the
-- interaction's row is held, so replies at the same moment take turns.
-- Erasure deletes the rows of what it erases.
CREATE TABLE IF NOT EXISTS reply_alerts (
    interaction_id  TEXT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    recipient_index TEXT NOT NULL,
    -- The end of the window the last alert sent opened: until then, a
    -- reply waits for the trailing alert.
    window_ends_at  {{.Time}} NOT NULL,
    -- The trailing alert, still to go at window_ends_at, and how many
    -- replies it counts; NULL and 0 when none is scheduled.
    pending_id      TEXT,
    pending_count   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (interaction_id, recipient_index)
);
--bun:split
-- When a texter over the reply limit was last told so, per interaction.
CREATE TABLE IF NOT EXISTS reply_limit_notices (
    interaction_id TEXT PRIMARY KEY REFERENCES interactions (id) ON DELETE CASCADE,
    last_sent_at   {{.Time}} NOT NULL
);
--bun:split
-- A reply alert's subject is now its inbox and form alone; the email adds
-- "New reply in" or the count. Alerts still waiting lose the old prefix.
UPDATE outbox SET subject = SUBSTR(subject, 14)
WHERE kind = 'staff_reply' AND status = 'pending' AND subject LIKE 'New reply in %';
