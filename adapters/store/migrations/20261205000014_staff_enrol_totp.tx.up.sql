-- A member whose authenticator an admin or the operator reset must set one
-- up again at their next sign-in, whatever their organisation requires.
ALTER TABLE staff ADD COLUMN totp_enrol BOOLEAN NOT NULL DEFAULT FALSE;
