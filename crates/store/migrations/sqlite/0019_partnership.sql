-- The client as a partner (issue 16): goals agreed in session and rated by the client at each check, tasks agreed
-- for between sessions and reported on at the next check, the client's own page behind a personal link, and the
-- therapist's dated event notes. Texts a person wrote are sealed like answers (docs/ARCHITECTURE.md#partnership).

-- Up to three goals per episode in the client's words (the store refuses a fourth open one). `status`: proposed
-- (by the client, waiting for the therapist), agreed, achieved or dropped. The row holds the current text and
-- status; `goal_history` keeps every change with its date.
CREATE TABLE goals (
    id          INTEGER PRIMARY KEY,
    episode_id  INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'agreed', 'achieved', 'dropped')),
    proposed_by TEXT NOT NULL CHECK (proposed_by IN ('therapist', 'client')),
    created_at  INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL
);
CREATE INDEX goals_episode ON goals (episode_id);

-- `text`: the goal's wording after this change (sealed), kept for a proposal, an agreement and a revision.
CREATE TABLE goal_history (
    id       INTEGER PRIMARY KEY,
    goal_id  INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    change   TEXT NOT NULL CHECK (change IN ('proposed', 'agreed', 'revised', 'achieved', 'dropped')),
    text     TEXT,
    actor_id INTEGER REFERENCES users (id)
);
CREATE INDEX goal_history_goal ON goal_history (goal_id);

-- The client's rating of progress on a goal, 0 to 10 (Goal-Based Outcomes, docs/SCIENCE.md#goal-based-outcomes),
-- given with the check of a session; a link is used once, so one rating per goal and link.
CREATE TABLE goal_ratings (
    goal_id    INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    link_id    INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 10),
    rated_at   INTEGER NOT NULL,
    PRIMARY KEY (goal_id, link_id)
);
CREATE INDEX goal_ratings_session ON goal_ratings (session_id);

-- A task agreed in a session for until the next one (sealed text).
CREATE TABLE tasks (
    id         INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id)
);
CREATE INDEX tasks_episode ON tasks (episode_id);

-- Whether the client did the task, from the next check; the first report stands. `obstacle`: what got in the
-- way, in the client's words (sealed, optional).
CREATE TABLE task_reports (
    task_id     INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    link_id     INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    session_id  INTEGER NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    done        TEXT NOT NULL CHECK (done IN ('yes', 'partly', 'no')),
    obstacle    TEXT,
    reported_at INTEGER NOT NULL
);

-- The client's own page. Its link's token is derived from the server secret, the client and `generation`, so the
-- server can show it again (on the thank-you page, to the therapist) while only its hash is stored; reissuing
-- moves the generation, revoking clears the hash. `hide_alliance`: the therapist chose not to show this client
-- their relationship ratings.
CREATE TABLE client_pages (
    client_id     INTEGER PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    generation    INTEGER NOT NULL,
    token_hash    BLOB UNIQUE,
    hide_alliance INTEGER NOT NULL DEFAULT 0,
    changed_at    INTEGER NOT NULL
);

-- Dated notes by the therapist (a medication change, a life event, a break in therapy), marked on the charts.
CREATE TABLE event_notes (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    noted_on   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('medication', 'life-event', 'break', 'other')),
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id)
);
CREATE INDEX event_notes_client ON event_notes (client_id);
