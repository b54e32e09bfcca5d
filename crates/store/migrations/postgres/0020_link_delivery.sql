-- A client's check link sent by e-mail or text message, and one reminder (issue 16, item 6). An outbox row now names
-- either a staff account (`user_id`) or a client (`client_id`); a client's address is opened from the sealed
-- `clients.contact` only when the message is sent, never copied here. `link_id` ties a message to the link it
-- carries (the link's path, with its token, stays sealed in `path`), so the sender can drop a message whose link was
-- answered or has expired, and the session page can say how delivery went. At most one message of each kind per link
-- (the link, its reminder): the unique index holds that even when two servers queue at once.
ALTER TABLE mail_outbox ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE mail_outbox ADD COLUMN client_id BIGINT REFERENCES clients (id) ON DELETE CASCADE;
ALTER TABLE mail_outbox ADD COLUMN link_id BIGINT REFERENCES links (id) ON DELETE CASCADE;
ALTER TABLE mail_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_one_recipient CHECK ((user_id IS NULL) <> (client_id IS NULL));
CREATE UNIQUE INDEX mail_outbox_one_per_link ON mail_outbox (link_id, kind) WHERE link_id IS NOT NULL;
CREATE INDEX mail_outbox_client ON mail_outbox (client_id) WHERE client_id IS NOT NULL;
