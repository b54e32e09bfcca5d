//! Clinical support (issue 18): requests for the barrier check, the repair attempts a therapist records, and how
//! episodes ended (for the dropout warning's refit).

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher;
use crate::db::{HasDb, Row};
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

/// Why the barrier check was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarrierReason {
    /// The client was not on track when the therapist asked.
    NotOnTrack,
    /// The therapist asked without a signal.
    Therapist,
}

impl BarrierReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BarrierReason::NotOnTrack => "not-on-track",
            BarrierReason::Therapist => "therapist",
        }
    }

    fn parse(word: &str) -> StoreResult<Self> {
        match word {
            "not-on-track" => Ok(BarrierReason::NotOnTrack),
            "therapist" => Ok(BarrierReason::Therapist),
            _ => Err(StoreError::Corrupt(format!("an unknown barrier request reason: {word:.20}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarrierRequest {
    pub id: i64,
    pub episode: EpisodeId,
    pub reason: BarrierReason,
    pub requested_by: Option<UserId>,
    pub requested_at: OffsetDateTime,
    pub withdrawn_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRepairAttempt {
    pub episode: EpisodeId,
    pub rupture_session: u32,
    pub tried_session: u32,
    /// A code of `alliance_core::repair::STRATEGIES`; the caller checks it.
    pub strategy: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RepairAttempt {
    pub id: i64,
    pub episode: EpisodeId,
    pub client: ClientId,
    pub rupture_session: u32,
    pub tried_session: u32,
    pub strategy: String,
    pub note: Option<String>,
    pub recorded_by: Option<UserId>,
    pub recorded_at: OffsetDateTime,
}

/// How an episode ended, as the therapist recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Completed,
    DroppedOut,
    Referred,
    Other,
}

impl EndReason {
    pub const ALL: [EndReason; 4] =
        [EndReason::Completed, EndReason::DroppedOut, EndReason::Referred, EndReason::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Completed => "completed",
            EndReason::DroppedOut => "dropped-out",
            EndReason::Referred => "referred",
            EndReason::Other => "other",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        EndReason::ALL.into_iter().find(|r| r.as_str() == word)
    }
}

#[async_trait]
pub trait ClinicalSupport: Send + Sync {
    /// Asks for the barrier check at the episode's next link; an open request stands (no second one).
    async fn request_barrier_check(
        &self,
        episode: EpisodeId,
        reason: BarrierReason,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Withdraws the episode's open requests.
    async fn withdraw_barrier_check(
        &self,
        episode: EpisodeId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// The episode's request that still stands: not withdrawn, and no barrier check completed since it was made.
    async fn open_barrier_request(&self, episode: EpisodeId) -> StoreResult<Option<BarrierRequest>>;
    /// The requests of these episodes, oldest first.
    async fn barrier_requests(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<BarrierRequest>>;
    async fn record_repair_attempt(
        &self,
        attempt: &NewRepairAttempt,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// The repair attempts of these clients' episodes, in the order they were recorded.
    async fn repair_attempts(&self, clients: &[ClientId]) -> StoreResult<Vec<RepairAttempt>>;
    /// Every repair attempt of the practice, without notes (for the research table).
    async fn all_repair_attempts(&self) -> StoreResult<Vec<RepairAttempt>>;
    /// Records how an episode ended, replacing an earlier answer.
    async fn set_end_reason(&self, episode: EpisodeId, reason: EndReason, audit: AuditEvent) -> StoreResult<()>;
    /// How these episodes ended, where the therapist said.
    async fn end_reasons(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<(EpisodeId, EndReason)>>;
    /// Every ended episode whose ending the therapist gave, with its client (the dropout warning's refit).
    async fn ended_episodes(&self) -> StoreResult<Vec<(EpisodeId, ClientId, EndReason)>>;
}

fn request_row(row: &Row) -> StoreResult<BarrierRequest> {
    Ok(BarrierRequest {
        id: row.get("id")?,
        episode: EpisodeId(row.get("episode_id")?),
        reason: BarrierReason::parse(&row.get::<String>("reason")?)?,
        requested_by: row.get::<Option<i64>>("requested_by")?.map(UserId),
        requested_at: row.time("requested_at")?,
        withdrawn_at: row.time_opt("withdrawn_at")?,
    })
}

fn attempt_row(keys: &cipher::Keyring, row: &Row, with_note: bool) -> StoreResult<RepairAttempt> {
    let id: i64 = row.get("id")?;
    let note = match row.get::<Option<String>>("note")? {
        Some(sealed) if with_note => Some(keys.open(cipher::REPAIR_NOTE, id, &sealed)?),
        _ => None,
    };
    Ok(RepairAttempt {
        id,
        episode: EpisodeId(row.get("episode_id")?),
        client: ClientId(row.get("client_id")?),
        rupture_session: row.u32("rupture_session")?,
        tried_session: row.u32("tried_session")?,
        strategy: row.get("strategy")?,
        note,
        recorded_by: row.get::<Option<i64>>("recorded_by")?.map(UserId),
        recorded_at: row.time("recorded_at")?,
    })
}

fn end_reason(row: &Row) -> StoreResult<EndReason> {
    let word: String = row.get("reason")?;
    EndReason::parse(&word).ok_or_else(|| StoreError::Corrupt(format!("an unknown episode end reason: {word:.20}")))
}

/// A request of episode `$1` that still stands: not withdrawn, and no barrier check completed since it was made.
/// The one definition the insert (no second request while one stands) and the reading share.
const STANDING: &str = "episode_id = $1 AND withdrawn_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM administrations a JOIN therapy_sessions s ON s.id = a.session_id
                    WHERE s.episode_id = $1 AND a.instrument_id = 'barrier-check'
                      AND a.status = 'completed' AND a.completed_at >= requested_at)";

const ATTEMPTS: &str = "SELECT r.*, e.client_id FROM repair_attempts r JOIN episodes e ON e.id = r.episode_id";

#[async_trait]
impl<S: HasDb> ClinicalSupport for S {
    async fn request_barrier_check(
        &self,
        episode: EpisodeId,
        reason: BarrierReason,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let insert = format!(
            "INSERT INTO barrier_requests (episode_id, reason, requested_by, requested_at)
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM barrier_requests WHERE {STANDING})"
        );
        db.query(&insert).bind(episode.0).bind(reason.as_str()).bind(by.0).bind_time(now).execute(&mut tx).await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn withdraw_barrier_check(
        &self,
        episode: EpisodeId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query("UPDATE barrier_requests SET withdrawn_at = $1 WHERE episode_id = $2 AND withdrawn_at IS NULL")
            .bind_time(now)
            .bind(episode.0)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn open_barrier_request(&self, episode: EpisodeId) -> StoreResult<Option<BarrierRequest>> {
        let db = self.db();
        let sql = format!("SELECT * FROM barrier_requests WHERE {STANDING} ORDER BY requested_at DESC, id DESC");
        let row = db.query(&sql).bind(episode.0).fetch_optional(&db.read).await?;
        row.as_ref().map(request_row).transpose()
    }

    async fn barrier_requests(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<BarrierRequest>> {
        let db = self.db();
        let sql = db.with_ids("SELECT * FROM barrier_requests WHERE episode_id IN {ids} ORDER BY requested_at, id");
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter().map(request_row).collect()
    }

    async fn record_repair_attempt(
        &self,
        attempt: &NewRepairAttempt,
        by: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO repair_attempts
                   (episode_id, rupture_session, tried_session, strategy, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(attempt.episode.0)
            .bind(i64::from(attempt.rupture_session))
            .bind(i64::from(attempt.tried_session))
            .bind(attempt.strategy.as_str())
            .bind(by.0)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        if let Some(note) = attempt.note.as_deref() {
            db.seal_into(&mut tx, cipher::REPAIR_NOTE, id, note).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn repair_attempts(&self, clients: &[ClientId]) -> StoreResult<Vec<RepairAttempt>> {
        let db = self.db();
        let sql = db.with_ids(&format!("{ATTEMPTS} WHERE e.client_id IN {{ids}} ORDER BY r.recorded_at, r.id"));
        let rows = db.query(&sql).bind_ids(ids(clients, |c| c.0)).fetch_all(&db.read).await?;
        rows.iter().map(|row| attempt_row(&db.keys, row, true)).collect()
    }

    async fn all_repair_attempts(&self) -> StoreResult<Vec<RepairAttempt>> {
        let db = self.db();
        let sql = format!("{ATTEMPTS} ORDER BY r.id");
        let rows = db.query(&sql).fetch_all(&db.read).await?;
        rows.iter().map(|row| attempt_row(&db.keys, row, false)).collect()
    }

    async fn set_end_reason(&self, episode: EpisodeId, reason: EndReason, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query(
            "INSERT INTO episode_endings (episode_id, reason) VALUES ($1, $2)
             ON CONFLICT (episode_id) DO UPDATE SET reason = $2",
        )
        .bind(episode.0)
        .bind(reason.as_str())
        .execute(&mut tx)
        .await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn ended_episodes(&self) -> StoreResult<Vec<(EpisodeId, ClientId, EndReason)>> {
        let db = self.db();
        let rows = db
            .query(
                "SELECT e.id, e.client_id, x.reason FROM episodes e JOIN episode_endings x ON x.episode_id = e.id
                 WHERE e.ended_on IS NOT NULL ORDER BY e.id",
            )
            .fetch_all(&db.read)
            .await?;
        rows.iter()
            .map(|row| Ok((EpisodeId(row.get("id")?), ClientId(row.get("client_id")?), end_reason(row)?)))
            .collect()
    }

    async fn end_reasons(&self, episodes: &[EpisodeId]) -> StoreResult<Vec<(EpisodeId, EndReason)>> {
        let db = self.db();
        let sql = db.with_ids("SELECT episode_id, reason FROM episode_endings WHERE episode_id IN {ids}");
        let rows = db.query(&sql).bind_ids(ids(episodes, |e| e.0)).fetch_all(&db.read).await?;
        rows.iter().map(|row| Ok((EpisodeId(row.get("episode_id")?), end_reason(row)?))).collect()
    }
}
