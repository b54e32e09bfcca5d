-- Alliance schema, PostgreSQL. The same tables as the SQLite schema, with PostgreSQL's types and a few more
-- constraints. Times are Unix seconds (UTC) in BIGINT, as in SQLite; calendar dates are DATE; hashes and
-- secrets are BYTEA. Text that is sorted for display (names, pseudonyms, roles) uses the "C" collation, so
-- lists come out in the same (byte) order as from SQLite whatever the database's locale.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT COLLATE "C" NOT NULL,
    role          TEXT COLLATE "C" NOT NULL
                  CHECK (role IN ('administrator', 'supervisor', 'therapist', 'researcher')),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL
);

CREATE TABLE supervision (
    supervisor_id BIGINT NOT NULL REFERENCES users (id),
    therapist_id  BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (supervisor_id, therapist_id)
);
CREATE INDEX supervision_therapist ON supervision (therapist_id);

-- Signed-in sessions. Only a hash of the cookie's token is stored.
CREATE TABLE logins (
    token_hash   BYTEA PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX logins_user ON logins (user_id);

CREATE TABLE clients (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    therapist_id BIGINT NOT NULL REFERENCES users (id),
    pseudonym    TEXT COLLATE "C" NOT NULL,
    contact      TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX clients_therapist ON clients (therapist_id);

CREATE TABLE episodes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    therapist_id BIGINT NOT NULL REFERENCES users (id),
    started_on   DATE NOT NULL,
    ended_on     DATE,
    -- Outcome measures asked with each session's check, instrument ids in order.
    measures     TEXT[] NOT NULL CHECK (array_position(measures, NULL) IS NULL),
    created_at   BIGINT NOT NULL
);
CREATE INDEX episodes_client ON episodes (client_id);
CREATE INDEX episodes_therapist ON episodes (therapist_id);

-- Numbers are given by the store (one more than the episode's last), under a lock on the episode's row.
CREATE TABLE therapy_sessions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id BIGINT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL CHECK (number > 0),
    held_on    DATE NOT NULL,
    attended   BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (episode_id, number)
);

-- A single-use link for the client: one token opens one or more questionnaires for one session.
CREATE TABLE links (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX links_session ON links (session_id);

CREATE TABLE administrations (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id         BIGINT NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    link_id            BIGINT REFERENCES links (id) ON DELETE CASCADE,
    instrument_id      TEXT NOT NULL,
    instrument_version BIGINT NOT NULL CHECK (instrument_version BETWEEN 0 AND 4294967295),
    rater              TEXT NOT NULL CHECK (rater IN ('client', 'therapist')),
    position           INTEGER NOT NULL CHECK (position >= 0),
    status             TEXT NOT NULL CHECK (status IN ('open', 'completed', 'expired', 'cancelled')),
    created_at         BIGINT NOT NULL,
    completed_at       BIGINT
);
CREATE INDEX administrations_session ON administrations (session_id);
CREATE INDEX administrations_link ON administrations (link_id);
-- A therapist has at most one questionnaire of each instrument per session (a new one replaces the old).
CREATE UNIQUE INDEX administrations_therapist_once ON administrations (session_id, instrument_id)
    WHERE rater = 'therapist';

CREATE TABLE responses (
    administration_id BIGINT PRIMARY KEY REFERENCES administrations (id) ON DELETE CASCADE,
    -- The client's or therapist's answers exactly as given (JSON text, kept byte for byte).
    answers           TEXT NOT NULL,
    flags             JSONB NOT NULL,
    submitted_at      BIGINT NOT NULL
);

CREATE TABLE scores (
    administration_id BIGINT NOT NULL REFERENCES administrations (id) ON DELETE CASCADE,
    scale_id          TEXT NOT NULL,
    -- The scale's place in the instrument's list of scores, which is the order they are read back in.
    position          INTEGER NOT NULL CHECK (position >= 0),
    value             DOUBLE PRECISION,
    answered          BIGINT NOT NULL CHECK (answered >= 0),
    missing           BIGINT NOT NULL CHECK (missing >= 0),
    prorated          BOOLEAN NOT NULL,
    band              TEXT,
    concern           BOOLEAN,
    PRIMARY KEY (administration_id, scale_id)
);

-- Who acknowledged which signal, and when. A signal is named by a key (kind and session).
CREATE TABLE signal_acknowledgements (
    client_id  BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    signal_key TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    at         BIGINT NOT NULL,
    PRIMARY KEY (client_id, signal_key)
);
CREATE INDEX signal_acknowledgements_user ON signal_acknowledgements (user_id);

-- Who touched which clinical record, when and why. Never any clinical content. The actor is not a foreign key,
-- as in SQLite: the log outlives accounts and must never refuse an entry.
CREATE TABLE audit_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor_role  TEXT,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   BIGINT,
    purpose     TEXT NOT NULL,
    address     TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
