-- A revision per client that moves with every change to what the client's overview is computed from: episodes,
-- sessions, administrations and answers (scores are written with their answer). An app server may keep computed
-- overviews and tell from one small read whether one is out of date, also when another server made the change.
-- Derived data: triggers keep it, the copier (backups, migrate-store) leaves it out, and a restore rebuilds it.
CREATE TABLE client_revisions (
    client_id INTEGER PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    revision  INTEGER NOT NULL
);

CREATE TRIGGER episodes_revise_insert AFTER INSERT ON episodes BEGIN
    INSERT INTO client_revisions (client_id, revision) VALUES (NEW.client_id, 1)
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER episodes_revise_update AFTER UPDATE ON episodes BEGIN
    INSERT INTO client_revisions (client_id, revision) VALUES (NEW.client_id, 1)
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER sessions_revise_insert AFTER INSERT ON therapy_sessions BEGIN
    INSERT INTO client_revisions (client_id, revision) SELECT client_id, 1 FROM episodes WHERE id = NEW.episode_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER sessions_revise_update AFTER UPDATE ON therapy_sessions BEGIN
    INSERT INTO client_revisions (client_id, revision) SELECT client_id, 1 FROM episodes WHERE id = NEW.episode_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER sessions_revise_delete AFTER DELETE ON therapy_sessions BEGIN
    INSERT INTO client_revisions (client_id, revision) SELECT client_id, 1 FROM episodes WHERE id = OLD.episode_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER administrations_revise_delete AFTER DELETE ON administrations BEGIN
    INSERT INTO client_revisions (client_id, revision)
        SELECT e.client_id, 1 FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id WHERE s.id = OLD.session_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER responses_revise_insert AFTER INSERT ON responses BEGIN
    INSERT INTO client_revisions (client_id, revision)
        SELECT e.client_id, 1 FROM administrations a JOIN therapy_sessions s ON s.id = a.session_id
        JOIN episodes e ON e.id = s.episode_id WHERE a.id = NEW.administration_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER responses_revise_update AFTER UPDATE ON responses BEGIN
    INSERT INTO client_revisions (client_id, revision)
        SELECT e.client_id, 1 FROM administrations a JOIN therapy_sessions s ON s.id = a.session_id
        JOIN episodes e ON e.id = s.episode_id WHERE a.id = NEW.administration_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER responses_revise_delete AFTER DELETE ON responses BEGIN
    INSERT INTO client_revisions (client_id, revision)
        SELECT e.client_id, 1 FROM administrations a JOIN therapy_sessions s ON s.id = a.session_id
        JOIN episodes e ON e.id = s.episode_id WHERE a.id = OLD.administration_id
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;

INSERT INTO client_revisions (client_id, revision) SELECT id, 1 FROM clients;
