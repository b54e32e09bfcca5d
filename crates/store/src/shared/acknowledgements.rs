//! Who acknowledged which signal of a client, and when. The first acknowledgement stands.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::{Db, HasDb, Tx};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

/// Acknowledges `key` of `client` inside `tx` unless it was acknowledged already (the first acknowledgement stands).
/// The key is sealed under the row's id, which the insert makes: the row goes in with an empty key and is sealed at
/// once, in the same transaction; uniqueness holds on the blind index.
pub(crate) async fn insert_acknowledgement(
    db: &Db,
    tx: &mut Tx,
    client: ClientId,
    key: &str,
    user: UserId,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let inserted = db
        .query(
            "INSERT INTO signal_acknowledgements (client_id, signal_index, signal_key, user_id, at)
             VALUES ($1, $2, '', $3, $4) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(client.0)
        .bind(db.keys.signal_index(client.0, key))
        .bind(user.0)
        .bind_time(at)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(row) = inserted {
        let id: i64 = row.get("id")?;
        db.query("UPDATE signal_acknowledgements SET signal_key = $1 WHERE id = $2")
            .bind(db.keys.seal(cipher::SIGNAL_KEY, id, key))
            .bind(id)
            .execute(tx)
            .await?;
    }
    Ok(())
}

#[async_trait]
pub trait Acknowledgements: Send + Sync {
    /// Records that `user` acknowledged a signal; the first acknowledgement stands.
    async fn acknowledge(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>>;
    /// Records that `user` was shown these signals of `client` (by key) at `at`; an earlier mark stands
    /// (docs/TRIAGE.md#lifecycle: a signal is New for a reader until it has been shown to them).
    async fn mark_seen(&self, client: ClientId, keys: &[String], user: UserId, at: OffsetDateTime) -> StoreResult<()>;
    /// Which of these signals (client and key) `user` has been shown: one answer per signal, in order.
    async fn seen_by(&self, user: UserId, signals: &[(ClientId, &str)]) -> StoreResult<Vec<bool>>;
}

#[async_trait]
impl<S: HasDb> Acknowledgements for S {
    async fn acknowledge(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        insert_acknowledgement(db, &mut tx, client, key, user, at).await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT a.id, a.client_id, a.signal_key, a.user_id, u.display_name, a.at FROM signal_acknowledgements a
             JOIN users u ON u.id = a.user_id WHERE a.client_id IN {ids} ORDER BY a.at, a.client_id, a.id",
        );
        db.query(&sql)
            .bind_ids(ids(clients, |c| c.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| {
                let user = r.get("user_id")?;
                Ok(Acknowledgement {
                    client: ClientId(r.get("client_id")?),
                    key: db.keys.open(cipher::SIGNAL_KEY, r.get("id")?, r.get("signal_key")?)?,
                    user: UserId(user),
                    user_name: db.keys.open(cipher::USER_DISPLAY_NAME, user, r.get("display_name")?)?,
                    at: r.time("at")?,
                })
            })
            .collect()
    }

    async fn mark_seen(&self, client: ClientId, keys: &[String], user: UserId, at: OffsetDateTime) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let db = self.db();
        let mut tx = db.begin().await?;
        for key in keys {
            db.query(
                "INSERT INTO signal_seen (client_id, user_id, signal_index, seen_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(client.0)
            .bind(user.0)
            .bind(db.keys.signal_index(client.0, key))
            .bind_time(at)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await
    }

    async fn seen_by(&self, user: UserId, signals: &[(ClientId, &str)]) -> StoreResult<Vec<bool>> {
        if signals.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.db();
        let sql =
            db.with_ids("SELECT client_id, signal_index FROM signal_seen WHERE client_id IN {ids} AND user_id = $2");
        let mut clients: Vec<ClientId> = signals.iter().map(|(c, _)| *c).collect();
        clients.sort_unstable();
        clients.dedup();
        let rows = db.query(&sql).bind_ids(ids(&clients, |c| c.0)).bind(user.0).fetch_all(&db.read).await?;
        let mut shown = std::collections::HashSet::with_capacity(rows.len());
        for r in &rows {
            shown.insert((r.get::<i64>("client_id")?, r.get::<Vec<u8>>("signal_index")?));
        }
        Ok(signals.iter().map(|(c, key)| shown.contains(&(c.0, db.keys.signal_index(c.0, key)))).collect())
    }
}
