-- Risk flags and acknowledged signals sealed (issue 14: whoever reads the database must not see who endorsed
-- item 9). `responses.flags` keeps its column: the store seals rows still in clear when it opens.
--
-- An acknowledgement's key names the kind of signal, so it is sealed too; a sealed value is random, so the rule
-- "the first acknowledgement stands" moves to a blind index (an HMAC of client and key, computed by the store).
-- A sealed field needs a row id of its own (its associated data and key rotation name the row), hence the new
-- table. Rows copied here keep their key in clear with no index until the store seals and indexes them at opening.
CREATE TABLE signal_acknowledgements_sealed (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    signal_index BLOB,
    signal_key   TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    at           INTEGER NOT NULL,
    UNIQUE (client_id, signal_index)
);
INSERT INTO signal_acknowledgements_sealed (client_id, signal_key, user_id, at)
    SELECT client_id, signal_key, user_id, at FROM signal_acknowledgements ORDER BY at, client_id, signal_key;
DROP TABLE signal_acknowledgements;
ALTER TABLE signal_acknowledgements_sealed RENAME TO signal_acknowledgements;
CREATE INDEX signal_acknowledgements_user ON signal_acknowledgements (user_id);
CREATE INDEX signal_acknowledgements_client ON signal_acknowledgements (client_id);
