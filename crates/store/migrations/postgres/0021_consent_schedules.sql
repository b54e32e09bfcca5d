-- The client's consent and their choice to stop being asked (issue 16, item 4). Each consent is kept with the
-- version of the text the client was shown (a changed text is shown again and recorded again); the latest row is
-- the client's current choice. `research`: the client agreed that their answers, without their name, may be used
-- for research; research exports leave out everyone else.
CREATE TABLE client_consents (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    version   BIGINT NOT NULL,
    research  BOOLEAN NOT NULL,
    given_at  BIGINT NOT NULL
);
CREATE INDEX client_consents_client ON client_consents (client_id);

-- "Stop asking me": while a row is here no new check link is made for the client; the client can undo it.
CREATE TABLE client_stops (
    client_id  BIGINT PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    stopped_at BIGINT NOT NULL
);

-- Which measures an episode's checks ask at which sessions (issue 16, item 5), as text such as
-- `phq9=every:2, gad7=first-last` (`alliance_core::schedule`); an episode without a row follows the practice's
-- default.
CREATE TABLE episode_schedules (
    episode_id BIGINT PRIMARY KEY REFERENCES episodes (id) ON DELETE CASCADE,
    schedule   TEXT NOT NULL
);

-- A client's choice not to be asked is a signal on their overview: it moves their revision like their answers do.
CREATE FUNCTION client_stop_revise() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    INSERT INTO client_revisions (client_id, revision) VALUES (r.client_id, 1)
        ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER client_stops_revise AFTER INSERT OR DELETE ON client_stops
    FOR EACH ROW EXECUTE FUNCTION client_stop_revise();
