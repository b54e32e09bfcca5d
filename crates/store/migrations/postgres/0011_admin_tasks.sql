-- Administrators' tasks and the list of one's own sign-ins (issues 13 and 14).

-- What the list of active sign-ins shows (ASVS 3.3.4): a short summary of the browser ("Firefox on Linux", never
-- the whole user-agent string) and the address the sign-in started from. Empty for sign-ins made before.
ALTER TABLE logins ADD COLUMN browser TEXT;
ALTER TABLE logins ADD COLUMN address TEXT;

-- A one-time link to set a new password, made by an administrator. Only a hash of its token is stored; one per
-- account, so making a new link revokes the previous one. `clears_second_factor`: the administrator decided the
-- user has lost their authenticator too.
CREATE TABLE password_resets (
    user_id              BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash           BYTEA NOT NULL UNIQUE,
    created_by           BIGINT NOT NULL REFERENCES users (id),
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    clears_second_factor BOOLEAN NOT NULL DEFAULT FALSE
);

-- Clients moved from one therapist to another (a therapist leaving), one row per client and move. The record moves;
-- what the previous therapist wrote about their own reactions stays theirs (see docs/ARCHITECTURE.md): pages show a
-- therapist's reflections only from sessions held since the client came to them.
CREATE TABLE client_moves (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id      BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    from_therapist BIGINT NOT NULL REFERENCES users (id),
    to_therapist   BIGINT NOT NULL REFERENCES users (id),
    moved_by       BIGINT REFERENCES users (id),
    moved_at       BIGINT NOT NULL
);
CREATE INDEX client_moves_client ON client_moves (client_id);
