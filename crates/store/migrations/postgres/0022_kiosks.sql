-- A waiting-room tablet (issue 16, item 7). An administrator sets one up for a practice location; its address
-- holds a token of which only the hash is kept. The therapist reads a short one-time code to the client, who types
-- it on the tablet to open their check. A code is kept as a keyed hash; the check link it opens is stored sealed
-- (under the link's id), since the server must open it for the tablet; a code works once and for 15 minutes.
CREATE TABLE kiosks (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE kiosk_codes (
    link_id    BIGINT PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL UNIQUE,
    token      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    kiosk_id   BIGINT REFERENCES kiosks (id)
);
