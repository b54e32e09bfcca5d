-- A client's check link sent by e-mail or text message, and one reminder (issue 16, item 6). An outbox row now names
-- either a staff account (`user_id`) or a client (`client_id`); a client's address is opened from the sealed
-- `clients.contact` only when the message is sent, never copied here. `link_id` ties a message to the link it
-- carries (the link's path, with its token, stays sealed in `path`), so the sender can drop a message whose link was
-- answered or has expired, and the session page can say how delivery went. At most one message of each kind per link
-- (the link, its reminder): the unique index holds that even when two servers queue at once.
-- SQLite cannot drop NOT NULL from a column: the table is rebuilt, its ids kept (a sealed path names its row).
CREATE TABLE mail_outbox_0020 (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users (id),
    kind            TEXT NOT NULL,
    path            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER,
    gave_up_at      INTEGER,
    last_error      TEXT,
    client_id       INTEGER REFERENCES clients (id) ON DELETE CASCADE,
    link_id         INTEGER REFERENCES links (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL DEFAULT 'email',
    CHECK ((user_id IS NULL) <> (client_id IS NULL))
);
INSERT INTO mail_outbox_0020
    (id, user_id, kind, path, created_at, next_attempt_at, attempts, sent_at, gave_up_at, last_error)
    SELECT id, user_id, kind, path, created_at, next_attempt_at, attempts, sent_at, gave_up_at, last_error
    FROM mail_outbox ORDER BY id;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_0020 RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE UNIQUE INDEX mail_outbox_one_per_link ON mail_outbox (link_id, kind) WHERE link_id IS NOT NULL;
CREATE INDEX mail_outbox_client ON mail_outbox (client_id) WHERE client_id IS NOT NULL;
