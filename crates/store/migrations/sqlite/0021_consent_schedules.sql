-- The client's consent and their choice to stop being asked (issue 16, item 4). Each consent is kept with the
-- version of the text the client was shown (a changed text is shown again and recorded again); the latest row is
-- the client's current choice. `research`: the client agreed that their answers, without their name, may be used
-- for research; research exports leave out everyone else.
CREATE TABLE client_consents (
    id        INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    research  INTEGER NOT NULL,
    given_at  INTEGER NOT NULL
);
CREATE INDEX client_consents_client ON client_consents (client_id);

-- "Stop asking me": while a row is here no new check link is made for the client; the client can undo it.
CREATE TABLE client_stops (
    client_id  INTEGER PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    stopped_at INTEGER NOT NULL
);

-- Which measures an episode's checks ask at which sessions (issue 16, item 5), as text such as
-- `phq9=every:2, gad7=first-last` (`alliance_core::schedule`); an episode without a row follows the practice's
-- default.
CREATE TABLE episode_schedules (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    schedule   TEXT NOT NULL
);

-- A client's choice not to be asked is a signal on their overview: it moves their revision like their answers do.
CREATE TRIGGER client_stops_revise_insert AFTER INSERT ON client_stops BEGIN
    INSERT INTO client_revisions (client_id, revision) VALUES (NEW.client_id, 1)
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER client_stops_revise_delete AFTER DELETE ON client_stops BEGIN
    INSERT INTO client_revisions (client_id, revision) VALUES (OLD.client_id, 1)
        ON CONFLICT (client_id) DO UPDATE SET revision = revision + 1;
END;
