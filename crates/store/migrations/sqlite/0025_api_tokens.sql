-- Personal access tokens for the JSON API (issue 19, part 4). A staff user makes one on their account page (or an
-- operator with `alliance user token`); it is shown once and only its SHA-256 hash is kept. A token acts as its
-- user, with the same role and record rules as their sign-in, and is read only unless its scope is read-write.
-- It ends at its expiry, when revoked, or when its user is deactivated (checked on every use).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'read-write')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
