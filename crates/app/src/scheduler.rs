//! The one scheduler of every periodic job of an app server: backups, the retention period, housekeeping and the
//! practice model's refit. It reads the server's one injected clock, so a test moves that clock and calls
//! [`Scheduler::run_due`] instead of waiting for a schedule in real time.
//!
//! Several app servers may share one database. A job that changes the practice's data or files runs once for all
//! of them: whichever server takes its lease in the database (`Store::take_job`) runs it, and the lease also
//! records when the job last finished, so the schedule holds across servers and restarts. A job whose work lives
//! in a server's memory (the practice model) runs on every server, timed by that server's scheduler.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use alliance_store::Store;
use time::{Duration, OffsetDateTime};

use crate::{Clock, with_causes};

/// Why a job failed: anything its body reports, logged with its causes.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;

/// Who runs a job when several app servers share one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobScope {
    /// One server for the whole practice, under the job's lease in the database.
    Practice,
    /// Every server for itself; first one interval after the scheduler was made (the work was done at start).
    Server,
}

/// A periodic job. Its body gets the time it was found due.
#[async_trait::async_trait]
pub trait ScheduledJob: Send + Sync {
    /// The job's name, also its lease's name in the database.
    fn name(&self) -> &'static str;
    /// How long after it last finished the job is due again.
    fn every(&self) -> Duration;
    /// Who runs it: by default one server for the whole practice.
    fn scope(&self) -> JobScope {
        JobScope::Practice
    }
    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError>;
}

/// How long a server may hold a job's lease before the others take it as dead (a failed job is retried then).
const LEASE: Duration = Duration::hours(2);

/// How often the loop looks for due jobs: a quarter of the shortest interval, between these bounds.
const TICK_BOUNDS: (std::time::Duration, std::time::Duration) =
    (std::time::Duration::from_millis(200), std::time::Duration::from_secs(60));

struct Entry {
    job: Box<dyn ScheduledJob>,
    /// For a server's own job: when it last ran (or the scheduler was made).
    last_here: Mutex<OffsetDateTime>,
}

pub struct Scheduler {
    store: Arc<dyn Store>,
    clock: Clock,
    /// This server's name on the leases it takes.
    holder: String,
    jobs: Vec<Entry>,
    history: Arc<JobHistory>,
}

/// What this server saw of one job's runs (a job of the practice that another server ran is not seen here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobRuns {
    pub last_success: Option<OffsetDateTime>,
    pub last_failure: Option<OffsetDateTime>,
    /// Failures since the last success.
    pub failures_in_a_row: u32,
    pub successes: u64,
    pub failures: u64,
}

/// The runs of every job of this server, by job name: for metrics and the readiness probe.
#[derive(Debug, Default)]
pub struct JobHistory {
    runs: Mutex<BTreeMap<&'static str, JobRuns>>,
}

impl JobHistory {
    fn record(&self, job: &'static str, at: OffsetDateTime, succeeded: bool) {
        let mut runs = self.runs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let r = runs.entry(job).or_default();
        if succeeded {
            r.last_success = Some(at);
            r.failures_in_a_row = 0;
            r.successes += 1;
        } else {
            r.last_failure = Some(at);
            r.failures_in_a_row += 1;
            r.failures += 1;
        }
    }

    /// Every job that has run here, by name.
    pub fn snapshot(&self) -> Vec<(&'static str, JobRuns)> {
        let runs = self.runs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        runs.iter().map(|(name, r)| (*name, *r)).collect()
    }

    /// One job's runs here (all zero before its first).
    pub fn of(&self, job: &str) -> JobRuns {
        let runs = self.runs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        runs.get(job).copied().unwrap_or_default()
    }
}

impl Scheduler {
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Self {
        let holder = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
        Self { store, clock, holder, jobs: Vec::new(), history: Arc::default() }
    }

    /// Records every run in `history` (the web state's, for `/metrics` and `/readyz`).
    pub fn recording(mut self, history: Arc<JobHistory>) -> Self {
        self.history = history;
        self
    }

    /// Adds a job to the schedule.
    pub fn with(mut self, job: impl ScheduledJob + 'static) -> Self {
        let made = (self.clock)();
        self.jobs.push(Entry { job: Box::new(job), last_here: Mutex::new(made) });
        self
    }

    /// Runs, one after the other, the jobs due at `now` that this server gets, and gives the names of those that
    /// ran and succeeded. A failure is logged and does not stop the others.
    pub async fn run_due(&self, now: OffsetDateTime) -> Vec<&'static str> {
        let mut done = Vec::new();
        for entry in &self.jobs {
            let job = entry.job.as_ref();
            match self.run_if_due(entry, now).await {
                Ok(true) => {
                    self.history.record(job.name(), (self.clock)(), true);
                    done.push(job.name());
                }
                Ok(false) => {}
                Err(e) => {
                    self.history.record(job.name(), (self.clock)(), false);
                    tracing::error!(job = job.name(), error = %with_causes(e.as_ref()), "scheduled job failed");
                }
            }
        }
        done
    }

    async fn run_if_due(&self, entry: &Entry, now: OffsetDateTime) -> Result<bool, JobError> {
        let job = entry.job.as_ref();
        match job.scope() {
            JobScope::Practice => {
                if !self.store.take_job(job.name(), &self.holder, now, LEASE, now - job.every()).await? {
                    return Ok(false);
                }
                // A failure keeps the lease until it expires: the job is retried then, by any server.
                job.run(now).await?;
                self.store.finish_job(job.name(), &self.holder, (self.clock)()).await?;
            }
            JobScope::Server => {
                {
                    let mut last = entry.last_here.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    if now - *last < job.every() {
                        return Ok(false);
                    }
                    // Timed from this round whether it succeeds or not, as a failed refit is retried next time.
                    *last = now;
                }
                job.run(now).await?;
            }
        }
        Ok(true)
    }

    /// How often [`Scheduler::run`] looks for due jobs.
    pub fn tick(&self) -> std::time::Duration {
        let quarter = |e: &Entry| std::time::Duration::try_from(e.job.every() / 4).unwrap_or(TICK_BOUNDS.1);
        self.jobs.iter().map(quarter).min().unwrap_or(TICK_BOUNDS.1).clamp(TICK_BOUNDS.0, TICK_BOUNDS.1)
    }

    /// Runs the jobs that are due, by the injected clock, until the process ends; the first round at once.
    pub async fn run(self) {
        let mut every = tokio::time::interval(self.tick());
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            self.run_due((self.clock)()).await;
        }
    }
}
