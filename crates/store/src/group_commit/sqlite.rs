//! Writing a batch on SQLite. The thread writes through sqlx's own writing connection, locked away from sqlx's
//! worker thread for the batch, with synchronous calls (`Locked`): a statement then costs no hand-over between
//! threads.

use std::sync::Arc;

use alliance_core::domain::Role;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use sqlx::SqlitePool;
use sqlx::sqlite::LockedSqliteHandle;
use time::OffsetDateTime;

use super::{BatchWriter, Done, Job, Outcome, Queued, fan_out};
use crate::cipher::{self, Keyring};
use crate::{
    AdministrationId, AuditEvent, CheckExtras, LinkState, LinkSubmitted, NewResponse, SessionId, StoreError,
    StoreResult, audit,
};

/// The audit chain's statements: the head moves one entry per statement, as SQLite's trigger requires.
const AUDIT_ADVANCE_HEAD: &str = "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";
const AUDIT_INSERT: &str = "INSERT INTO audit_events
     (at, actor_id, actor_role, action, object_kind, object_id, purpose, address, seq, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const AUDIT_SET_HEAD: &str = "UPDATE audit_head SET hash = ? WHERE id = 1";

/// The answers' statements; each is completed with one row of placeholders per answer, per score, or per
/// administration.
const RESPONSES_INSERT: &str = "INSERT INTO responses (administration_id, answers, flags, submitted_at) VALUES";
const SCORES_INSERT: &str = "INSERT INTO scores
     (administration_id, scale_id, position, value, answered, missing, prorated, band, concern) VALUES";
const ADMINISTRATIONS_COMPLETE: &str = "UPDATE administrations SET status = 'completed', completed_at = ? WHERE id IN";

/// Runs `write` with synchronous calls on `conn`, inside whatever transaction `conn` has open: the store's own
/// writing transactions append to the audit chain and store answers with the same code as the group commit.
pub(crate) async fn on_connection<R>(
    conn: &mut sqlx::SqliteConnection,
    write: impl FnOnce(&rusqlite::Connection) -> StoreResult<R>,
) -> StoreResult<R> {
    let locked = Locked::new(conn.lock_handle().await?)?;
    write(&locked.db)
}

/// The store's one writing connection and the keys that seal the answers.
pub(crate) struct SqliteBatches {
    pub(crate) writer: SqlitePool,
    pub(crate) keys: Arc<Keyring>,
}

impl BatchWriter for SqliteBatches {
    async fn write(&mut self, batch: &[Queued]) -> Vec<Outcome> {
        commit_batch(&self.writer, &self.keys, batch).await
    }
}

async fn commit_batch(writer: &SqlitePool, keys: &Keyring, batch: &[Queued]) -> Vec<Outcome> {
    let mut conn = match writer.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fan_out(&StoreError::from(e), batch.len()),
    };
    let handle = match conn.lock_handle().await {
        Ok(handle) => handle,
        Err(e) => return fan_out(&StoreError::from(e), batch.len()),
    };
    let locked = match Locked::new(handle) {
        Ok(locked) => locked,
        Err(e) => return fan_out(&e, batch.len()),
    };
    let outcomes = write_batch(&locked.db, keys, batch);
    // The connection goes back to sqlx outside any transaction, whatever happened.
    if !locked.db.is_autocommit() {
        let _ = locked.db.execute_batch("ROLLBACK");
    }
    outcomes
}

/// sqlx's writing connection, taken from its worker thread and used with plain synchronous calls.
struct Locked<'a> {
    // Declared first, so dropped first: the statements it prepared are finalised while the handle is still ours.
    db: rusqlite::Connection,
    _handle: LockedSqliteHandle<'a>,
}

impl<'a> Locked<'a> {
    #[allow(unsafe_code)]
    fn new(mut handle: LockedSqliteHandle<'a>) -> StoreResult<Self> {
        let raw = handle.as_raw_handle().as_ptr();
        // SAFETY: while `handle` lives, sqlx's worker thread makes no call on this database handle (sqlx's
        // documented contract for `LockedSqliteHandle`), and `handle` lives as long as this value, which drops
        // `db` first. `from_handle` does not take ownership: dropping `db` finalises its own statements and
        // leaves the connection open for sqlx. Both link the same libsqlite3-sys (Cargo allows only one).
        let db = unsafe { rusqlite::Connection::from_handle(raw) }?;
        Ok(Self { db, _handle: handle })
    }
}

