-- A block remembers the interaction whose reporter it stops, so that
-- `whisperctl block list` can say where each came from. IP blocks made
-- before now get an end in this migration's Go step (endLegacyIPBlocks).
ALTER TABLE blocks ADD COLUMN ref TEXT NOT NULL DEFAULT '';
