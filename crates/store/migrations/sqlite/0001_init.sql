-- Alliance schema, SQLite. Times are Unix seconds (UTC); calendar dates are ISO-8601 text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('administrator', 'supervisor', 'therapist', 'researcher')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL
);

CREATE TABLE supervision (
    supervisor_id INTEGER NOT NULL REFERENCES users (id),
    therapist_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (supervisor_id, therapist_id)
);

-- Signed-in sessions. Only a hash of the cookie's token is stored.
CREATE TABLE logins (
    token_hash   BLOB PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX logins_user ON logins (user_id);

CREATE TABLE clients (
    id           INTEGER PRIMARY KEY,
    therapist_id INTEGER NOT NULL REFERENCES users (id),
    pseudonym    TEXT NOT NULL,
    contact      TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX clients_therapist ON clients (therapist_id);

CREATE TABLE episodes (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    therapist_id INTEGER NOT NULL REFERENCES users (id),
    started_on   TEXT NOT NULL,
    ended_on     TEXT,
    -- Outcome measures asked with each session's check, comma-separated instrument ids.
    measures     TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX episodes_client ON episodes (client_id);

CREATE TABLE therapy_sessions (
    id         INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    held_on    TEXT NOT NULL,
    attended   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (episode_id, number)
);

-- A single-use link for the client: one token opens one or more questionnaires for one session.
CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX links_session ON links (session_id);

CREATE TABLE administrations (
    id                 INTEGER PRIMARY KEY,
    session_id         INTEGER NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    link_id            INTEGER REFERENCES links (id) ON DELETE CASCADE,
    instrument_id      TEXT NOT NULL,
    instrument_version INTEGER NOT NULL,
    rater              TEXT NOT NULL CHECK (rater IN ('client', 'therapist')),
    position           INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'completed', 'expired', 'cancelled')),
    created_at         INTEGER NOT NULL,
    completed_at       INTEGER
);
CREATE INDEX administrations_session ON administrations (session_id);
CREATE INDEX administrations_link ON administrations (link_id);

CREATE TABLE responses (
    administration_id INTEGER PRIMARY KEY REFERENCES administrations (id) ON DELETE CASCADE,
    answers           TEXT NOT NULL,
    flags             TEXT NOT NULL,
    submitted_at      INTEGER NOT NULL
);

CREATE TABLE scores (
    administration_id INTEGER NOT NULL REFERENCES administrations (id) ON DELETE CASCADE,
    scale_id          TEXT NOT NULL,
    value             REAL,
    answered          INTEGER NOT NULL,
    missing           INTEGER NOT NULL,
    prorated          INTEGER NOT NULL,
    band              TEXT,
    concern           INTEGER,
    PRIMARY KEY (administration_id, scale_id)
);

-- Who acknowledged which signal, and when. A signal is named by a key (kind and session).
CREATE TABLE signal_acknowledgements (
    client_id  INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    signal_key TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    at         INTEGER NOT NULL,
    PRIMARY KEY (client_id, signal_key)
);

-- Who touched which clinical record, when and why. Never any clinical content.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    actor_role  TEXT,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   INTEGER,
    purpose     TEXT NOT NULL,
    address     TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
