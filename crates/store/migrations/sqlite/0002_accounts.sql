-- Accounts hardening: idle expiry of sign-ins, the TOTP second factor, pending two-step sign-ins and sign-in
-- throttling. Times are Unix seconds (UTC).

-- A sign-in also ends after this many seconds without use.
ALTER TABLE logins ADD COLUMN idle_seconds INTEGER NOT NULL DEFAULT 1800;

-- One TOTP factor per account. The secret has its own column so it can be encrypted per field. `last_step` is the
-- last accepted 30-second time step: a code of that step or an earlier one is never accepted again.
CREATE TABLE totp_factors (
    user_id    INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 0,
    last_step  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- A sign-in whose password was right and which waits for the second factor. Only a hash of its token is stored.
CREATE TABLE pending_logins (
    token_hash BLOB PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX pending_logins_user ON pending_logins (user_id);

-- Counters that slow down password guessing, shared by every app server. `key` is a keyed hash naming an account,
-- an address or a device (never the e-mail address or the address itself).
CREATE TABLE sign_in_throttle (
    key           BLOB PRIMARY KEY NOT NULL,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL
);
