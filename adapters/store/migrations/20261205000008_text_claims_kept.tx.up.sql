-- Inbound texts are claimed for good: a webhook nonce or a carrier message
-- id once accepted is refused for as long as the service runs, where the
-- tables of 20261122000004 were forgotten after a week. Each is kept as the
-- first 16 bytes of its keyed hash (HMAC-SHA256 under the store's index
-- key), not in clear: a few bytes a text, never forgotten. SQLite keeps
-- them WITHOUT ROWID, so the hash is stored once, as the key, not twice.
--
-- The old tables hold nonces and ids in clear, and a SQL migration cannot
-- compute the keyed hash: the store's Migrate moves their rows into these
-- tables and drops them (see claimLegacyTexts), so nothing accepted before
-- this release becomes new again.
CREATE TABLE IF NOT EXISTS seen_nonces (
    hash {{.Bytes}} PRIMARY KEY CHECK (length(hash) = 16)
){{if not .Postgres}} WITHOUT ROWID{{end}};
--bun:split
CREATE TABLE IF NOT EXISTS seen_messages (
    hash {{.Bytes}} PRIMARY KEY CHECK (length(hash) = 16)
){{if not .Postgres}} WITHOUT ROWID{{end}};
