-- Session transcripts (issue 21). At most one per session, attached by the client's therapist. `text` (the
-- transcript as uploaded) and `speakers` (which speaker was named therapist and which client: names can be the
-- client's own) are sealed (cipher::TRANSCRIPT_TEXT, cipher::TRANSCRIPT_SPEAKERS). The coding is derived and holds
-- no words: `codes` (JSON, one entry per utterance: role, word count, codes) and `markers` (JSON: kind, rule,
-- utterance span), and the session indicators as plain columns (NULL where the denominator is empty), which
-- trends, patterns and the research export read without opening the transcript. `coder` is "rules" or
-- "trained:<model hash>".
CREATE TABLE session_transcripts (
    id                      INTEGER PRIMARY KEY,
    session_id              INTEGER NOT NULL UNIQUE REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    client_id               INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    attached_by             INTEGER NOT NULL REFERENCES users (id),
    attached_at             INTEGER NOT NULL,
    text                    TEXT NOT NULL,
    speakers                TEXT NOT NULL,
    coder                   TEXT NOT NULL,
    codes                   TEXT NOT NULL,
    markers                 TEXT NOT NULL,
    utterances              INTEGER NOT NULL,
    marker_count            INTEGER NOT NULL,
    reflection_to_question  REAL,
    complex_reflections     REAL,
    open_questions          REAL,
    change_talk             REAL,
    therapist_talk          REAL,
    empathy_emotional       REAL,
    empathy_interpretations REAL,
    empathy_explorations    REAL
);
CREATE INDEX session_transcripts_client ON session_transcripts (client_id);
