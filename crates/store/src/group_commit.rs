//! Group commit of client submissions on SQLite.
//!
//! Every acknowledged submission must be on disk first (`synchronous = FULL`: one fsync per commit), and SQLite
//! has one writer at a time. Committing each submission alone, from the request's own task, holds the write
//! lock across some twenty statements whose round trips to the connection's thread wait behind every other
//! request on the runtime: measured, that capped a loaded server at about 300 submissions a second with p99 near
//! a second. Here one thread of its own takes whatever submissions are waiting (up to `MAX_BATCH`), writes them
//! in one transaction, commits them together with one fsync, and only then answers each request. A submission
//! that fails part-way is taken out and the others written again without it; if the commit fails, none of the
//! batch is acknowledged.

use std::sync::Arc;

use sqlx::{Connection, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::cipher::Keyring;
use crate::{AuditEvent, LinkState, LinkSubmitted, NewResponse, StoreError, StoreResult};

/// The most submissions committed together. Enough to amortise the fsync; small enough that the first in a
/// batch does not wait long for the last.
const MAX_BATCH: usize = 64;
/// Submissions waiting beyond this make their senders wait (back-pressure) rather than grow memory.
const QUEUE: usize = 1024;

pub(crate) type Outcome = StoreResult<Result<LinkSubmitted, LinkState>>;

struct Submission {
    token_hash: Vec<u8>,
    responses: Vec<NewResponse>,
    audit: AuditEvent,
    now: OffsetDateTime,
    reply: oneshot::Sender<Outcome>,
}

/// The sending side; the writing thread ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Submission>,
}

impl GroupCommit {
    /// Starts the writing thread on `writer` (the store's one writing connection).
    pub(crate) fn start(writer: SqlitePool, keys: Arc<Keyring>) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel(QUEUE);
        // A runtime of its own: the batch's statements then never wait behind the requests being served.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new()
            .name("alliance-group-commit".into())
            .spawn(move || runtime.block_on(run(writer, keys, jobs)))?;
        Ok(Self { queue })
    }

    /// Queues one submission and waits until its batch is committed (or refused).
    pub(crate) async fn submit(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> Outcome {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Unavailable("the writing thread has stopped".into());
        let submission = Submission { token_hash: token_hash.to_vec(), responses, audit, now, reply };
        self.queue.send(submission).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn run(writer: SqlitePool, keys: Arc<Keyring>, mut jobs: mpsc::Receiver<Submission>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcomes = commit_batch(&writer, &keys, &batch).await;
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            // The request may have gone (client disconnected); what was committed stays committed.
            let _ = job.reply.send(outcome);
        }
    }
}

async fn commit_batch(writer: &SqlitePool, keys: &Keyring, batch: &[Submission]) -> Vec<Outcome> {
    let mut conn = match writer.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fan_out(&StoreError::from(e), batch.len()),
    };
    // A submission that fails part-way (which a valid form never does) is taken out and the rest written again
    // without it, rather than giving every submission a savepoint: two more round trips each.
    let mut refused: Vec<Option<StoreError>> = batch.iter().map(|_| None).collect();
    'attempt: loop {
        let mut tx = match conn.begin().await {
            Ok(tx) => tx,
            Err(e) => return fan_out(&StoreError::from(e), batch.len()),
        };
        let mut outcomes: Vec<Option<Result<LinkSubmitted, LinkState>>> = batch.iter().map(|_| None).collect();
        for (i, job) in batch.iter().enumerate() {
            if refused[i].is_some() {
                continue;
            }
            match crate::sqlite::submit_in(keys, &mut tx, &job.token_hash, &job.responses, &job.audit, job.now).await {
                Ok(outcome) => outcomes[i] = Some(outcome),
                // The database cannot write now: none of the batch can be.
                Err(e @ StoreError::Unavailable(_)) => return fan_out(&e, batch.len()),
                Err(e) => {
                    if let Err(rollback) = tx.rollback().await {
                        return fan_out(&StoreError::from(rollback), batch.len());
                    }
                    refused[i] = Some(e);
                    continue 'attempt;
                }
            }
        }
        if let Err(e) = tx.commit().await {
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

/// One failure for every submission of a batch: the first cause is kept for the log in each.
fn fan_out(cause: &StoreError, n: usize) -> Vec<Outcome> {
    (0..n).map(|_| Err(share(cause))).collect()
}

fn share(cause: &StoreError) -> StoreError {
    let text = match std::error::Error::source(cause) {
        Some(source) => format!("the batch could not be written: {cause}: {source}"),
        None => format!("the batch could not be written: {cause}"),
    };
    match cause {
        StoreError::Unavailable(_) => StoreError::Unavailable(text.into()),
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict(what) => StoreError::Conflict(what),
        StoreError::Corrupt(what) => StoreError::Corrupt(what.clone()),
        StoreError::Key(what) => StoreError::Key(what.clone()),
        StoreError::Backend(_) => StoreError::Backend(text.into()),
    }
}
