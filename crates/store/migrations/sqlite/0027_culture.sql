-- Culture in the relationship (issue 20, item 2). What a client says about their background, in their own words,
-- one row per category the practice asks about (`--background-categories`), each given with the client's consent
-- on their own page and changed or removed there by them. `text` is sealed (cipher::BACKGROUND_TEXT). Beside the
-- words: whether it matters in their therapy and whether they feel their therapist shares it (yes, no, unsure),
-- which the research report reads as the client-therapist match. The culture item itself is an item of the
-- relationship check and the reflection, stored with their answers.
CREATE TABLE client_background (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    category     TEXT NOT NULL,
    text         TEXT NOT NULL,
    matters      TEXT NOT NULL CHECK (matters IN ('yes', 'no', 'unsure')),
    shared       TEXT NOT NULL CHECK (shared IN ('yes', 'no', 'unsure')),
    consented_at INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (client_id, category)
);
