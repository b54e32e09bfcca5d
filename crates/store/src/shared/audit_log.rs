//! The audit log: an append-only hash chain (see `audit`). Every staff write in the other traits takes its
//! `AuditEvent` and appends it in the write's own transaction; a method that creates a row sets the event's
//! object id to the new row. This trait appends the entries that are not part of a write, and reads the log.

use async_trait::async_trait;

use crate::audit;
use crate::db::{HasDb, Row};
use crate::*;

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends one entry (reads, sign-ins: events that are not part of a write).
    async fn audit(&self, event: AuditEvent) -> StoreResult<()>;
    /// Appends several entries, committed together (in order, one chain).
    async fn audit_all(&self, events: Vec<AuditEvent>) -> StoreResult<()>;
    /// The newest `limit` entries, newest first.
    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>>;
    /// Entries matching `filter`, newest first, at most `limit`.
    async fn search_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRecord>>;
    /// Chained entries in chain order after the (sequence number, row id) `after`, at most `limit`.
    async fn audit_chain(&self, after: Option<(i64, i64)>, limit: u32) -> StoreResult<Vec<AuditChainRow>>;
    /// The recorded end of the chain.
    async fn audit_head(&self) -> StoreResult<AuditHead>;
}

/// An entry as the chain holds it, with its place `seq` (given separately: legacy entries get theirs when they
/// are chained).
pub(crate) fn chain_row_with_seq(row: &Row, seq: i64) -> StoreResult<AuditChainRow> {
    Ok(AuditChainRow {
        id: row.get("id")?,
        seq,
        at: row.get("at")?,
        actor_id: row.get("actor_id")?,
        actor_role: row.get("actor_role")?,
        action: row.get("action")?,
        object_kind: row.get("object_kind")?,
        object_id: row.get("object_id")?,
        purpose: row.get("purpose")?,
        address: row.get("address")?,
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

fn audit_record(r: &Row) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        id: r.get("id")?,
        seq: r.get::<Option<i64>>("seq")?.unwrap_or_default(),
        at: r.time("at")?,
        actor: r.get::<Option<i64>>("actor_id")?.map(UserId),
        actor_role: r.get("actor_role")?,
        action: r.get("action")?,
        object_kind: r.get("object_kind")?,
        object_id: r.get("object_id")?,
        purpose: r.get("purpose")?,
        address: r.get("address")?,
    })
}

#[async_trait]
impl<S: HasDb> AuditLog for S {
    async fn audit(&self, event: AuditEvent) -> StoreResult<()> {
        // Appended with others waiting, under one lock of the chain's head (see `group_commit`).
        self.db().submissions.audit(event).await
    }

    async fn audit_all(&self, events: Vec<AuditEvent>) -> StoreResult<()> {
        self.db().submissions.audit_all(events).await
    }

    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        self.search_audit(&AuditFilter::default(), limit).await
    }

    async fn search_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        if audit::matches_nothing(filter) {
            return Ok(Vec::new());
        }
        let db = self.db();
        let (sql, binds) = audit::search_sql(filter, limit, |n| format!("${n}"));
        let mut query = db.query(&sql);
        for bind in binds {
            query = match bind {
                audit::Bind::Int(n) => query.bind(n),
                audit::Bind::Text(t) => query.bind(t),
            };
        }
        query.fetch_all(&db.read).await?.iter().map(audit_record).collect()
    }

    async fn audit_chain(&self, after: Option<(i64, i64)>, limit: u32) -> StoreResult<Vec<AuditChainRow>> {
        let db = self.db();
        let (seq, id) = after.unwrap_or((i64::MIN, i64::MIN));
        let rows = db
            .query(
                "SELECT * FROM audit_events WHERE seq IS NOT NULL AND (seq > $1 OR (seq = $1 AND id > $2))
                 ORDER BY seq, id LIMIT $3",
            )
            .bind(seq)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&db.read)
            .await?;
        rows.iter().map(|r| chain_row_with_seq(r, r.get("seq")?)).collect()
    }

    async fn audit_head(&self) -> StoreResult<AuditHead> {
        let db = self.db();
        // One statement: the head and the count of unchained entries from one snapshot.
        let row = db
            .query(
                "SELECT seq, hash, (SELECT COUNT(*) FROM audit_events
                                    WHERE seq IS NULL OR prev_hash IS NULL OR hash IS NULL) AS unchained
                 FROM audit_head WHERE id = 1",
            )
            .fetch_one(&db.read)
            .await?;
        Ok(AuditHead {
            seq: row.get("seq")?,
            hash: row.get("hash")?,
            unchained: row.get::<i64>("unchained")?.max(0) as u64,
        })
    }
}
