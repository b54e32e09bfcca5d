-- What the therapist wants to bring to supervision about a session: a question for the supervisor, beside the
-- reflection shared for supervision. Free text, sealed by the application (per-field encryption), so no length
-- constraint here; NULL when the therapist has written none.
ALTER TABLE therapy_sessions ADD COLUMN supervision_focus TEXT;
