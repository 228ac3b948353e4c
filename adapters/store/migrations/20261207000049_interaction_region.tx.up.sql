-- Each interaction keeps a sealed copy of its first message's region
-- ("interactions.region:<interaction id>") and a blind index of it (kind
-- "interactions.region"; "" when the message named no region), so that
-- statistics group by region in SQL (adapters/store/facts.go) instead of
-- opening every interaction's first message. Both are written with the
-- interaction's first message and kept by erasure: the region is a
-- statistic, as messages.region_sealed is. Rows written before this
-- migration keep NULL, and FactCounts counts those the old way; no step
-- here fills them, because filling millions of rows inside this
-- migration's transaction would hold the lock of ALTER TABLE for minutes.
ALTER TABLE interactions ADD COLUMN region_sealed {{.Bytes}};
--bun:split
ALTER TABLE interactions ADD COLUMN region_index TEXT;
