-- Fills in migration 44's columns for the interactions already there, with
-- the definition the store keeps them by (reply_columns.go): the earliest
-- staff message, and the author of the latest message by time, then id.
--
-- Not in a transaction: on PostgreSQL the rows are updated a few thousand
-- at a time in id order, each batch committed on its own, so that no
-- interaction stays locked for long while reports keep arriving, and a
-- run cut short keeps what it did (running it again redoes it all, to the
-- same result). SQLite holds the one write slot throughout a migration
-- anyway; its one statement commits on its own.
{{if .Postgres -}}
DO $$
DECLARE
    after TEXT := '';
    upto TEXT;
BEGIN
    LOOP
        SELECT max(id) INTO upto FROM (SELECT id FROM interactions WHERE id > after ORDER BY id LIMIT 5000) AS batch;
        EXIT WHEN upto IS NULL;
        UPDATE interactions SET
            first_staff_reply_at = (SELECT MIN(m.created_at) FROM messages AS m
                WHERE m.interaction_id = interactions.id AND m.author = 'staff'),
            latest_author = (SELECT m.author FROM messages AS m WHERE m.interaction_id = interactions.id
                ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
        WHERE id > after AND id <= upto;
        COMMIT;
        after := upto;
    END LOOP;
END
$$
{{- else -}}
UPDATE interactions SET
    first_staff_reply_at = (SELECT MIN(m.created_at) FROM messages AS m
        WHERE m.interaction_id = interactions.id AND m.author = 'staff'),
    latest_author = (SELECT m.author FROM messages AS m WHERE m.interaction_id = interactions.id
        ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
{{- end}};
