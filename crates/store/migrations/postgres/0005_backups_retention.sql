-- Backups, retention and shared scheduled jobs.

-- Jobs that one app server runs for all (scheduled backups, retention): whoever holds the unexpired lease runs it.
CREATE TABLE job_leases (
    name         TEXT COLLATE "C" PRIMARY KEY,
    holder       TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    -- When the job last finished, so that a restarted or another server does not run it again too soon.
    last_done_at BIGINT
);