fn write_batch(db: &rusqlite::Connection, keys: &Keyring, batch: &[Queued]) -> Vec<Outcome> {
    // A job that fails part-way (which a valid form never does) is taken out and the rest written again without
    // it, rather than giving every job a savepoint.
    let mut refused: Vec<Option<StoreError>> = batch.iter().map(|_| None).collect();
    'attempt: loop {
        if let Err(e) = db.execute_batch("BEGIN") {
            return fan_out(&StoreError::from(e), batch.len());
        }
        let mut outcomes: Vec<Option<Done>> = batch.iter().map(|_| None).collect();
        for (i, job) in batch.iter().enumerate() {
            if refused[i].is_some() {
                continue;
            }
            let written = match &job.job {
                Job::Submit { token_hash, responses, extras, audit, now } => {
                    submit(db, keys, token_hash, responses, extras, audit, *now).map(Done::Submitted)
                }
                Job::Audit(event) => insert_audit(db, event).map(|()| Done::Audited),
            };
            match written {
                Ok(done) => outcomes[i] = Some(done),
                // The database cannot write now: none of the batch can be.
                Err(e @ StoreError::Unavailable(_)) => return fan_out(&e, batch.len()),
                Err(e) => {
                    if let Err(rollback) = db.execute_batch("ROLLBACK") {
                        return fan_out(&StoreError::from(rollback), batch.len());
                    }
                    refused[i] = Some(e);
                    continue 'attempt;
                }
            }
        }
        if let Err(e) = db.execute_batch("COMMIT") {
            // Nothing of the batch is stored: no submission may be acknowledged.
            return fan_out(&StoreError::from(e), batch.len());
        }
        return outcomes
            .into_iter()
            .zip(refused)
            .map(|(outcome, refusal)| match (outcome, refusal) {
                (Some(outcome), _) => Ok(outcome),
                (None, Some(e)) => Err(e),
                (None, None) => Err(StoreError::Corrupt("a submission of the batch was not written".into())),
            })
            .collect();
    }
}

