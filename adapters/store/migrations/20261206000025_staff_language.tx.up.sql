-- The language a member of staff reads the portal and their emails in:
-- 'en' or 'cy'. Everyone starts in English and may switch.
ALTER TABLE staff ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
