-- A waiting-room tablet (issue 16, item 7). An administrator sets one up for a practice location; its address
-- holds a token of which only the hash is kept. The therapist reads a short one-time code to the client, who types
-- it on the tablet to open their check. A code is kept as a keyed hash; the check link it opens is stored sealed
-- (under the link's id), since the server must open it for the tablet; a code works once and for 15 minutes.
CREATE TABLE kiosks (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE kiosk_codes (
    link_id    INTEGER PRIMARY KEY REFERENCES links (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL UNIQUE,
    token      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    kiosk_id   INTEGER REFERENCES kiosks (id)
);
