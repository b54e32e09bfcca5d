//! E-mail waiting to be sent: who gets which kind of message linking where. The message text is written at
//! delivery (by the web layer's mail job); the recipient's address is opened only then, and only for an active
//! account.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::HasDb;
use crate::*;

/// What a message is about; its words are the sender's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// A client of the recipient answered the risk item: only that, and a link.
    Risk,
    /// The recipient's password was changed (by them, or through a reset link).
    PasswordChanged,
    /// A password-reset link an administrator made for the recipient.
    PasswordReset,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Risk => "risk",
            MailKind::PasswordChanged => "password-changed",
            MailKind::PasswordReset => "password-reset",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [MailKind::Risk, MailKind::PasswordChanged, MailKind::PasswordReset].into_iter().find(|k| k.as_str() == text)
    }
}

/// A message to queue: to an account, of a kind, linking to a path of Alliance (or, for a reset link, a full URL).
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: UserId,
    pub kind: MailKind,
    pub path: String,
}

/// A message due for delivery, with the recipient's address opened.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub to: UserId,
    pub email: String,
    pub kind: MailKind,
    pub path: String,
    pub attempts: u32,
    pub created_at: OffsetDateTime,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Queues a message, due at once.
    async fn queue_mail(&self, mail: NewMail, now: OffsetDateTime) -> StoreResult<()>;
    /// Up to `limit` messages due at `now` to active accounts, the oldest first. Messages to an account that is no
    /// longer active are given up on here.
    async fn due_mail(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<QueuedMail>>;
    /// The message was handed to the mail server.
    async fn mail_sent(&self, id: i64, at: OffsetDateTime) -> StoreResult<()>;
    /// Delivery failed: tried again at `retry_at`, or given up when `None`. `why` is kept for the operator and
    /// must name no person (the sender passes the mail server's reply code and class, not the address).
    async fn mail_failed(
        &self,
        id: i64,
        why: &str,
        retry_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Messages of `to`, newest first: (kind, sent, given up). For tests and the operator's checks.
    async fn mail_of(&self, to: UserId) -> StoreResult<Vec<(MailKind, bool, bool)>>;
}

fn kind_of(text: &str) -> StoreResult<MailKind> {
    MailKind::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown mail kind {text}")))
}

#[async_trait]
impl<S: HasDb> Outbox for S {
    async fn queue_mail(&self, mail: NewMail, now: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The path is sealed under the row's id, which the insert makes.
        let row = db
            .query(
                "INSERT INTO mail_outbox (user_id, kind, path, created_at, next_attempt_at, attempts)
                 VALUES ($1, $2, '', $3, $3, 0) RETURNING id",
            )
            .bind(mail.to.0)
            .bind(mail.kind.as_str())
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?;
        let id: i64 = row.get("id")?;
        db.query("UPDATE mail_outbox SET path = $1 WHERE id = $2")
            .bind(db.keys.seal(cipher::MAIL_PATH, id, &mail.path))
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn due_mail(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<QueuedMail>> {
        let db = self.db();
        db.query(
            "UPDATE mail_outbox SET gave_up_at = $1, last_error = 'the account is not active'
             WHERE sent_at IS NULL AND gave_up_at IS NULL
               AND user_id IN (SELECT id FROM users WHERE NOT active)",
        )
        .bind_time(now)
        .execute(&db.write)
        .await?;
        let rows = db
            .query(
                "SELECT o.id, o.user_id, o.kind, o.path, o.attempts, o.created_at, u.email
                 FROM mail_outbox o JOIN users u ON u.id = o.user_id
                 WHERE o.sent_at IS NULL AND o.gave_up_at IS NULL AND o.next_attempt_at <= $1 AND u.active
                 ORDER BY o.next_attempt_at, o.id LIMIT $2",
            )
            .bind_time(now)
            .bind(i64::from(limit))
            .fetch_all(&db.read)
            .await?;
        rows.iter()
            .map(|r| {
                let (id, user): (i64, i64) = (r.get("id")?, r.get("user_id")?);
                Ok(QueuedMail {
                    id,
                    to: UserId(user),
                    email: db.keys.open(cipher::USER_EMAIL, user, r.get("email")?)?,
                    kind: kind_of(r.get("kind")?)?,
                    path: db.keys.open(cipher::MAIL_PATH, id, r.get("path")?)?,
                    attempts: r.small("attempts")?,
                    created_at: r.time("created_at")?,
                })
            })
            .collect()
    }

    async fn mail_sent(&self, id: i64, at: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        db.query("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind_time(at)
            .bind(id)
            .execute(&db.write)
            .await?;
        Ok(())
    }

    async fn mail_failed(
        &self,
        id: i64,
        why: &str,
        retry_at: Option<OffsetDateTime>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let why: String = why.chars().take(200).collect();
        let query = match retry_at {
            Some(retry) => db
                .query("UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
                .bind(why)
                .bind_time(retry),
            None => db
                .query("UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, gave_up_at = $2 WHERE id = $3")
                .bind(why)
                .bind_time(at),
        };
        query.bind(id).execute(&db.write).await?;
        Ok(())
    }

    async fn mail_of(&self, to: UserId) -> StoreResult<Vec<(MailKind, bool, bool)>> {
        let db = self.db();
        db.query(
            "SELECT kind, sent_at IS NOT NULL AS sent, gave_up_at IS NOT NULL AS gave_up FROM mail_outbox
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(to.0)
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|r| Ok((kind_of(r.get("kind")?)?, r.get("sent")?, r.get("gave_up")?)))
        .collect()
    }
}
