-- The audit log becomes an append-only hash chain (crates/store/src/audit.rs). Entries written before this
-- migration (ids up to audit_head.legacy_until) are chained once, in id order, the first time the store opens.
ALTER TABLE audit_events ADD COLUMN seq INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_events ADD COLUMN hash BLOB;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
-- The administrator's usual questions: who looked at this record, what did this account do.
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);

-- The end of the chain. Every append updates it in the appending transaction, which serialises appends.
CREATE TABLE audit_head (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    seq          INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    legacy_until INTEGER NOT NULL
);
INSERT INTO audit_head (id, seq, hash, legacy_until)
VALUES (1, 0, zeroblob(32), (SELECT COALESCE(MAX(id), 0) FROM audit_events));

CREATE TRIGGER audit_events_insert_chained BEFORE INSERT ON audit_events
WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL
BEGIN SELECT RAISE(ABORT, 'audit entries are written with their place in the chain'); END;

-- Only the one-time chaining of legacy entries may update a row.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN OLD.hash IS NOT NULL OR OLD.id > (SELECT legacy_until FROM audit_head)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The head only moves forward, one entry at a time. A head still at its start (seq 0, nothing chained yet) may
-- be set once to a copied chain's end, as `alliance restore` and `migrate-store` do; `audit verify` checks it.
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id
  OR (OLD.seq <> 0 AND (NEW.seq NOT IN (OLD.seq, OLD.seq + 1) OR NEW.legacy_until <> OLD.legacy_until))
BEGIN SELECT RAISE(ABORT, 'the audit head only moves forward'); END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head cannot be removed'); END;

-- An administrator's time-limited read of one client. The reason lives here, not in the audit log.
CREATE TABLE break_glass_grants (
    id              INTEGER PRIMARY KEY,
    admin_id        INTEGER NOT NULL REFERENCES users (id),
    client_id       INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    granted_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER REFERENCES users (id)
);
CREATE INDEX break_glass_grants_client ON break_glass_grants (client_id, expires_at);
