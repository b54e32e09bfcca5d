//! Writing a batch on PostgreSQL, over a connection of the writing thread's own.
//!
//! A batch is one transaction of five statements however many submissions it holds (each statement is a round
//! trip to the server, and the commit one WAL flush):
//! 1. the batch's links with their open administrations, the links locked in token order (`FOR UPDATE`), so that
//!    two app servers' batches cannot deadlock on them, and read as committed once the lock is ours (a link
//!    another server claimed meanwhile reads used). Every submission is then checked in full before anything is
//!    written: one that would fail is refused alone and its link left open;
//! 2. the claims (`used_at`), answers, scores and completions, in one statement;
//! 3. the head of the audit chain locked, 4 the batch's audit entries (its submissions' and the ones queued
//!    alone), 5 the head moved to the last of them.
//!
//! A failure the checks did not foresee cannot be pinned on one submission of a batch, so the batch is then
//! written again one submission at a time. A deadlock or serialisation failure (the server rolled the
//! transaction back) is retried. Anything else, and any failure of the commit, acknowledges nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, Row};

use super::{BatchWriter, Done, Job, Outcome, Queued, fan_out};
use crate::cipher::{self, Keyring};
use crate::postgres::{AnswerRow, insert_audits, insert_responses};
use crate::{
    AdministrationId, AuditEvent, CheckExtras, LinkState, LinkSubmitted, NewResponse, SessionId, StoreError,
    StoreResult, audit,
};

/// Attempts at a batch the server rolled back because of a deadlock or a serialisation failure.
const ATTEMPTS: u32 = 3;

pub(crate) struct PgBatches {
    connect: PgConnectOptions,
    connect_timeout: Duration,
    keys: Arc<Keyring>,
    /// Opened at the first batch and after a failure; dropped on any failure, so a broken connection is not reused.
    conn: Option<PgConnection>,
    last_used: Instant,
}

/// A connection idle this long is checked before a batch is written on it: the server may have restarted (or a
/// firewall dropped the connection) meanwhile, and a batch should not fail for that.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

impl PgBatches {
    pub(crate) fn new(connect: PgConnectOptions, connect_timeout: Duration, keys: Arc<Keyring>) -> Self {
        Self { connect, connect_timeout, keys, conn: None, last_used: Instant::now() }
    }

    async fn connection(&mut self) -> StoreResult<&mut PgConnection> {
        let idle = std::mem::replace(&mut self.last_used, Instant::now()).elapsed() > CHECK_AFTER_IDLE;
        let kept = match self.conn.take() {
            Some(mut conn) if idle => {
                let alive = tokio::time::timeout(self.connect_timeout, conn.ping()).await.is_ok_and(|p| p.is_ok());
                alive.then_some(conn)
            }
            kept => kept,
        };
        let conn = match kept {
            Some(conn) => conn,
            None => tokio::time::timeout(self.connect_timeout, PgConnection::connect_with(&self.connect))
                .await
                .map_err(|_| StoreError::Unavailable("no answer from the PostgreSQL server".into()))??,
        };
        Ok(self.conn.insert(conn))
    }

    /// Writes `jobs` as one transaction, again if the server rolled it back for a conflict with another.
    async fn write_retrying(&mut self, jobs: &[&Queued]) -> StoreResult<Vec<Outcome>> {
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            let keys = self.keys.clone();
            let (written, at_begin) = match self.connection().await {
                Ok(conn) => match conn.begin().await {
                    Ok(tx) => (write_batch(tx, &keys, jobs).await, false),
                    Err(e) => (Err(StoreError::from(e)), true),
                },
                Err(e) => (Err(e), false),
            };
            match written {
                Ok(outcomes) => return Ok(outcomes),
                Err(e) => {
                    self.conn = None;
                    // A kept connection that the server ended while it sat idle (a restart, an administrator,
                    // a firewall) fails at BEGIN, before anything of the batch was sent: written again, once, on a
                    // new connection. Later failures are not retried so, since a slow or refusing server would
                    // only keep the submitters waiting longer.
                    if at_begin && !renewed {
                        renewed = true;
                        continue;
                    }
                    if attempt >= ATTEMPTS || !rolled_back_for_conflict(&e) {
                        return Err(e);
                    }
                    attempt += 1;
                }
            }
        }
    }
}

