-- A school's own privacy notice, which its form and the user notice link
-- to; empty while the school has set none.
ALTER TABLE forms ADD COLUMN privacy_url TEXT NOT NULL DEFAULT '';
