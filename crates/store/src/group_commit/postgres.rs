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
use crate::cipher::Keyring;
use crate::postgres::{AnswerRow, insert_audits, insert_responses};
use crate::{
    AdministrationId, AuditEvent, LinkState, LinkSubmitted, NewResponse, SessionId, StoreError, StoreResult, audit,
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
                open: row.try_get::<Vec<i64>, _>("open")?.into_iter().collect(),
            };
            links.insert(row.try_get::<Vec<u8>, _>("token_hash")?, link);
        }
    }

    let mut outcomes = Vec::with_capacity(jobs.len());
    let mut claims: Vec<(i64, i64)> = Vec::new();
    let mut answers: Vec<AnswerRow<'_>> = Vec::new();
    let mut events: Vec<AuditEvent> = Vec::new();
    for queued in jobs {
        let (token_hash, responses, audit, now) = match &queued.job {
            Job::Audit(event) => {
                outcomes.push(audit::validate(event).map(|()| Done::Audited));
                if outcomes.last().is_some_and(Result::is_ok) {
                    events.push(event.clone());
                }
                continue;
            }
            Job::Submit { token_hash, responses, audit, now } => (token_hash, responses, audit, *now),
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
        link.used = true;
        claims.push((link.id, now.unix_timestamp()));
        answers.extend(administrations.iter().zip(responses).map(|(a, r)| (a.0, r, now)));
        let session = SessionId(link.session);
        events.push(AuditEvent { object_id: Some(session.0), ..audit.clone() });
        outcomes.push(Ok(Done::Submitted(Ok(LinkSubmitted { session, administrations }))));
    }

    insert_responses(keys, &mut tx, &answers, &claims).await?;
    insert_audits(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(outcomes)
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
