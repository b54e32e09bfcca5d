-- Backups, retention and shared scheduled jobs.

-- A score's place in its instrument's list was the row's hidden rowid, which a copy in key order does not keep.
-- It becomes a column, as in PostgreSQL, so that a backup or a move between engines keeps the order.
ALTER TABLE scores ADD COLUMN position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0);
UPDATE scores SET position = (
    SELECT count(*) FROM scores earlier
    WHERE earlier.administration_id = scores.administration_id AND earlier.rowid < scores.rowid
);

-- Jobs that one app server runs for all (scheduled backups, retention): whoever holds the unexpired lease runs it.
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    -- When the job last finished, so that a restarted or another server does not run it again too soon.
    last_done_at INTEGER
);
