//! Waiting-room tablets and the one-time codes that open a client's check on one (issue 16, item 7).

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::HasDb;
use crate::shared::append_audit;
use crate::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kiosk {
    pub id: i64,
    /// Where it stands ("Waiting room, ground floor"): a place, never a person.
    pub name: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

#[async_trait]
pub trait Kiosks: Send + Sync {
    async fn create_kiosk(
        &self,
        name: &str,
        token_hash: &[u8],
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64>;
    async fn kiosks(&self) -> StoreResult<Vec<Kiosk>>;
    /// The working kiosk whose address holds this token.
    async fn kiosk_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Kiosk>>;
    async fn revoke_kiosk(&self, kiosk: i64, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<()>;
    /// A one-time code for a check link (made just before): the code's keyed hash and the link's token, sealed.
    async fn add_kiosk_code(
        &self,
        link: LinkId,
        code_hash: &[u8],
        token: &str,
        expires_at: OffsetDateTime,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Uses a code on a kiosk: the link's token, once per code and before it expires (a conditional update, so
    /// of two racing uses one wins); `None` for an unknown, used or expired code.
    async fn use_kiosk_code(&self, code_hash: &[u8], kiosk: i64, now: OffsetDateTime) -> StoreResult<Option<String>>;
}

fn kiosk_row(row: &crate::db::Row) -> StoreResult<Kiosk> {
    Ok(Kiosk {
        id: row.get("id")?,
        name: row.get("name")?,
        created_at: row.time("created_at")?,
        revoked_at: row.time_opt("revoked_at")?,
    })
}

#[async_trait]
impl<S: HasDb> Kiosks for S {
    async fn create_kiosk(
        &self,
        name: &str,
        token_hash: &[u8],
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query("INSERT INTO kiosks (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(token_hash)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn kiosks(&self) -> StoreResult<Vec<Kiosk>> {
        let db = self.db();
        db.query("SELECT * FROM kiosks ORDER BY id").fetch_all(&db.read).await?.iter().map(kiosk_row).collect()
    }

    async fn kiosk_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Kiosk>> {
        let db = self.db();
        let row = db
            .query("SELECT * FROM kiosks WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .fetch_optional(&db.read)
            .await?;
        row.as_ref().map(kiosk_row).transpose()
    }

    async fn revoke_kiosk(&self, kiosk: i64, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = db
            .query("UPDATE kiosks SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind_time(now)
            .bind(kiosk)
            .execute(&mut tx)
            .await?;
        if done != 1 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(kiosk), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_kiosk_code(
        &self,
        link: LinkId,
        code_hash: &[u8],
        token: &str,
        expires_at: OffsetDateTime,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query(
            "INSERT INTO kiosk_codes (link_id, code_hash, token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(link.0)
        .bind(code_hash)
        .bind(db.keys.seal(cipher::KIOSK_LINK_TOKEN, link.0, token))
        .bind_time(now)
        .bind_time(expires_at)
        .execute(&mut tx)
        .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(link.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_kiosk_code(&self, code_hash: &[u8], kiosk: i64, now: OffsetDateTime) -> StoreResult<Option<String>> {
        let db = self.db();
        let row = db
            .query(
                "UPDATE kiosk_codes SET used_at = $1, kiosk_id = $2
                 WHERE code_hash = $3 AND used_at IS NULL AND expires_at > $1 RETURNING link_id, token",
            )
            .bind_time(now)
            .bind(kiosk)
            .bind(code_hash)
            .fetch_optional(&db.write)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let link: i64 = row.get("link_id")?;
        Ok(Some(db.keys.open(cipher::KIOSK_LINK_TOKEN, link, row.get("token")?)?))
    }
}
