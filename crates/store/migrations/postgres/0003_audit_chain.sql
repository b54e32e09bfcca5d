-- The audit log becomes an append-only hash chain (crates/store/src/audit.rs). Entries written before this
-- migration (ids up to audit_head.legacy_until) are chained once, in id order, the first time the store opens.
ALTER TABLE audit_events ADD COLUMN seq BIGINT, ADD COLUMN prev_hash BYTEA, ADD COLUMN hash BYTEA;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
-- The administrator's usual questions: who looked at this record, what did this account do.
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);

-- The end of the chain. Every append locks and updates it in the appending transaction, which serialises
-- appends across all app servers.
CREATE TABLE audit_head (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    seq          BIGINT NOT NULL,
    hash         BYTEA NOT NULL,
    legacy_until BIGINT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, legacy_until)
VALUES (1, 0, decode(repeat('00', 32), 'hex'), (SELECT COALESCE(MAX(id), 0) FROM audit_events));

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL THEN
            RAISE EXCEPTION 'audit entries are written with their place in the chain';
        END IF;
        RETURN NEW;
    END IF;
    -- Only the one-time chaining of legacy entries may update a row.
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND OLD.id <= (SELECT legacy_until FROM audit_head) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE INSERT OR UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The head only moves forward, one entry at a time. A head still at its start (seq 0, nothing chained yet) may
-- be set once to a copied chain's end, as `alliance restore` and `migrate-store` do; `audit verify` checks it.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.legacy_until = OLD.legacy_until
       AND NEW.seq IN (OLD.seq, OLD.seq + 1) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND OLD.seq = 0 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit head only moves forward';
END $$;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();

-- An administrator's time-limited read of one client. The reason lives here, not in the audit log.
CREATE TABLE break_glass_grants (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    admin_id        BIGINT NOT NULL REFERENCES users (id),
    client_id       BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    granted_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by BIGINT REFERENCES users (id)
);
CREATE INDEX break_glass_grants_client ON break_glass_grants (client_id, expires_at);
