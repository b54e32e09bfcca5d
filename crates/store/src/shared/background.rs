//! What a client says about their background (issue 20, item 2): their words per category, sealed, written and
//! removed only by the client on their own page, read by their therapist (and a supervisor where reflections are
//! shared) and, for consenting clients, by the research report. Erased with the client.

use alliance_core::culture::{BackgroundText, YesNoUnsure};
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::{HasDb, Row};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

/// One category as the client answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct BackgroundEntry {
    pub client: ClientId,
    pub category: String,
    pub text: String,
    pub matters: YesNoUnsure,
    pub shared: YesNoUnsure,
    pub consented_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// The client's answer for one category, given with their consent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBackground<'a> {
    pub category: &'a str,
    pub text: &'a BackgroundText,
    pub matters: YesNoUnsure,
    pub shared: YesNoUnsure,
}

#[async_trait]
pub trait Backgrounds: Send + Sync {
    /// Stores the client's answer for a category, replacing their earlier one (its consent time is kept).
    async fn set_background(
        &self,
        client: ClientId,
        entry: NewBackground<'_>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Removes the client's answer for a category; false when there was none.
    async fn remove_background(&self, client: ClientId, category: &str, audit: AuditEvent) -> StoreResult<bool>;
    /// These clients' answers, opened, by client and category.
    async fn backgrounds_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BackgroundEntry>>;
}

fn word(row: &Row, column: &str) -> StoreResult<YesNoUnsure> {
    let w: String = row.get(column)?;
    YesNoUnsure::parse(&w).ok_or_else(|| StoreError::Corrupt(format!("an unknown {column} answer: {w:.20}")))
}

fn entry_row(keys: &cipher::Keyring, row: &Row) -> StoreResult<BackgroundEntry> {
    let id: i64 = row.get("id")?;
    Ok(BackgroundEntry {
        client: ClientId(row.get("client_id")?),
        category: row.get("category")?,
        text: keys.open(cipher::BACKGROUND_TEXT, id, &row.get::<String>("text")?)?,
        matters: word(row, "matters")?,
        shared: word(row, "shared")?,
        consented_at: row.time("consented_at")?,
        updated_at: row.time("updated_at")?,
    })
}

#[async_trait]
impl<S: HasDb> Backgrounds for S {
    async fn set_background(
        &self,
        client: ClientId,
        entry: NewBackground<'_>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO client_background (client_id, category, text, matters, shared, consented_at, updated_at)
                 VALUES ($1, $2, '', $3, $4, $5, $5)
                 ON CONFLICT (client_id, category) DO UPDATE SET matters = $3, shared = $4, updated_at = $5
                 RETURNING id",
            )
            .bind(client.0)
            .bind(entry.category)
            .bind(entry.matters.as_str())
            .bind(entry.shared.as_str())
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.seal_into(&mut tx, cipher::BACKGROUND_TEXT, id, entry.text.as_str()).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await
    }

    async fn remove_background(&self, client: ClientId, category: &str, audit: AuditEvent) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let removed = db
            .query("DELETE FROM client_background WHERE client_id = $1 AND category = $2")
            .bind(client.0)
            .bind(category)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn backgrounds_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BackgroundEntry>> {
        let db = self.db();
        let sql = db.with_ids("SELECT * FROM client_background WHERE client_id IN {ids} ORDER BY client_id, id");
        let rows = db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?;
        rows.iter().map(|row| entry_row(&db.keys, row)).collect()
    }
}
