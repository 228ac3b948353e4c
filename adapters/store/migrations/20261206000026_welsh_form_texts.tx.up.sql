-- A form's own words in Welsh, beside the English: its introduction,
-- response time and out-of-hours text, and each inbox's name (the category
-- a pupil chooses). Empty means none: the reporter then reads the other
-- language's. Two inboxes of a form may not share a Welsh name either
-- (name_cy_key, as name_key: domain.InboxNameKey); an inbox without one
-- clashes with nothing.
ALTER TABLE forms ADD COLUMN intro_cy TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE forms ADD COLUMN response_time_cy TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE forms ADD COLUMN out_of_hours_cy TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE inboxes ADD COLUMN name_cy TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE inboxes ADD COLUMN name_cy_key TEXT NOT NULL DEFAULT '';
--bun:split
CREATE UNIQUE INDEX inboxes_form_name_cy_key ON inboxes (form_id, name_cy_key) WHERE name_cy_key <> '';
