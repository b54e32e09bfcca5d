-- Accounts hardening: idle expiry of sign-ins, the TOTP second factor, pending two-step sign-ins and sign-in
-- throttling. Times are Unix seconds (UTC).

-- A sign-in also ends after this many seconds without use.
ALTER TABLE logins ADD COLUMN idle_seconds BIGINT NOT NULL DEFAULT 1800;

-- One TOTP factor per account. The secret has its own column so it can be encrypted per field. `last_step` is the
-- last accepted 30-second time step: a code of that step or an earlier one is never accepted again.
CREATE TABLE totp_factors (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    last_step  BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- A sign-in whose password was right and which waits for the second factor. Only a hash of its token is stored.
CREATE TABLE pending_logins (
    token_hash BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_logins_user ON pending_logins (user_id);

-- Counters that slow down password guessing, shared by every app server. `key` is a keyed hash naming an account,
-- an address or a device (never the e-mail address or the address itself).
CREATE TABLE sign_in_throttle (
    key           BYTEA PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
