-- Inbound SMS: webhook nonces (a replayed request is refused), carrier
-- message ids (a text delivered twice is stored once), and when a number
-- last got the help text (at most one a day). Numbers are blind indexes.

CREATE TABLE IF NOT EXISTS webhook_nonces (
    nonce   TEXT PRIMARY KEY,
    seen_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS webhook_nonces_seen ON webhook_nonces (seen_at);
--bun:split
CREATE TABLE IF NOT EXISTS sms_inbound (
    message_uuid TEXT PRIMARY KEY,
    received_at  {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE IF NOT EXISTS sms_help (
    phone_index  TEXT PRIMARY KEY,
    last_sent_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX IF NOT EXISTS interactions_phone_open ON interactions (phone_index, last_activity_at) WHERE phone_index IS NOT NULL AND status = 'open';
