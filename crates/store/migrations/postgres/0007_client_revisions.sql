-- A revision per client that moves with every change to what the client's overview is computed from: episodes,
-- sessions, administrations and answers (scores are written with their answer). An app server may keep computed
-- overviews and tell from one small read whether one is out of date, also when another server made the change.
-- Derived data: triggers keep it, the copier (backups, migrate-store) leaves it out, and a restore rebuilds it.
CREATE TABLE client_revisions (
    client_id BIGINT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    revision  BIGINT NOT NULL
);

CREATE FUNCTION client_revise() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'episodes' THEN
        INSERT INTO client_revisions (client_id, revision) VALUES (r.client_id, 1)
            ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1;
    ELSIF TG_TABLE_NAME = 'therapy_sessions' THEN
        INSERT INTO client_revisions (client_id, revision)
            SELECT client_id, 1 FROM episodes WHERE id = r.episode_id
            ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1;
    ELSIF TG_TABLE_NAME = 'administrations' THEN
        INSERT INTO client_revisions (client_id, revision)
            SELECT e.client_id, 1 FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id
            WHERE s.id = r.session_id
            ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1;
    ELSIF TG_TABLE_NAME = 'responses' THEN
        INSERT INTO client_revisions (client_id, revision)
            SELECT e.client_id, 1 FROM administrations a JOIN therapy_sessions s ON s.id = a.session_id
            JOIN episodes e ON e.id = s.episode_id WHERE a.id = r.administration_id
            ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER episodes_revise AFTER INSERT OR UPDATE ON episodes FOR EACH ROW EXECUTE FUNCTION client_revise();
CREATE TRIGGER sessions_revise AFTER INSERT OR UPDATE OR DELETE ON therapy_sessions
    FOR EACH ROW EXECUTE FUNCTION client_revise();
CREATE TRIGGER administrations_revise AFTER DELETE ON administrations FOR EACH ROW EXECUTE FUNCTION client_revise();
CREATE TRIGGER responses_revise AFTER INSERT OR UPDATE OR DELETE ON responses
    FOR EACH ROW EXECUTE FUNCTION client_revise();

INSERT INTO client_revisions (client_id, revision) SELECT id, 1 FROM clients;
