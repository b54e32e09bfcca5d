-- Clinical support (issue 18).
-- A therapist's request to add the barrier check to a client's next link; it stands until the client answers a
-- barrier check after it, or the therapist withdraws it.
CREATE TABLE barrier_requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id   BIGINT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    reason       TEXT NOT NULL CHECK (reason IN ('not-on-track', 'therapist')),
    requested_by BIGINT REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX barrier_requests_episode ON barrier_requests (episode_id);

-- What the therapist tried to repair a rupture: a strategy from the catalogue (alliance_core::repair), the session
-- it was tried in, the rupture's onset session, and an optional note (sealed).
CREATE TABLE repair_attempts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    episode_id      BIGINT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    rupture_session BIGINT NOT NULL,
    tried_session   BIGINT NOT NULL,
    strategy        TEXT NOT NULL,
    note            TEXT,
    recorded_by     BIGINT REFERENCES users (id),
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX repair_attempts_episode ON repair_attempts (episode_id);

-- How an episode ended, when the therapist said: the dropout warning refits its weights on the practice's ended
-- episodes that say whether the client dropped out.
CREATE TABLE episode_endings (
    episode_id BIGINT PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL CHECK (reason IN ('completed', 'dropped-out', 'referred', 'other'))
);
