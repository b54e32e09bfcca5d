-- Supervision that learns (issue 20, items 1 and 4).
-- A boundary event the therapist recorded about their work with a client (Gutheil & Gabbard: a crossing, not a
-- violation): its kind and the details that kind has, the day it happened, an optional note (sealed), and whether
-- the therapist takes it to supervision. The therapist who recorded it owns it, as with reflections.
CREATE TABLE boundary_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    session_id   BIGINT REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    therapist_id BIGINT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('overrun', 'contact', 'gift', 'self-disclosure', 'dual-relationship',
                                               'physical-contact', 'fee-schedule', 'other')),
    minutes      BIGINT CHECK (minutes IS NULL OR minutes BETWEEN 1 AND 600),
    channel      TEXT CHECK (channel IS NULL OR channel IN ('phone', 'text', 'email', 'social-media', 'in-person',
                                                             'other')),
    initiated_by TEXT CHECK (initiated_by IS NULL OR initiated_by IN ('client', 'therapist')),
    gift         TEXT CHECK (gift IS NULL OR gift IN ('given', 'received')),
    occurred_on  DATE NOT NULL,
    note         TEXT,
    shared       BOOLEAN NOT NULL,
    recorded_at  BIGINT NOT NULL
);
CREATE INDEX boundary_events_client ON boundary_events (client_id);
CREATE INDEX boundary_events_therapist ON boundary_events (therapist_id, shared, occurred_on);

-- A supervision meeting the supervisor recorded with one supervisee: when, and what was agreed (sealed).
CREATE TABLE supervision_meetings (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supervisor_id BIGINT NOT NULL REFERENCES users (id),
    therapist_id  BIGINT NOT NULL REFERENCES users (id),
    held_on       DATE NOT NULL,
    agreed        TEXT,
    recorded_at   BIGINT NOT NULL
);
CREATE INDEX supervision_meetings_therapist ON supervision_meetings (therapist_id, held_on);
CREATE INDEX supervision_meetings_supervisor ON supervision_meetings (supervisor_id, held_on);

-- What a meeting discussed: a client, a shared reflection (its session) or a boundary event. Each names the client,
-- so erasing the client erases what the meeting said about them.
CREATE TABLE supervision_meeting_items (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id        BIGINT NOT NULL REFERENCES supervision_meetings (id) ON DELETE CASCADE,
    client_id         BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    session_id        BIGINT REFERENCES therapy_sessions (id) ON DELETE CASCADE,
    boundary_event_id BIGINT REFERENCES boundary_events (id) ON DELETE CASCADE,
    CHECK (session_id IS NULL OR boundary_event_id IS NULL)
);
CREATE INDEX supervision_meeting_items_meeting ON supervision_meeting_items (meeting_id);
CREATE INDEX supervision_meeting_items_client ON supervision_meeting_items (client_id);

-- An action agreed in a meeting about one client (sealed text): a reminder on the therapist's next visit to that
-- client until the therapist marks it done.
CREATE TABLE supervision_actions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES supervision_meetings (id) ON DELETE CASCADE,
    client_id  BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    done_at    BIGINT
);
CREATE INDEX supervision_actions_client ON supervision_actions (client_id, done_at);
CREATE INDEX supervision_actions_meeting ON supervision_actions (meeting_id);
