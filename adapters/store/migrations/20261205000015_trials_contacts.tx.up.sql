-- An organisation's contact, whom the operator writes to about the service
-- besides its admins (both sealed: a person's name and address), and the
-- trial reminders sent to its admins. A reminder is claimed by inserting
-- its row, keyed by the trial's end: of two instances sending reminders
-- at once, one inserts it and sends; a trial extended to a new end gets
-- its reminders again.

ALTER TABLE organisations ADD COLUMN contact_name_sealed {{.Bytes}};
--bun:split
ALTER TABLE organisations ADD COLUMN contact_email_sealed {{.Bytes}};
--bun:split
CREATE TABLE IF NOT EXISTS trial_reminders (
    org_id        TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    trial_ends_at {{.Time}} NOT NULL,
    days          INTEGER NOT NULL,
    sent_at       {{.Time}} NOT NULL,
    PRIMARY KEY (org_id, trial_ends_at, days)
);
