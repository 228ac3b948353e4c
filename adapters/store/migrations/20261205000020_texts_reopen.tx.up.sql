-- A text without a code continues the number's latest conversation, open
-- or closed (a closed one is reopened, as a reply through the link
-- reopens it), so the number's conversations are looked up whatever
-- their status.
DROP INDEX IF EXISTS interactions_phone_open;
--bun:split
CREATE INDEX IF NOT EXISTS interactions_phone_latest ON interactions (phone_index, last_activity_at) WHERE phone_index IS NOT NULL;
