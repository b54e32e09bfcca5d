//! Group commit of client submissions.
//!
//! Every acknowledged submission must be durable first: one fsync (SQLite, `synchronous = FULL`) or one WAL flush
//! (PostgreSQL, `synchronous_commit = on`) per commit. Committing each submission alone, from the request's own
//! task, pays that flush and some twenty statements' round trips per submission, each round trip waiting behind
//! the other requests on the runtime. Measured, that capped a loaded server at about 300 (SQLite) and 650
//! (PostgreSQL) submissions a second with p99 latencies of hundreds of milliseconds. Here one thread of its own
//! takes whatever submissions are waiting (up to `MAX_BATCH`), writes them in one transaction, commits them
//! together, and only then answers each request. A submission that fails part-way is taken out and the others
//! written again without it; if the commit fails, none of the batch is acknowledged.
//!
//! Audit entries of requests that write nothing else (page views, above all) go the same way: every entry
//! extends one hash chain, whose head each append locks until its commit, so appending them one transaction at a
//! time serialised every page view on that lock (measured on PostgreSQL: 1,598 waits of over 3 ms in one
//! benchmark run). A batch appends all of its entries under one lock.
//!
//! The queue and its thread are here; how a batch is written is each engine's (`sqlite`, `postgres`).

pub(crate) mod postgres;
pub(crate) mod sqlite;

use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::{AuditEvent, CheckExtras, LinkState, LinkSubmitted, NewResponse, StoreError, StoreResult};

/// The most submissions committed together. Enough to amortise the flush; small enough that the first in a
/// batch does not wait long for the last.
const MAX_BATCH: usize = 64;
/// Submissions waiting beyond this make their senders wait (back-pressure) rather than grow memory.
const QUEUE: usize = 1024;

/// What is written for one queued job.
#[derive(Debug)]
pub(crate) enum Done {
    /// A client submission: stored, or the link's state if it could not be claimed (nothing written).
    Submitted(Result<LinkSubmitted, LinkState>),
    /// An audit entry appended.
    Audited,
}

pub(crate) type Outcome = StoreResult<Done>;

pub(crate) enum Job {
    /// A client's answers through a single-use link, with the audit entry of the submission.
    Submit {
        token_hash: Vec<u8>,
        responses: Vec<NewResponse>,
        extras: CheckExtras,
        audit: AuditEvent,
        now: OffsetDateTime,
    },
    /// An audit entry alone.
    Audit(AuditEvent),
}

pub(crate) struct Queued {
    pub(crate) job: Job,
    reply: oneshot::Sender<Outcome>,
}

/// Writes one batch in one transaction and returns one outcome per submission, in order. Only submissions whose
/// outcome is `Ok(Ok(_))` may be stored, and they must be committed before this returns.
pub(crate) trait BatchWriter {
    async fn write(&mut self, batch: &[Queued]) -> Vec<Outcome>;
}

/// The sending side; the writing thread ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Queued>,
}

impl GroupCommit {
    /// Starts the writing thread; `writer` is made on it, so that any connection it opens belongs to the thread's
    /// runtime.
    pub(crate) fn start<W, F>(make_writer: F) -> std::io::Result<Self>
    where
        W: BatchWriter,
        F: FnOnce() -> W + Send + 'static,
    {
        let (queue, jobs) = mpsc::channel(QUEUE);
        // A runtime of its own: the batch's statements then never wait behind the requests being served.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new()
            .name("alliance-group-commit".into())
            .spawn(move || runtime.block_on(run(make_writer(), jobs)))?;
        Ok(Self { queue })
    }

    /// Queues one submission and waits until its batch is committed (or refused).
    pub(crate) async fn submit(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        extras: CheckExtras,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>> {
        let job = Job::Submit { token_hash: token_hash.to_vec(), responses, extras, audit, now };
        match self.queue_and_wait(job).await? {
            Done::Submitted(outcome) => Ok(outcome),
            Done::Audited => Err(StoreError::Corrupt("a submission was answered as an audit entry".into())),
        }
    }

    /// Queues one audit entry and waits until its batch is committed (or refused).
    pub(crate) async fn audit(&self, event: AuditEvent) -> StoreResult<()> {
        match self.queue_and_wait(Job::Audit(event)).await? {
            Done::Audited => Ok(()),
            Done::Submitted(_) => Err(StoreError::Corrupt("an audit entry was answered as a submission".into())),
        }
    }

    /// Queues several audit entries at once and waits until all are committed: they go to the writer together,
    /// so a page that reads many records costs one commit, not one each (issue 13, item 5).
    pub(crate) async fn audit_all(&self, events: Vec<AuditEvent>) -> StoreResult<()> {
        let gone = || StoreError::Unavailable("the writing thread has stopped".into());
        let mut answers = Vec::with_capacity(events.len());
        for event in events {
            let (reply, answer) = oneshot::channel();
            self.queue.send(Queued { job: Job::Audit(event), reply }).await.map_err(|_| gone())?;
            answers.push(answer);
        }
        for answer in answers {
            match answer.await.map_err(|_| gone())?? {
                Done::Audited => {}
                Done::Submitted(_) => {
                    return Err(StoreError::Corrupt("an audit entry was answered as a submission".into()));
                }
            }
        }
        Ok(())
    }

    async fn queue_and_wait(&self, job: Job) -> Outcome {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Unavailable("the writing thread has stopped".into());
        self.queue.send(Queued { job, reply }).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn run(mut writer: impl BatchWriter, mut jobs: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcomes = writer.write(&batch).await;
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            // The request may have gone (client disconnected); what was committed stays committed.
            let _ = job.reply.send(outcome);
        }
    }
}

/// One failure for every submission of a batch: the first cause is kept for the log in each.
pub(crate) fn fan_out(cause: &StoreError, n: usize) -> Vec<Outcome> {
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
        StoreError::Schema(what) => StoreError::Schema(what.clone()),
        StoreError::Backend(_) => StoreError::Backend(text.into()),
    }
}