impl BatchWriter for PgBatches {
    async fn write(&mut self, batch: &[Queued]) -> Vec<Outcome> {
        let jobs: Vec<&Queued> = batch.iter().collect();
        match self.write_retrying(&jobs).await {
            Ok(outcomes) => outcomes,
            Err(e) if jobs.len() > 1 && !matches!(e, StoreError::Unavailable(_)) => {
                let mut outcomes = Vec::with_capacity(jobs.len());
                for job in jobs {
                    let alone = self.write_retrying(&[job]).await;
                    outcomes.push(alone.and_then(|mut one| {
                        one.pop().ok_or_else(|| StoreError::Corrupt("a submission was not written".into()))?
                    }));
                }
                outcomes
            }
            Err(e) => fan_out(&e, jobs.len()),
        }
    }
}

/// A link as locked for the batch.
struct LockedLink {
    id: i64,
    session: i64,
    used: bool,
    expires_at: i64,
    /// The episode of its session, which every goal rated and task reported on must be of.
    episode: i64,
    /// Its administrations still open, the only ones its submission may answer.
    open: HashSet<i64>,
}

async fn write_batch(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    keys: &Keyring,
    jobs: &[&Queued],
) -> StoreResult<Vec<Outcome>> {
    let hashes: Vec<&[u8]> = jobs
        .iter()
        .filter_map(|queued| match &queued.job {
            Job::Submit { token_hash, .. } => Some(token_hash.as_slice()),
            Job::Audit(_) => None,
        })
        .collect();
    let mut links = HashMap::with_capacity(hashes.len());
    if !hashes.is_empty() {
        // The open administrations come with each link: after waiting for a link's lock, PostgreSQL re-reads the
        // row and re-evaluates them; a link another batch claimed meanwhile reads used, and its are not needed.
        let rows = sqlx::query(
            "SELECT l.id, l.session_id, l.token_hash, l.used_at IS NOT NULL AS used, l.expires_at,
                    (SELECT s.episode_id FROM therapy_sessions s WHERE s.id = l.session_id) AS episode,
                    ARRAY(SELECT a.id FROM administrations a WHERE a.link_id = l.id AND a.status = 'open') AS open
             FROM links l WHERE l.token_hash = ANY($1) ORDER BY l.token_hash FOR UPDATE OF l",
        )
        .bind(&hashes)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let link = LockedLink {
                id: row.try_get("id")?,
                session: row.try_get("session_id")?,
                used: row.try_get("used")?,
                expires_at: row.try_get("expires_at")?,
                episode: row.try_get("episode")?,
                open: row.try_get::<Vec<i64>, _>("open")?.into_iter().collect(),
            };
            links.insert(row.try_get::<Vec<u8>, _>("token_hash")?, link);
        }
    }

    let owners = extras_owners(&mut tx, jobs).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    let mut ratings = ExtraRows::default();
    let mut claims: Vec<(i64, i64)> = Vec::new();
    let mut answers: Vec<AnswerRow<'_>> = Vec::new();
    let mut events: Vec<AuditEvent> = Vec::new();
    for queued in jobs {
        let (token_hash, responses, extras, audit, now) = match &queued.job {
            Job::Audit(event) => {
                outcomes.push(audit::validate(event).map(|()| Done::Audited));
                if outcomes.last().is_some_and(Result::is_ok) {
                    events.push(event.clone());
                }
                continue;
            }
            Job::Submit { token_hash, responses, extras, audit, now } => (token_hash, responses, extras, audit, *now),
        };
        let Some(link) = links.get_mut(token_hash) else {
            outcomes.push(Err(StoreError::NotFound));
            continue;
        };
        // Used before expired, as the SQLite store reports it; a link twice in one batch is claimed once.
        if link.used {
            outcomes.push(Ok(Done::Submitted(Err(LinkState::Used))));
            continue;
        }
        if link.expires_at <= now.unix_timestamp() {
            outcomes.push(Ok(Done::Submitted(Err(LinkState::Expired))));
            continue;
        }
        let administrations = match checked(responses, audit, &link.open) {
            Ok(administrations) => administrations,
            Err(e) => {
                outcomes.push(Err(e));
                continue;
            }
        };
        if let Err(e) = owners.check(extras, link.episode) {
            outcomes.push(Err(e));
            continue;
        }
        ratings.add(keys, extras, link.id, link.session, now.unix_timestamp());
        link.used = true;
        claims.push((link.id, now.unix_timestamp()));
        answers.extend(administrations.iter().zip(responses).map(|(a, r)| (a.0, r, now)));
        let session = SessionId(link.session);
        events.push(AuditEvent { object_id: Some(session.0), ..audit.clone() });
        outcomes.push(Ok(Done::Submitted(Ok(LinkSubmitted { session, administrations }))));
    }

    insert_responses(keys, &mut tx, &answers, &claims).await?;
    ratings.insert(&mut tx).await?;
    insert_audits(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// The episode of every goal and task the batch's checks name, read before anything is written: a check naming
/// one of another episode is refused without aborting the batch's transaction.
#[derive(Default)]
struct ExtrasOwners {
    goals: HashMap<i64, i64>,
    tasks: HashMap<i64, i64>,
}

async fn extras_owners(tx: &mut PgConnection, jobs: &[&Queued]) -> StoreResult<ExtrasOwners> {
    let (mut goals, mut tasks) = (Vec::new(), Vec::new());
    for queued in jobs {
        if let Job::Submit { extras, .. } = &queued.job {
            goals.extend(extras.goal_ratings.iter().map(|(g, _)| g.0));
            tasks.extend(extras.task_reports.iter().map(|r| r.task.0));
        }
    }
    let mut owners = ExtrasOwners::default();
    for (table, ids, into) in [("goals", goals, &mut owners.goals), ("tasks", tasks, &mut owners.tasks)] {
        if ids.is_empty() {
            continue;
        }
        let rows = sqlx::query(&format!("SELECT id, episode_id FROM {table} WHERE id = ANY($1)"))
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?;
        for row in rows {
            into.insert(row.try_get("id")?, row.try_get("episode_id")?);
        }
    }
    Ok(owners)
}

impl ExtrasOwners {
    fn check(&self, extras: &CheckExtras, episode: i64) -> StoreResult<()> {
        let mut goals = HashSet::new();
        for (goal, _) in &extras.goal_ratings {
            if self.goals.get(&goal.0) != Some(&episode) || !goals.insert(goal.0) {
                return Err(StoreError::Conflict("a goal rating does not belong to this check"));
            }
        }
        if extras.task_reports.iter().any(|r| self.tasks.get(&r.task.0) != Some(&episode)) {
            return Err(StoreError::Conflict("a task report does not belong to this check"));
        }
        Ok(())
    }
}

/// The batch's goal ratings and task reports, inserted with one statement each.
#[derive(Default)]
struct ExtraRows {
    goal: Vec<i64>,
    rating: Vec<i64>,
    rating_link: Vec<i64>,
    rating_session: Vec<i64>,
    rated_at: Vec<i64>,
    task: Vec<i64>,
    done: Vec<String>,
    obstacle: Vec<Option<String>>,
    report_link: Vec<i64>,
    report_session: Vec<i64>,
    reported_at: Vec<i64>,
    consent_session: Vec<i64>,
    consent_version: Vec<i64>,
    consent_research: Vec<bool>,
    consent_at: Vec<i64>,
}

impl ExtraRows {
    fn add(&mut self, keys: &Keyring, extras: &CheckExtras, link: i64, session: i64, at: i64) {
        if let Some(consent) = extras.consent {
            self.consent_session.push(session);
            self.consent_version.push(i64::from(consent.version));
            self.consent_research.push(consent.research);
            self.consent_at.push(at);
        }
        for (goal, rating) in &extras.goal_ratings {
            self.goal.push(goal.0);
            self.rating.push(i64::from(rating.value()));
            self.rating_link.push(link);
            self.rating_session.push(session);
            self.rated_at.push(at);
        }
        for report in &extras.task_reports {
            self.task.push(report.task.0);
            self.done.push(report.done.as_str().to_owned());
            self.obstacle.push(keys.seal_opt(cipher::TASK_OBSTACLE, report.task.0, report.obstacle.as_deref()));
            self.report_link.push(link);
            self.report_session.push(session);
            self.reported_at.push(at);
        }
    }

    async fn insert(self, tx: &mut PgConnection) -> StoreResult<()> {
        if !self.goal.is_empty() {
            sqlx::query(
                "INSERT INTO goal_ratings (goal_id, link_id, session_id, rating, rated_at)
                 SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[])",
            )
            .bind(self.goal)
            .bind(self.rating_link)
            .bind(self.rating_session)
            .bind(self.rating)
            .bind(self.rated_at)
            .execute(&mut *tx)
            .await?;
        }
        if !self.consent_session.is_empty() {
            sqlx::query(
                "INSERT INTO client_consents (client_id, version, research, given_at)
                 SELECT e.client_id, c.version, c.research, c.at
                 FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BOOLEAN[], $4::BIGINT[]) AS c(session, version, research, at)
                 JOIN therapy_sessions s ON s.id = c.session JOIN episodes e ON e.id = s.episode_id",
            )
            .bind(self.consent_session)
            .bind(self.consent_version)
            .bind(self.consent_research)
            .bind(self.consent_at)
            .execute(&mut *tx)
            .await?;
        }
        if !self.task.is_empty() {
            // The first report on a task stands, also when one batch carries two.
            sqlx::query(
                "INSERT INTO task_reports (task_id, link_id, session_id, done, obstacle, reported_at)
                 SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[])
                 ON CONFLICT (task_id) DO NOTHING",
            )
            .bind(self.task)
            .bind(self.report_link)
            .bind(self.report_session)
            .bind(self.done)
            .bind(self.obstacle)
            .bind(self.reported_at)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}

/// Everything about one submission that could fail once written, checked before: its audit entry, and that
/// each answer is to an open administration of its link, at most once.
fn checked(responses: &[NewResponse], audit: &AuditEvent, open: &HashSet<i64>) -> StoreResult<Vec<AdministrationId>> {
    audit::validate(audit)?;
    let mut administrations = Vec::with_capacity(responses.len());
    for response in responses {
        let Some(admin) = response.administration.filter(|a| open.contains(&a.0)) else {
            return Err(StoreError::Conflict("response does not belong to this link"));
        };
        if administrations.contains(&admin) {
            // As the SQLite store reports the second answer's insert.
            return Err(StoreError::Conflict("already exists"));
        }
        administrations.push(admin);
    }
    Ok(administrations)
}

/// Whether the server rolled the transaction back because it conflicted with another (deadlock, serialisation
/// failure): written again, it may well succeed.
fn rolled_back_for_conflict(e: &StoreError) -> bool {
    let StoreError::Unavailable(source) = e else { return false };
    let Some(sqlx::Error::Database(db)) = source.downcast_ref::<sqlx::Error>() else { return false };
    matches!(db.code().as_deref(), Some("40P01" | "40001"))
}
