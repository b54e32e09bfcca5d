//! Messages waiting to be sent: who gets which kind of message linking where. The message text is written at
//! delivery (by the web layer's mail job); the recipient's address is opened only then, and only for an active
//! account or a client whose link is still open. Links sent to clients are queued by `link_delivery.rs`.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::HasDb;
use crate::shared::append_audit;
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
    /// A client's check link, sent at the therapist's request.
    CheckLink,
    /// The one reminder of a client's check link still unanswered.
    CheckReminder,
}

const KINDS: [MailKind; 5] =
    [MailKind::Risk, MailKind::PasswordChanged, MailKind::PasswordReset, MailKind::CheckLink, MailKind::CheckReminder];

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Risk => "risk",
            MailKind::PasswordChanged => "password-changed",
            MailKind::PasswordReset => "password-reset",
            MailKind::CheckLink => "check-link",
            MailKind::CheckReminder => "check-reminder",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        KINDS.into_iter().find(|k| k.as_str() == text)
    }
}

/// How a message travels: e-mail, or a text message through the practice's SMS webhook (clients only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Channel::Email, Channel::Sms].into_iter().find(|c| c.as_str() == text)
    }
}

/// Who a message is for: a staff account, or a client (reached through their contact detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Account(UserId),
    Client(ClientId),
}

/// A message to queue: to an account, of a kind, linking to a path of Alliance (or, for a reset link, a full URL).
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: UserId,
    pub kind: MailKind,
    pub path: String,
}

/// A message due for delivery, with the recipient's address opened: the account's e-mail address, or the client's
/// contact detail as stored (the sender reads it as an address or a number; `None`: the client has none, or it
/// could not be opened).
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub to: Recipient,
    pub channel: Channel,
    pub address: Option<String>,
    pub kind: MailKind,
    pub path: String,
    pub attempts: u32,
    pub created_at: OffsetDateTime,
    /// The recipient's language (a staff user's or a client's), read at each attempt; `None`: not chosen.
    pub language: Option<String>,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Queues a message, due at once.
    async fn queue_mail(&self, mail: NewMail, now: OffsetDateTime) -> StoreResult<()>;
    /// Up to `limit` messages due at `now` to active accounts and clients, the oldest first. Messages to an account
    /// that is no longer active, and a client's messages whose link was answered or has expired, are given up on
    /// here.
    async fn due_mail(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<QueuedMail>>;
    /// The message was handed to the mail server (or the SMS webhook). A client's message is audited: the job
    /// opened the client's contact detail to send it.
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

pub(crate) fn kind_of(text: &str) -> StoreResult<MailKind> {
    MailKind::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown mail kind {text}")))
}

pub(crate) fn channel_of(text: &str) -> StoreResult<Channel> {
    Channel::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown channel {text}")))
}

/// Why a client's message was dropped before sending; the session page shows it like any other reason.
const LINK_CLOSED: &str = "the link was answered or expired before it was sent";

fn queued(keys: &cipher::Keyring, r: &crate::db::Row) -> StoreResult<QueuedMail> {
    let id: i64 = r.get("id")?;
    let (to, address) = match (r.get::<Option<i64>>("user_id")?, r.get::<Option<i64>>("client_id")?) {
        (Some(user), _) => {
            (Recipient::Account(UserId(user)), Some(keys.open(cipher::USER_EMAIL, user, r.get("email")?)?))
        }
        (None, Some(client)) => {
            // A contact that does not open is the sender's to give up on, not a reason to stop the round.
            let stored: Option<String> = r.get("contact")?;
            let contact = keys.open_opt(cipher::CLIENT_CONTACT, client, stored.as_deref()).ok().flatten();
            (Recipient::Client(ClientId(client)), contact)
        }
        (None, None) => return Err(StoreError::Corrupt(format!("outbox row {id} names no recipient"))),
    };
    Ok(QueuedMail {
        id,
        to,
        channel: channel_of(r.get("channel")?)?,
        address,
        kind: kind_of(r.get("kind")?)?,
        path: keys.open(cipher::MAIL_PATH, id, r.get("path")?)?,
        attempts: r.small("attempts")?,
        created_at: r.time("created_at")?,
        language: r.get("language")?,
    })
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
        // A link answered or expired needs no message (nor a reminder): never send one after.
        db.query(
            "UPDATE mail_outbox SET gave_up_at = $1, last_error = $2
             WHERE sent_at IS NULL AND gave_up_at IS NULL
               AND link_id IN (SELECT id FROM links WHERE used_at IS NOT NULL OR expires_at <= $1)",
        )
        .bind_time(now)
        .bind(LINK_CLOSED)
        .execute(&db.write)
        .await?;
        let rows = db
            .query(
                "SELECT o.id, o.user_id, o.client_id, o.channel, o.kind, o.path, o.attempts, o.created_at, u.email,
                        c.contact, COALESCE(u.language, c.language) AS language
                 FROM mail_outbox o LEFT JOIN users u ON u.id = o.user_id LEFT JOIN clients c ON c.id = o.client_id
                 WHERE o.sent_at IS NULL AND o.gave_up_at IS NULL AND o.next_attempt_at <= $1
                   AND (u.active OR o.client_id IS NOT NULL)
                 ORDER BY o.next_attempt_at, o.id LIMIT $2",
            )
            .bind_time(now)
            .bind(i64::from(limit))
            .fetch_all(&db.read)
            .await?;
        rows.iter().map(|r| queued(&db.keys, r)).collect()
    }

    async fn mail_sent(&self, id: i64, at: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let row = db
            .query(
                "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2
                 RETURNING client_id, link_id",
            )
            .bind_time(at)
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
        if let Some(row) = row
            && row.get::<Option<i64>>("client_id")?.is_some()
        {
            let event =
                AuditEvent { object_id: row.get("link_id")?, ..AuditEvent::system(at, "send", "link-message", "care") };
            append_audit(&mut tx, &event).await?;
        }
        tx.commit().await
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
