//! Client links, questionnaire administrations and their answers and scores.

use alliance_core::domain::AdministrationStatus;
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use async_trait::async_trait;
use time::OffsetDateTime;

use zeroize::Zeroizing;

use crate::cipher::{self, Keyring};
use crate::db::{HasDb, Lock, Row};
use crate::shared::care::ids;
use crate::shared::{append_audit, store_answers};
use crate::*;

#[async_trait]
pub trait Questionnaires: Send + Sync {
    /// Creates a link and its open administrations in one transaction; earlier unused links of the session
    /// expire.
    async fn create_link(&self, link: NewLink, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<LinkId>;
    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>>;
    /// Stores every response of a link, marks it used and writes `audit` (its object set to the session), all
    /// in one transaction: a submission is acknowledged only once all of it is durable. Only one can win.
    async fn submit_link(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>> {
        self.submit_check(token_hash, responses, CheckExtras::default(), audit, now).await
    }
    /// The same with what the check carries besides questionnaires (goal ratings, task reports), written in the
    /// same transaction. A rating of a goal, or a report on a task, of another episode than the link's session
    /// is refused (`Conflict`) and nothing is written; a second report on a task leaves the first.
    async fn submit_check(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        extras: CheckExtras,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>>;
    /// Stores a therapist's completed questionnaire for a session, replacing an earlier one of the same
    /// instrument.
    async fn save_therapist_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId>;
    /// Stores a client's completed questionnaire imported from another system (`alliance import history`),
    /// completed at `submitted_at`, unless the session already has a completed client response of this
    /// instrument: then nothing is stored and `None` is returned, so an import run twice stores nothing twice.
    async fn import_client_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        audit: AuditEvent,
        submitted_at: OffsetDateTime,
    ) -> StoreResult<Option<AdministrationId>>;
    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>>;
    /// Every completed response of a client with its scores, oldest first.
    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>>;
    /// Completed responses by administration, with their scores, in the order of [`Questionnaires::responses_of`]:
    /// the few rows one page of a listing shows. A previous therapist's reflection is left out as there.
    async fn responses_by_id(&self, ids: &[AdministrationId]) -> StoreResult<Vec<StoredResponse>>;
    /// Every completed therapist response with this instrument for these clients (not a previous therapist's),
    /// without its answers: what a listing needs to choose the page it shows. Flags are opened, answers are not.
    async fn therapist_listing(&self, clients: &[ClientId], instrument: &str) -> StoreResult<Vec<ListedResponse>>;
    /// Primary and subscale scores of completed administrations for many clients, for caseload summaries.
    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>>;
    /// The practice model's input, for every client of a therapist account with scores in their current episode
    /// (the one opened last): the client's own PHQ-9 totals and relationship-check alliance scores of it (missing
    /// values left out), in session order, by client id. Read as a stream into compact series.
    async fn practice_input(&self) -> StoreResult<Vec<PracticeSeries>>;
}

fn rater(row: &Row) -> StoreResult<Rater> {
    let rater: String = row.get("rater")?;
    Ok(if rater == "therapist" { Rater::Therapist } else { Rater::Client })
}

/// Response flags are JSON, sealed (they say who endorsed a risk item): opened under the response's id.
fn flags(keys: &Keyring, administration: i64, row: &Row) -> StoreResult<ResponseFlags> {
    let json = Zeroizing::new(keys.open(cipher::RESPONSE_FLAGS, administration, row.get("flags")?)?);
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("response flags: {e}")))
}

fn instrument(row: &Row) -> StoreResult<InstrumentRef> {
    Ok(InstrumentRef { id: row.get("instrument_id")?, version: row.u32("instrument_version")? })
}

