-- Risk as a protocol (issue 13, item 2): acknowledging a risk signal records what was done about it.

-- What the therapist did about a client's risk signal, recorded with its acknowledgement in one transaction.
-- `action`: contacted-client, safety-plan-reviewed, referred or not-needed. `signal_key` (which risk signal) and `note` (free
-- text) are sealed under the row's id (required for not-needed: the reason). `acted_at` is when the therapist says it was done; `recorded_at`
-- when it was entered.
CREATE TABLE risk_actions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    signal_key  TEXT NOT NULL,
    action      TEXT NOT NULL,
    note        TEXT NOT NULL,
    acted_at    BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id)
);
CREATE INDEX risk_actions_client ON risk_actions (client_id);

-- The practice's crisis information, shown to a client whenever item 9 is endorsed; set by an administrator.
-- One row (`id` 1); none means the built-in text. Contacts are in order of `position`; `target` is `tel:` or
-- `https:` only (checked in `alliance_core::crisis`).
CREATE TABLE crisis_protocol (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);
CREATE TABLE crisis_contacts (
    position BIGINT PRIMARY KEY,
    label    TEXT NOT NULL,
    target   TEXT NOT NULL
);
