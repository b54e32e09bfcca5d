-- "Seen" per signal and reader (issue 13, item 1; docs/TRIAGE.md#lifecycle): a signal is New for a reader until the
-- client page showing it has been opened by that reader. The signal is named only by its blind index (an HMAC of
-- client and signal key under the database secret, as for acknowledgements): a database reader must not learn
-- which kind of signal a client had. The index cannot be recomputed, so a database rekey clears this table (the
-- signals then read as new again until each reader opens the client's page).
CREATE TABLE signal_seen (
    client_id    BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    signal_index BYTEA NOT NULL,
    seen_at      BIGINT NOT NULL,
    PRIMARY KEY (client_id, user_id, signal_index)
);
CREATE INDEX signal_seen_user ON signal_seen (user_id);
