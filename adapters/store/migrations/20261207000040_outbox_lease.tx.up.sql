-- Until when a worker holds the delivery it claimed, NULL when none does:
-- set by a claim, cleared by the claim's outcome. An operator's retry
-- (`whisperctl outbox retry`) makes a waiting or failed delivery due now,
-- and must leave alone one being sent at that moment, which would
-- otherwise be claimed and sent a second time.
ALTER TABLE outbox ADD COLUMN leased_until {{.Time}};
--bun:split
-- A failed delivery now keeps what it needs to be sent again until the
-- operator retries it or housekeeping forgets it; this finds the old ones.
CREATE INDEX IF NOT EXISTS outbox_failed ON outbox (next_attempt_at) WHERE status = 'failed';
