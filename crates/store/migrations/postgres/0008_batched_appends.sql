-- Client submissions are committed in batches (crates/store/src/group_commit): one statement writes a whole
-- batch's answers, and one a batch's audit entries.

-- The audit head may now move forward by several entries at once, but only to an entry that is in the chain: the
-- entries are written first, then the head is set to the last one's place and hash. Writing entries and head in
-- that order is as serial as before (the appender locks the head row first, `FOR UPDATE`), and the head can no
-- longer point past the chain's end. A head still at its start (seq 0) may still be set once to a copied chain's
-- end, as `alliance restore` and `migrate-store` do.
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.legacy_until = OLD.legacy_until AND NEW.seq >= OLD.seq
       AND EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq AND hash = NEW.hash) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND OLD.seq = 0 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit head only moves forward, to an entry of the chain';
END $$;

-- A batch's answers move their clients' revisions once per statement rather than once per answer, and in client
-- order, so two batches touching the same clients take the revision rows' locks in the same order.
DROP TRIGGER responses_revise ON responses;
CREATE FUNCTION client_revise_answered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO client_revisions (client_id, revision)
        SELECT DISTINCT e.client_id, 1 FROM answered n
        JOIN administrations a ON a.id = n.administration_id
        JOIN therapy_sessions s ON s.id = a.session_id
        JOIN episodes e ON e.id = s.episode_id
        ORDER BY 1
        ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER responses_revise_inserted AFTER INSERT ON responses
    REFERENCING NEW TABLE AS answered FOR EACH STATEMENT EXECUTE FUNCTION client_revise_answered();
CREATE TRIGGER responses_revise AFTER UPDATE OR DELETE ON responses FOR EACH ROW EXECUTE FUNCTION client_revise();
