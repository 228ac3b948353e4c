-- The statistics of response times need, for each interaction, when staff
-- first replied. This index answers that alone, one seek an interaction:
-- its first entry for (interaction, 'staff') is the first reply, without
-- reading the messages' rows (which hold their sealed texts) to learn who
-- wrote them. A partial index (WHERE author = 'staff') would be smaller,
-- but SQLite then reads each row to check the author all the same.
CREATE INDEX IF NOT EXISTS messages_first_staff_reply ON messages (interaction_id, author, created_at);
