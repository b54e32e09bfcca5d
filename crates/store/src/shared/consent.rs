//! The client's consent, kept with the version of the text they were shown, and their choice to stop being asked
//! (issue 16, item 4). A consent given with a check is written in the check's transaction (`group_commit`).

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::db::HasDb;
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

/// A consent as recorded: `research` says whether the client agreed to the de-identified research use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentRecord {
    pub client: ClientId,
    pub version: u32,
    pub research: bool,
    pub given_at: OffsetDateTime,
}

/// A consent given with a check (the client is the check's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewConsent {
    pub version: u32,
    pub research: bool,
}

#[async_trait]
pub trait Consents: Send + Sync {
    /// Every consent of these clients, oldest first: the last of a client is their current choice.
    async fn consents_of(&self, clients: &[ClientId]) -> StoreResult<Vec<ConsentRecord>>;
    /// A consent given outside a check (the client changing their research choice on their own page).
    async fn record_consent(
        &self,
        client: ClientId,
        consent: NewConsent,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// "Stop asking me" (`asking` false) or its undoing; a repeat changes nothing but is audited.
    async fn set_asking(
        &self,
        client: ClientId,
        asking: bool,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The clients among these who asked not to be asked, and since when.
    async fn stopped_asking(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, OffsetDateTime)>>;
    /// A research id for a record of `kind` (`client`, `episode`, `therapist`): a keyed hash under this
    /// practice's key, the same in every export and report, and not reversible without the key.
    fn research_id(&self, kind: ResearchKind, id: i64) -> String;
}

/// What a research id names; its first letter starts the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResearchKind {
    Client,
    Episode,
    Therapist,
}

impl ResearchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResearchKind::Client => "client",
            ResearchKind::Episode => "episode",
            ResearchKind::Therapist => "therapist",
        }
    }
}

#[async_trait]
impl<S: HasDb> Consents for S {
    fn research_id(&self, kind: ResearchKind, id: i64) -> String {
        let prefix = kind.as_str().chars().next().map_or('R', |c| c.to_ascii_uppercase());
        let hash = self.db().keys.research_index(kind.as_str(), id);
        let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("{prefix}{hex}")
    }

    async fn consents_of(&self, clients: &[ClientId]) -> StoreResult<Vec<ConsentRecord>> {
        let db = self.db();
        let sql = db.with_ids("SELECT * FROM client_consents WHERE client_id IN {ids} ORDER BY id");
        let rows = db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?;
        rows.iter()
            .map(|row| {
                Ok(ConsentRecord {
                    client: ClientId(row.get("client_id")?),
                    version: row.u32("version")?,
                    research: row.get("research")?,
                    given_at: row.time("given_at")?,
                })
            })
            .collect()
    }

    async fn record_consent(
        &self,
        client: ClientId,
        consent: NewConsent,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query("INSERT INTO client_consents (client_id, version, research, given_at) VALUES ($1, $2, $3, $4)")
            .bind(client.0)
            .bind(i64::from(consent.version))
            .bind(consent.research)
            .bind_time(now)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_asking(
        &self,
        client: ClientId,
        asking: bool,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        if asking {
            db.query("DELETE FROM client_stops WHERE client_id = $1").bind(client.0).execute(&mut tx).await?;
        } else {
            db.query(
                "INSERT INTO client_stops (client_id, stopped_at) VALUES ($1, $2) ON CONFLICT (client_id) DO NOTHING",
            )
            .bind(client.0)
            .bind_time(now)
            .execute(&mut tx)
            .await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(client.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stopped_asking(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, OffsetDateTime)>> {
        let db = self.db();
        let sql = db.with_ids("SELECT client_id, stopped_at FROM client_stops WHERE client_id IN {ids}");
        let rows = db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?;
        rows.iter().map(|row| Ok((ClientId(row.get("client_id")?), row.time("stopped_at")?))).collect()
    }
}
