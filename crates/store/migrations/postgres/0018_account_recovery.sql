-- Account recovery (issue 15): one-time recovery codes for a lost authenticator, and the steps an account must
-- take at its next sign-in before anything else (a password set by someone else is replaced by the user's own;
-- a second factor an administrator removed is set up again).

-- Set when an administrator chose the password (a new account, `alliance user reset-access`); cleared when the
-- user sets their own.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
-- Set when an administrator removed the account's second factor; cleared when a new one is confirmed.
ALTER TABLE users ADD COLUMN must_enrol_second_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- Ten codes made when a second factor is confirmed, each usable once in place of a code from the app. Only a
-- keyed hash of each code is stored; making new codes replaces every earlier one.
CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
