-- E-mail waiting to be sent (issue 13 item 2, issue 14 finding 5): a risk notice to a client's therapist, a notice
-- of a password change, a password-reset link. A row names the recipient account (the address is opened from
-- `users` only when the message is sent) and the path the message links to, sealed (a reset link is a secret; a
-- risk notice's path names the client's number). No message text is stored: it is written at delivery from `kind`.
-- `next_attempt_at` orders delivery and backs off after a failure; `sent_at` or `gave_up_at` ends a row.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    path            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER,
    gave_up_at      INTEGER,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
