-- Supervision: comments on a therapist's reflection shared for supervision, a thread between the therapist and
-- their supervisor. The body is free text in a column of its own, so per-field encryption can cover it (its
-- length is checked by the application, since a ciphertext would not fit a length constraint).
CREATE TABLE reflection_comments (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX reflection_comments_session ON reflection_comments (session_id);
