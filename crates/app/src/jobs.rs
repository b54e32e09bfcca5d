//! The scheduled jobs whose work is the application's: the retention period, daily housekeeping and the practice
//! model's refit. The backup job (the store's `dump::write_backup` into a folder, keeping the newest) is defined in
//! the `alliance` command, whose options set its folder, key and how many to keep, and added to the same
//! [`Scheduler`](crate::Scheduler) at start.

use std::sync::Arc;

use alliance_store::Store;
use time::{Duration, OffsetDateTime};

use crate::App;
use crate::scheduler::{JobError, JobScope, ScheduledJob};

/// Once a day: deletes the clients whose last episode of care ended more than `years` ago (audited).
pub struct Retention {
    pub store: Arc<dyn Store>,
    pub years: u32,
}

#[async_trait::async_trait]
impl ScheduledJob for Retention {
    fn name(&self) -> &'static str {
        "retention"
    }

    fn every(&self) -> Duration {
        Duration::days(1)
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        let deleted = alliance_store::retention::expire_clients(self.store.as_ref(), self.years, now).await?;
        if !deleted.is_empty() {
            tracing::info!(clients = deleted.len(), years = self.years, "clients past the retention period deleted");
        }
        Ok(())
    }
}

/// Once a day: deletes sign-in counters no rule reads any more (untouched for `forget_after`).
pub struct Housekeeping {
    pub store: Arc<dyn Store>,
    pub forget_after: Duration,
}

#[async_trait::async_trait]
impl ScheduledJob for Housekeeping {
    fn name(&self) -> &'static str {
        "housekeeping"
    }

    fn every(&self) -> Duration {
        Duration::days(1)
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        let forgotten = self.store.forget_throttles(now - self.forget_after).await?;
        if forgotten > 0 {
            tracing::info!(counters = forgotten, "sign-in counters untouched for a day forgotten");
        }
        Ok(())
    }
}

/// Every ten minutes, on each server: refits the practice model so that new data shape the expected course.
pub struct PracticeRefresh {
    pub app: App,
}

#[async_trait::async_trait]
impl ScheduledJob for PracticeRefresh {
    fn name(&self) -> &'static str {
        "practice-model"
    }

    fn every(&self) -> Duration {
        Duration::minutes(10)
    }

    fn scope(&self) -> JobScope {
        JobScope::Server
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        Ok(self.app.refresh_practice(now).await?)
    }
}

/// A census: when it ran, and the open signals by kind (every kind, zeros included).
pub type Census = (OffsetDateTime, Vec<(&'static str, u64)>);

/// Open signals of the whole practice by kind, as the last census found them (for `/metrics`).
#[derive(Debug, Default)]
pub struct OpenSignals {
    counted: std::sync::Mutex<Option<Census>>,
}

impl OpenSignals {
    /// When the last census ran and its counts by kind (every kind, zeros included); `None` before the first.
    pub fn last(&self) -> Option<Census> {
        self.counted.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// Every ten minutes on each server: counts the practice's open signals by kind (those asking for attention, as
/// the caseload shows them). From the kept overviews, so mostly nothing is computed again.
pub struct SignalCensus {
    pub app: App,
    pub counts: Arc<OpenSignals>,
}

#[async_trait::async_trait]
impl ScheduledJob for SignalCensus {
    fn name(&self) -> &'static str {
        "signal-census"
    }

    fn every(&self) -> Duration {
        Duration::minutes(10)
    }

    fn scope(&self) -> JobScope {
        JobScope::Server
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        let counts = self.app.open_signals_by_kind(now).await?;
        *self.counts.counted.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((now, counts));
        Ok(())
    }
}

/// Every five minutes, for the whole practice: queues the one reminder of each client's link sent at least
/// `remind_after` ago and still unanswered and open (the outbox's job sends it). The store's unique index keeps a
/// reminder single even if two servers ran this at once.
pub struct LinkReminders {
    pub store: Arc<dyn Store>,
    pub remind_after: Duration,
}

#[async_trait::async_trait]
impl ScheduledJob for LinkReminders {
    fn name(&self) -> &'static str {
        "link-reminders"
    }

    fn every(&self) -> Duration {
        Duration::minutes(5)
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        let queued = self.store.queue_link_reminders(now - self.remind_after, now).await?;
        if queued > 0 {
            tracing::info!(reminders = queued, "reminders of unanswered links queued");
        }
        Ok(())
    }
}