#[async_trait]
impl<S: HasDb> Questionnaires for S {
    async fn create_link(&self, link: NewLink, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<LinkId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // On PostgreSQL the session's row lock serialises link creation per session, so of two links created
        // together the later one still retires the earlier.
        db.lock(&mut tx, "SELECT id FROM therapy_sessions WHERE id = $1", Lock::Parent, link.session.0).await?;
        // A session the client has answered takes no new link, and a new link replaces the unused ones: one
        // session is answered once. The UPDATE comes first: on PostgreSQL it waits for a submission that is
        // claiming one of these links at this moment, so the check after it, a new statement with a new snapshot,
        // sees that claim.
        db.query("UPDATE links SET expires_at = $1 WHERE session_id = $2 AND used_at IS NULL AND expires_at > $1")
            .bind_time(now)
            .bind(link.session.0)
            .execute(&mut tx)
            .await?;
        // A questionnaire is answered once per session; a session may have one check before it and one after,
        // each asking its own questionnaires (`alliance_core::schedule::Timing`).
        let names: Vec<String> = link.instruments.iter().map(|i| i.id.clone()).collect();
        // The names bound as the schema stores a list (comma-separated on SQLite; ids hold no comma).
        let among = match db.engine {
            crate::db::Engine::Sqlite => "instr(',' || $2 || ',', ',' || instrument_id || ',') > 0",
            crate::db::Engine::Postgres => "instrument_id = ANY($2)",
        };
        let answered: i64 = db
            .query(&format!(
                "SELECT COUNT(*) FROM administrations WHERE session_id = $1 AND rater = 'client'
                 AND status = 'completed' AND {among}"
            ))
            .bind(link.session.0)
            .bind_names(&names)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        if answered > 0 {
            tx.rollback().await?;
            return Err(StoreError::Conflict("the session has already been answered"));
        }
        let id: i64 = db
            .query(
                "INSERT INTO links (session_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)
                 RETURNING id",
            )
            .bind(link.session.0)
            .bind(link.token_hash)
            .bind_time(now)
            .bind_time(link.expires_at)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        if !link.instruments.is_empty() {
            // One row per instrument: $1 the session, $2 the link, $3 the time, then (id, version, position).
            let rows: Vec<String> = (0..link.instruments.len())
                .map(|i| format!("($1, $2, ${}, ${}, 'client', ${}, 'open', $3)", 4 + 3 * i, 5 + 3 * i, 6 + 3 * i))
                .collect();
            let sql = format!(
                "INSERT INTO administrations
                 (session_id, link_id, instrument_id, instrument_version, rater, position, status, created_at)
                 VALUES {}",
                rows.join(", ")
            );
            let mut insert = db.query(&sql).bind(link.session.0).bind(id).bind_time(now);
            for (position, instrument) in link.instruments.iter().enumerate() {
                insert = insert.bind(instrument.id.clone()).bind(i64::from(instrument.version)).bind(position as i32);
            }
            insert.execute(&mut tx).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(LinkId(id))
    }

    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>> {
        let db = self.db();
        let Some(row) = db
            .query(
                "SELECT l.id, l.session_id, l.expires_at, l.used_at, e.client_id FROM links l
                 JOIN therapy_sessions s ON s.id = l.session_id JOIN episodes e ON e.id = s.episode_id
                 WHERE l.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&db.read)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.get("id")?;
        let client: i64 = row.get("client_id")?;
        // The client's language by `SELECT *`, which a database at the schema before 0023 answers without it.
        let language =
            match db.query("SELECT * FROM clients WHERE id = $1").bind(client).fetch_optional(&db.read).await? {
                Some(c) => c.get_if_present::<String>("language")?,
                None => None,
            };
        let expires_at = row.time("expires_at")?;
        let state = match row.time_opt("used_at")? {
            Some(_) => LinkState::Used,
            None if now >= expires_at => LinkState::Expired,
            None => LinkState::Open,
        };
        let rows = db
            .query(
                "SELECT id, instrument_id, instrument_version, status FROM administrations WHERE link_id = $1
                 ORDER BY position, id",
            )
            .bind(id)
            .fetch_all(&db.read)
            .await?;
        let administrations = rows
            .iter()
            .map(|r| {
                let status: String = r.get("status")?;
                Ok(Administration {
                    id: AdministrationId(r.get("id")?),
                    instrument: instrument(r)?,
                    status: AdministrationStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?
                        .at(expires_at, now),
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Some(LinkView {
            id: LinkId(id),
            session: SessionId(row.get("session_id")?),
            state,
            expires_at,
            administrations,
            client: ClientId(client),
            language,
        }))
    }

    async fn submit_check(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        extras: CheckExtras,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>> {
        // Committed in groups, on the group commit's own connection (see `group_commit`).
        self.db().submissions.submit(token_hash, responses, extras, audit, now).await
    }

    async fn save_therapist_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // Serialises saves for the session on PostgreSQL: two at once would otherwise both delete nothing and
        // both insert.
        db.lock(&mut tx, "SELECT id FROM therapy_sessions WHERE id = $1", Lock::Parent, session.0).await?;
        db.query("DELETE FROM administrations WHERE session_id = $1 AND instrument_id = $2 AND rater = 'therapist'")
            .bind(session.0)
            .bind(instrument.id.clone())
            .execute(&mut tx)
            .await?;
        let id: i64 = db
            .query(
                "INSERT INTO administrations
                 (session_id, instrument_id, instrument_version, rater, position, status, created_at)
                 VALUES ($1, $2, $3, 'therapist', 0, 'open', $4) RETURNING id",
            )
            .bind(session.0)
            .bind(instrument.id)
            .bind(i64::from(instrument.version))
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        store_answers(&db.keys, &mut tx, id, &response, now).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(AdministrationId(id))
    }

    async fn import_client_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        audit: AuditEvent,
        submitted_at: OffsetDateTime,
    ) -> StoreResult<Option<AdministrationId>> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The session's row lock serialises two imports of the same session on PostgreSQL.
        db.lock(&mut tx, "SELECT id FROM therapy_sessions WHERE id = $1", Lock::Parent, session.0).await?;
        let existing = db
            .query(
                "SELECT id FROM administrations WHERE session_id = $1 AND instrument_id = $2 AND rater = 'client'
                 AND status = 'completed'",
            )
            .bind(session.0)
            .bind(instrument.id.clone())
            .fetch_all(&mut tx)
            .await?;
        if !existing.is_empty() {
            tx.rollback().await?;
            return Ok(None);
        }
        let id: i64 = db
            .query(
                "INSERT INTO administrations
                 (session_id, instrument_id, instrument_version, rater, position, status, created_at)
                 VALUES ($1, $2, $3, 'client', 0, 'open', $4) RETURNING id",
            )
            .bind(session.0)
            .bind(instrument.id)
            .bind(i64::from(instrument.version))
            .bind_time(submitted_at)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        store_answers(&db.keys, &mut tx, id, &response, submitted_at).await?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(Some(AdministrationId(id)))
    }

    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>> {
        let db = self.db();
        // One row per link and administration, folded here (the engines aggregate strings differently).
        let rows = db
            .query(
                "SELECT l.id, l.created_at, l.expires_at, l.used_at, a.instrument_id
                 FROM links l LEFT JOIN administrations a ON a.link_id = l.id
                 WHERE l.session_id = $1 ORDER BY l.id, a.position, a.id",
            )
            .bind(session.0)
            .fetch_all(&db.read)
            .await?;
        let mut links: Vec<LinkSummary> = Vec::new();
        for r in &rows {
            let id = LinkId(r.get("id")?);
            if links.last().is_none_or(|last| last.id != id) {
                links.push(LinkSummary {
                    id,
                    created_at: r.time("created_at")?,
                    expires_at: r.time("expires_at")?,
                    used_at: r.time_opt("used_at")?,
                    instruments: Vec::new(),
                });
            }
            if let (Some(instrument), Some(link)) = (r.get::<Option<String>>("instrument_id")?, links.last_mut()) {
                link.instruments.push(instrument);
            }
        }
        Ok(links)
    }

    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>> {
        let db = self.db();
        // On a reader, so that page views never queue behind submissions.
        let rows = db.query(&responses_sql("e.client_id = $1")).bind(client.0).fetch_all(&db.read).await?;
        responses_from_rows(&db.keys, &rows)
    }

    async fn responses_by_id(&self, ids_in: &[AdministrationId]) -> StoreResult<Vec<StoredResponse>> {
        let db = self.db();
        let sql = db.with_ids(&responses_sql("a.id IN {ids}"));
        let rows = db.query(&sql).bind_ids(ids(ids_in, |a| a.0)).fetch_all(&db.read).await?;
        responses_from_rows(&db.keys, &rows)
    }

    async fn therapist_listing(&self, clients: &[ClientId], instrument: &str) -> StoreResult<Vec<ListedResponse>> {
        let db = self.db();
        // Comments are counted here, not read: their bodies are sealed and a listing shows only how many.
        let sql = db.with_ids(
            "SELECT a.id, a.session_id, e.client_id, s.number, s.held_on, r.flags, r.submitted_at,
                    (SELECT COUNT(*) FROM reflection_comments c WHERE c.session_id = a.session_id) AS comments
             FROM responses r
             JOIN administrations a ON a.id = r.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id IN {ids} AND a.rater = 'therapist' AND a.instrument_id = $2
               AND NOT EXISTS (SELECT 1 FROM client_moves m
                               WHERE m.client_id = e.client_id AND m.moved_at >= s.created_at)
             ORDER BY a.id",
        );
        db.query(&sql)
            .bind_ids(ids(clients, |c| c.0))
            .bind(instrument.to_owned())
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| {
                let id: i64 = r.get("id")?;
                Ok(ListedResponse {
                    administration: AdministrationId(id),
                    session: SessionId(r.get("session_id")?),
                    client: ClientId(r.get("client_id")?),
                    session_number: r.small("number")?,
                    held_on: r.get("held_on")?,
                    flags: flags(&db.keys, id, r)?,
                    submitted_at: r.time("submitted_at")?,
                    comments: r.count("comments")?,
                })
            })
            .collect()
    }

    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>> {
        let db = self.db();
        let sql = db.with_ids(
            "SELECT e.client_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.rater, sc.scale_id, sc.value,
                    sc.concern, sc.administration_id, r.flags, a.completed_at
             FROM scores sc
             JOIN responses r ON r.administration_id = sc.administration_id
             JOIN administrations a ON a.id = sc.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id IN {ids}
               AND (a.rater <> 'therapist' OR NOT EXISTS (SELECT 1 FROM client_moves m
                    WHERE m.client_id = e.client_id AND m.moved_at >= s.created_at))
             ORDER BY e.client_id, s.held_on, s.number, a.rater, a.position, a.id, sc.position",
        );
        let mut opened: Option<(i64, ResponseFlags)> = None;
        db.query(&sql)
            .bind_ids(ids(clients, |c| c.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| {
                // One response has a row per score: its flags are opened once.
                let administration: i64 = r.get("administration_id")?;
                let flags = match &opened {
                    Some((id, flags)) if *id == administration => Clone::clone(flags),
                    _ => {
                        let flags = flags(&db.keys, administration, r)?;
                        opened = Some((administration, flags.clone()));
                        flags
                    }
                };
                Ok(ScorePoint {
                    client: ClientId(r.get("client_id")?),
                    episode: EpisodeId(r.get("episode_id")?),
                    session_number: r.small("number")?,
                    held_on: r.get("held_on")?,
                    instrument: r.get("instrument_id")?,
                    rater: rater(r)?,
                    scale: r.get("scale_id")?,
                    value: r.get("value")?,
                    concern: r.get("concern")?,
                    flags,
                    completed_at: r.time_opt("completed_at")?,
                })
            })
            .collect()
    }

    async fn practice_input(&self) -> StoreResult<Vec<PracticeSeries>> {
        crate::practice_input::read(self.db()).await
    }
}

/// Completed responses and their scores where `filter` holds: one statement, so responses and their scores come
/// from one snapshot; one row per score (or one with no score for a response without any), scores in the order
/// they were given. A previous therapist's reflections are left out once the client moved to another therapist:
/// they stay with their author (`admin_tasks.rs`).
fn responses_sql(filter: &str) -> String {
    format!(
        "SELECT a.id, a.session_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.instrument_version,
                a.rater, r.answers, r.flags, r.submitted_at,
                sc.scale_id, sc.value, sc.answered, sc.missing, sc.prorated, sc.band, sc.concern
         FROM responses r
         JOIN administrations a ON a.id = r.administration_id
         JOIN therapy_sessions s ON s.id = a.session_id
         JOIN episodes e ON e.id = s.episode_id
         LEFT JOIN scores sc ON sc.administration_id = a.id
         WHERE {filter}
           AND (a.rater <> 'therapist' OR NOT EXISTS (SELECT 1 FROM client_moves m
                WHERE m.client_id = e.client_id AND m.moved_at >= s.created_at))
         ORDER BY s.held_on, s.number, a.rater, a.position, a.id, sc.position"
    )
}

/// Folds [`responses_sql`]'s rows (one per score) into responses, opening answers and flags once each.
fn responses_from_rows(keys: &Keyring, rows: &[Row]) -> StoreResult<Vec<StoredResponse>> {
    let mut responses: Vec<StoredResponse> = Vec::new();
    for r in rows {
        let id = AdministrationId(r.get("id")?);
        if responses.last().is_none_or(|last| last.administration != id) {
            let answers = keys.open(cipher::RESPONSE_ANSWERS, id.0, r.get("answers")?)?;
            responses.push(StoredResponse {
                administration: id,
                session: SessionId(r.get("session_id")?),
                episode: EpisodeId(r.get("episode_id")?),
                session_number: r.small("number")?,
                held_on: r.get("held_on")?,
                instrument: instrument(r)?,
                rater: rater(r)?,
                answers: serde_json::from_str(&answers)
                    .map_err(|e| StoreError::Corrupt(format!("stored answers: {e}")))?,
                flags: flags(keys, id.0, r)?,
                scores: Vec::new(),
                submitted_at: r.time("submitted_at")?,
            });
        }
        let Some(scale) = r.get::<Option<String>>("scale_id")? else { continue };
        let Some(response) = responses.last_mut() else { continue };
        response.scores.push(ScaleScore {
            scale,
            value: r.get("value")?,
            answered: r.count("answered")?,
            missing: r.count("missing")?,
            prorated: r.get("prorated")?,
            band: r.get("band")?,
            concern: r.get("concern")?,
        });
    }
    Ok(responses)
}
