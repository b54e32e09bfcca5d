//! Break-glass: an administrator's time-limited, audited read of one client, and the therapist's notice of it.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher::{self, Keyring};
use crate::db::{HasDb, Row};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

#[async_trait]
pub trait BreakGlassGrants: Send + Sync {
    /// Stores the grant and its audit entry (object: the client) in one transaction.
    async fn grant_break_glass(&self, grant: NewBreakGlass, audit: AuditEvent) -> StoreResult<BreakGlassId>;
    /// The administrator's grant for this client that is still running at `now`, if any.
    async fn active_break_glass(
        &self,
        admin: UserId,
        client: ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlass>>;
    /// Every grant for these clients, newest first.
    async fn break_glass_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BreakGlass>>;
    /// The therapist has seen the client's grants: marks those not yet acknowledged, with the audit entry.
    async fn acknowledge_break_glass(
        &self,
        client: ClientId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
}

fn break_glass_row(keys: &Keyring, r: &Row) -> StoreResult<BreakGlass> {
    let (id, admin) = (r.get("id")?, r.get("admin_id")?);
    Ok(BreakGlass {
        id: BreakGlassId(id),
        admin: UserId(admin),
        admin_name: keys.open(cipher::USER_DISPLAY_NAME, admin, r.get("display_name")?)?,
        client: ClientId(r.get("client_id")?),
        reason: keys.open(cipher::BREAK_GLASS_REASON, id, r.get("reason")?)?,
        granted_at: r.time("granted_at")?,
        expires_at: r.time("expires_at")?,
        acknowledged_at: r.time_opt("acknowledged_at")?,
    })
}

const BREAK_GLASS_COLUMNS: &str = "g.*, u.display_name FROM break_glass_grants g JOIN users u ON u.id = g.admin_id";

#[async_trait]
impl<S: HasDb> BreakGlassGrants for S {
    async fn grant_break_glass(&self, grant: NewBreakGlass, audit: AuditEvent) -> StoreResult<BreakGlassId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO break_glass_grants (admin_id, client_id, reason, granted_at, expires_at)
                 VALUES ($1, $2, '', $3, $4) RETURNING id",
            )
            .bind(grant.admin.0)
            .bind(grant.client.0)
            .bind_time(grant.granted_at)
            .bind_time(grant.expires_at)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        // The reason is free text: sealed under the new row's id, in the same transaction.
        db.query("UPDATE break_glass_grants SET reason = $1 WHERE id = $2")
            .bind(db.keys.seal(cipher::BREAK_GLASS_REASON, id, &grant.reason))
            .bind(id)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(grant.client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(BreakGlassId(id))
    }

    async fn active_break_glass(
        &self,
        admin: UserId,
        client: ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlass>> {
        let db = self.db();
        let sql = format!(
            "SELECT {BREAK_GLASS_COLUMNS} WHERE g.admin_id = $1 AND g.client_id = $2 AND g.granted_at <= $3
             AND g.expires_at > $3 ORDER BY g.expires_at DESC LIMIT 1"
        );
        let row = db.query(&sql).bind(admin.0).bind(client.0).bind_time(now).fetch_optional(&db.read).await?;
        row.as_ref().map(|r| break_glass_row(&db.keys, r)).transpose()
    }

    async fn break_glass_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BreakGlass>> {
        let db = self.db();
        let sql = db.with_ids(&format!(
            "SELECT {BREAK_GLASS_COLUMNS} WHERE g.client_id IN {{ids}} ORDER BY g.granted_at DESC, g.id DESC"
        ));
        db.query(&sql)
            .bind_ids(ids(clients, |c| c.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| break_glass_row(&db.keys, r))
            .collect()
    }

    async fn acknowledge_break_glass(
        &self,
        client: ClientId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query(
            "UPDATE break_glass_grants SET acknowledged_at = $1, acknowledged_by = $2
             WHERE client_id = $3 AND acknowledged_at IS NULL",
        )
        .bind_time(now)
        .bind(audit.actor.map(|a| a.0))
        .bind(client.0)
        .execute(&mut tx)
        .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await
    }
}
