//! The practice's crisis information (text and contacts), one set for the practice, replaced as a whole by an
//! administrator with its audit entry. Not clinical data: no client in it, so it is neither sealed nor audited on
//! reading (the client's page reads it on every risk answer).

use alliance_core::crisis::{CrisisContact, CrisisProtocol};
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::db::HasDb;
use crate::shared::append_audit;
use crate::*;

#[async_trait]
pub trait CrisisInformation: Send + Sync {
    /// The practice's crisis text and contacts, or `None` while the administrator has set none.
    async fn crisis_protocol(&self) -> StoreResult<Option<CrisisProtocol>>;
    /// Replaces the practice's crisis text and contacts, with the audit entry, in one transaction.
    async fn set_crisis_protocol(
        &self,
        protocol: &CrisisProtocol,
        user: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
}

#[async_trait]
impl<S: HasDb> CrisisInformation for S {
    async fn crisis_protocol(&self) -> StoreResult<Option<CrisisProtocol>> {
        let db = self.db();
        let Some(row) = db.query("SELECT body FROM crisis_protocol WHERE id = 1").fetch_optional(&db.read).await?
        else {
            return Ok(None);
        };
        let contacts = db
            .query("SELECT label, target FROM crisis_contacts ORDER BY position")
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| Ok(CrisisContact { label: r.get("label")?, target: r.get("target")? }))
            .collect::<StoreResult<_>>()?;
        Ok(Some(CrisisProtocol { text: row.get("body")?, contacts }))
    }

    async fn set_crisis_protocol(
        &self,
        protocol: &CrisisProtocol,
        user: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query(
            "INSERT INTO crisis_protocol (id, body, updated_at, updated_by) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by",
        )
        .bind(protocol.text.as_str())
        .bind_time(now)
        .bind(user.0)
        .execute(&mut tx)
        .await?;
        db.query("DELETE FROM crisis_contacts").execute(&mut tx).await?;
        for (position, contact) in protocol.contacts.iter().enumerate() {
            db.query("INSERT INTO crisis_contacts (position, label, target) VALUES ($1, $2, $3)")
                .bind(position as i64)
                .bind(contact.label.as_str())
                .bind(contact.target.as_str())
                .execute(&mut tx)
                .await?;
        }
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }
}
