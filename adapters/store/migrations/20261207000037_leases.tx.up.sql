-- Leadership leases (issue #21): whichever instance holds the row named
-- for a job (e.g. 'sweep', the retention purge) runs it, until
-- expires_at. The holder renews the lease while the job runs and deletes
-- the row when it ends; a holder that dies just stops renewing, so its
-- lease runs out and another instance takes over. A row in a table, not
-- a session advisory lock, so that it works through a connection pooler
-- in transaction mode, where a session is not one client's. Times are the
-- database's clock, so instances with skewed clocks agree on expiry. The
-- holder names a host and process, nothing about anyone.
CREATE TABLE IF NOT EXISTS leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    taken_at   {{.Time}} NOT NULL,
    expires_at {{.Time}} NOT NULL
);