/// One client submission inside the batch's transaction: claims the link (single use, not expired), stores every
/// answer with its scores and the audit entry. Returns the link's state instead when it cannot be claimed, having
/// written nothing.
fn submit(
    db: &rusqlite::Connection,
    keys: &Keyring,
    token_hash: &[u8],
    responses: &[NewResponse],
    extras: &CheckExtras,
    audit: &AuditEvent,
    now: OffsetDateTime,
) -> StoreResult<Result<LinkSubmitted, LinkState>> {
    let now = now.unix_timestamp();
    // The condition makes the claim single-use even when the same link is twice in a batch.
    let claimed = db
        .prepare_cached(
            "UPDATE links SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1
             RETURNING id, session_id",
        )?
        .query_row(params![now, token_hash], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .optional()?;
    let Some((link, session)) = claimed else {
        let used: Option<Option<i64>> = db
            .prepare_cached("SELECT used_at FROM links WHERE token_hash = ?1")?
            .query_row(params![token_hash], |r| r.get(0))
            .optional()?;
        return match used {
            None => Err(StoreError::NotFound),
            Some(Some(_)) => Ok(Err(LinkState::Used)),
            Some(None) => Ok(Err(LinkState::Expired)),
        };
    };
    let open: Vec<i64> = db
        .prepare_cached("SELECT id FROM administrations WHERE link_id = ?1 AND status = 'open'")?
        .query_map(params![link], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut administrations = Vec::with_capacity(responses.len());
    for response in responses {
        let Some(admin) = response.administration.filter(|a| open.contains(&a.0)) else {
            return Err(StoreError::Conflict("response does not belong to this link"));
        };
        administrations.push(admin);
    }
    if !administrations.is_empty() {
        insert_answers(db, keys, &administrations, responses, now)?;
    }
    insert_extras(db, keys, link, session, extras, now)?;
    let session = SessionId(session);
    insert_audit(db, &AuditEvent { object_id: Some(session.0), ..audit.clone() })?;
    Ok(Ok(LinkSubmitted { session, administrations }))
}

/// Goal ratings and task reports of one check: each goal and task must be of the session's episode; a task
/// reported on already keeps its first report.
fn insert_extras(
    db: &rusqlite::Connection,
    keys: &Keyring,
    link: i64,
    session: i64,
    extras: &CheckExtras,
    now: i64,
) -> StoreResult<()> {
    let mut goals: Vec<i64> = extras.goal_ratings.iter().map(|(g, _)| g.0).collect();
    goals.sort_unstable();
    if goals.windows(2).any(|w| w[0] == w[1]) {
        return Err(StoreError::Conflict("a goal rating does not belong to this check"));
    }
    for (goal, rating) in &extras.goal_ratings {
        let inserted = db
            .prepare_cached(
                "INSERT INTO goal_ratings (goal_id, link_id, session_id, rating, rated_at)
                 SELECT g.id, ?1, s.id, ?2, ?3 FROM goals g JOIN therapy_sessions s ON s.episode_id = g.episode_id
                 WHERE g.id = ?4 AND s.id = ?5",
            )?
            .execute(params![link, rating.value(), now, goal.0, session])?;
        if inserted != 1 {
            return Err(StoreError::Conflict("a goal rating does not belong to this check"));
        }
    }
    if let Some(consent) = extras.consent {
        db.prepare_cached(
            "INSERT INTO client_consents (client_id, version, research, given_at)
             SELECT e.client_id, ?1, ?2, ?3 FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id
             WHERE s.id = ?4",
        )?
        .execute(params![i64::from(consent.version), consent.research, now, session])?;
    }
    for report in &extras.task_reports {
        let belongs: i64 = db
            .prepare_cached(
                "SELECT COUNT(*) FROM tasks t JOIN therapy_sessions s ON s.episode_id = t.episode_id
                 WHERE t.id = ?1 AND s.id = ?2",
            )?
            .query_row(params![report.task.0, session], |r| r.get(0))?;
        if belongs != 1 {
            return Err(StoreError::Conflict("a task report does not belong to this check"));
        }
        let obstacle = keys.seal_opt(cipher::TASK_OBSTACLE, report.task.0, report.obstacle.as_deref());
        db.prepare_cached(
            "INSERT INTO task_reports (task_id, link_id, session_id, done, obstacle, reported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (task_id) DO NOTHING",
        )?
        .execute(params![report.task.0, link, session, report.done.as_str(), obstacle, now])?;
    }
    Ok(())
}

/// Answers, their scores and the administrations' completion: three statements however many questionnaires.
/// Values are stored as sqlx stores them (booleans as 0 and 1), so the rest of the store reads them alike.
pub(crate) fn insert_answers(
    db: &rusqlite::Connection,
    keys: &Keyring,
    administrations: &[AdministrationId],
    responses: &[NewResponse],
    now: i64,
) -> StoreResult<()> {
    let mut values = Vec::with_capacity(administrations.len() * 4);
    for (admin, response) in administrations.iter().zip(responses) {
        let flags = serde_json::to_string(&response.flags).map_err(|e| StoreError::Backend(Box::new(e)))?;
        let answers = serde_json::to_string(&response.answers).map_err(|e| StoreError::Backend(Box::new(e)))?;
        values.push(Value::Integer(admin.0));
        values.push(Value::Text(keys.seal(cipher::RESPONSE_ANSWERS, admin.0, &answers)));
        values.push(Value::Text(keys.seal(cipher::RESPONSE_FLAGS, admin.0, &flags)));
        values.push(Value::Integer(now));
    }
    let rows = vec!["(?, ?, ?, ?)"; administrations.len()].join(", ");
    db.prepare_cached(&format!("{RESPONSES_INSERT} {rows}"))?.execute(params_from_iter(values))?;

    let mut values = Vec::new();
    let mut count = 0;
    for (admin, response) in administrations.iter().zip(responses) {
        for (position, s) in response.scores.iter().enumerate() {
            count += 1;
            values.extend([
                Value::Integer(admin.0),
                Value::Text(s.scale.clone()),
                Value::Integer(position as i64),
                s.value.map_or(Value::Null, Value::Real),
                Value::Integer(s.answered as i64),
                Value::Integer(s.missing as i64),
                Value::Integer(i64::from(s.prorated)),
                s.band.clone().map_or(Value::Null, Value::Text),
                s.concern.map_or(Value::Null, |c| Value::Integer(i64::from(c))),
            ]);
        }
    }
    if count > 0 {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; count].join(", ");
        db.prepare_cached(&format!("{SCORES_INSERT} {rows}"))?.execute(params_from_iter(values))?;
    }

    let marks = vec!["?"; administrations.len()].join(", ");
    let mut values = vec![Value::Integer(now)];
    values.extend(administrations.iter().map(|a| Value::Integer(a.0)));
    db.prepare_cached(&format!("{ADMINISTRATIONS_COMPLETE} ({marks})"))?.execute(params_from_iter(values))?;
    Ok(())
}

/// Appends the audit entry to the chain inside the open transaction (the head advanced in it).
pub(crate) fn insert_audit(db: &rusqlite::Connection, event: &AuditEvent) -> StoreResult<()> {
    audit::validate(event)?;
    let (seq, prev): (i64, Vec<u8>) =
        db.prepare_cached(AUDIT_ADVANCE_HEAD)?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let hash = audit::entry_hash(&prev, &audit::Fields::of_event(seq, event));
    db.prepare_cached(AUDIT_INSERT)?.execute(params![
        event.at.unix_timestamp(),
        event.actor.map(|a| a.0),
        event.actor_role.map(Role::as_str),
        event.action,
        event.object_kind,
        event.object_id,
        event.purpose,
        event.address,
        seq,
        prev,
        &hash[..],
    ])?;
    db.prepare_cached(AUDIT_SET_HEAD)?.execute(params![&hash[..]])?;
    Ok(())
}
