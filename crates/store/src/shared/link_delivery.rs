//! Clients' check links sent through the outbox (issue 16, item 6): the message a therapist asks for, the one
//! reminder of a link still unanswered, and how delivery went for a session's links. A link's path holds its
//! token, so it is sealed like a reset link; the client's address is never copied here (the outbox opens the
//! contact detail when it sends). At most one message of each kind per link, held by a unique index, so neither
//! a double click nor two servers' reminder jobs send a link twice.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::{HasDb, Tx};
use crate::shared::append_audit;
use crate::shared::outbox::{channel_of, kind_of};
use crate::*;

/// A link to send to a client.
#[derive(Debug, Clone)]
pub struct NewLinkMessage {
    pub client: ClientId,
    pub link: LinkId,
    pub channel: Channel,
    /// The link's full address (it holds the token).
    pub path: String,
}

/// How one message carrying a session's link went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMessage {
    pub link: LinkId,
    pub kind: MailKind,
    pub channel: Channel,
    pub sent_at: Option<OffsetDateTime>,
    pub gave_up_at: Option<OffsetDateTime>,
    pub attempts: u32,
    /// Why the last attempt failed, in words that name nobody (the sender's reason, or why it was dropped).
    pub last_error: Option<String>,
}

#[async_trait]
pub trait LinkDelivery: Send + Sync {
    /// Queues a client's link with the therapist's audit entry, in one transaction; `false` when this link was
    /// already queued (nothing is added, nothing audited).
    async fn queue_link_message(
        &self,
        message: NewLinkMessage,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Queues the reminder of every link made at or before `made_before` whose message was sent, that is still open
    /// at `now` and has no reminder yet, unless the client asked not to be asked; each with a system audit entry.
    /// Returns how many were queued.
    async fn queue_link_reminders(&self, made_before: OffsetDateTime, now: OffsetDateTime) -> StoreResult<u32>;
    /// The messages of a session's links, oldest first.
    async fn link_messages(&self, session: SessionId) -> StoreResult<Vec<LinkMessage>>;
}

/// Inserts one message for a link unless the link has one of this kind; the path is sealed under the new row's id.
async fn insert(
    db: &crate::db::Db,
    tx: &mut Tx,
    message: &NewLinkMessage,
    kind: MailKind,
    now: OffsetDateTime,
) -> StoreResult<Option<i64>> {
    let row = db
        .query(
            "INSERT INTO mail_outbox (client_id, link_id, channel, kind, path, created_at, next_attempt_at, attempts)
             VALUES ($1, $2, $3, $4, '', $5, $5, 0) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(message.client.0)
        .bind(message.link.0)
        .bind(message.channel.as_str())
        .bind(kind.as_str())
        .bind_time(now)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.get("id")?;
    db.query("UPDATE mail_outbox SET path = $1 WHERE id = $2")
        .bind(db.keys.seal(cipher::MAIL_PATH, id, &message.path))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(Some(id))
}

#[async_trait]
impl<S: HasDb> LinkDelivery for S {
    async fn queue_link_message(
        &self,
        message: NewLinkMessage,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let queued = insert(db, &mut tx, &message, MailKind::CheckLink, now).await?.is_some();
        if queued {
            append_audit(&mut tx, &AuditEvent { object_id: Some(message.link.0), ..audit }).await?;
        }
        tx.commit().await?;
        Ok(queued)
    }

    async fn queue_link_reminders(&self, made_before: OffsetDateTime, now: OffsetDateTime) -> StoreResult<u32> {
        let db = self.db();
        let due = db
            .query(
                "SELECT o.id, o.client_id, o.link_id, o.channel, o.path FROM mail_outbox o JOIN links l ON l.id = o.link_id
                 WHERE o.kind = $1 AND o.sent_at IS NOT NULL AND l.used_at IS NULL AND l.expires_at > $2
                   AND l.created_at <= $3
                   AND NOT EXISTS (SELECT 1 FROM mail_outbox r WHERE r.link_id = o.link_id AND r.kind = $4)
                   AND NOT EXISTS (SELECT 1 FROM client_stops st WHERE st.client_id = o.client_id)
                 ORDER BY o.id",
            )
            .bind(MailKind::CheckLink.as_str())
            .bind_time(now)
            .bind_time(made_before)
            .bind(MailKind::CheckReminder.as_str())
            .fetch_all(&db.read)
            .await?;
        let mut queued = 0;
        for r in &due {
            let (client, link): (Option<i64>, Option<i64>) = (r.get("client_id")?, r.get("link_id")?);
            let (Some(client), Some(link)) = (client, link) else { continue };
            let message = NewLinkMessage {
                client: ClientId(client),
                link: LinkId(link),
                channel: channel_of(r.get("channel")?)?,
                path: db.keys.open(cipher::MAIL_PATH, r.get("id")?, r.get("path")?)?,
            };
            let mut tx = db.begin().await?;
            // Another server may have queued it since the read: the unique index makes that a no-op.
            if insert(db, &mut tx, &message, MailKind::CheckReminder, now).await?.is_some() {
                let event = AuditEvent { object_id: Some(link), ..AuditEvent::system(now, "remind", "link", "care") };
                append_audit(&mut tx, &event).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    async fn link_messages(&self, session: SessionId) -> StoreResult<Vec<LinkMessage>> {
        let db = self.db();
        db.query(
            "SELECT o.link_id, o.kind, o.channel, o.sent_at, o.gave_up_at, o.attempts, o.last_error
             FROM mail_outbox o JOIN links l ON l.id = o.link_id WHERE l.session_id = $1 ORDER BY o.id",
        )
        .bind(session.0)
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|r| {
            Ok(LinkMessage {
                link: LinkId(r.get("link_id")?),
                kind: kind_of(r.get("kind")?)?,
                channel: channel_of(r.get("channel")?)?,
                sent_at: r.time_opt("sent_at")?,
                gave_up_at: r.time_opt("gave_up_at")?,
                attempts: r.small("attempts")?,
                last_error: r.get("last_error")?,
            })
        })
        .collect()
    }
}
