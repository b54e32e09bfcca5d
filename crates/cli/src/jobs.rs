//! The scheduled jobs of `alliance serve`, all in the application's one scheduler under the server's clock: the
//! backup job, defined here because its settings (folder, key, how many to keep) are this command's options, and
//! the application's own jobs
//! (the retention period, daily housekeeping, the practice model's refit). With several app servers on one
//! database, one of them runs each backup, under the job's lease (see `alliance_app::Scheduler`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use alliance_app::{Housekeeping, JobError, PracticeRefresh, Retention, ScheduledJob, Scheduler, SignalCensus};
use anyhow::{Context, bail};

use alliance_store::Database;
use alliance_store::dump::file::BackupKey;

use crate::args::KeyArgs;

/// Scheduled backups.
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
    pub key: BackupKey,
}

/// The jobs the operator chose, besides those every server runs.
#[derive(Default)]
pub struct Jobs {
    /// Scheduled backups of this database.
    pub backup: Option<(Database, BackupSchedule)>,
    pub retention_years: Option<u32>,
}

const PREFIX: &str = "alliance-";
const SUFFIX: &str = ".backup";

impl Jobs {
    /// The server's scheduler, under the server's own clock: backups when scheduled, the retention period when
    /// set, housekeeping, and the refit of `state`'s practice model.
    pub fn scheduler(self, state: &alliance_web::AppState) -> anyhow::Result<Scheduler> {
        let store = state.store.clone();
        let mut scheduler = Scheduler::new(store.clone(), state.clock.clone()).recording(state.jobs.clone());
        if let Some((db, schedule)) = self.backup {
            let every = time::Duration::try_from(schedule.every)?;
            scheduler = scheduler.with(BackupJob { db, schedule, every });
        }
        if let Some(years) = self.retention_years {
            scheduler = scheduler.with(Retention { store: store.clone(), years });
        }
        // Reminders only where something can send them; both jobs hold practice-wide leases.
        if let Some(delivery) = alliance_web::mail::MailDelivery::for_config(store.clone(), &state.config)
            .map_err(|why| anyhow::anyhow!(why))?
        {
            scheduler = scheduler.with(delivery);
            if let Some(remind_after) = state.config.links.remind_after {
                scheduler = scheduler.with(alliance_app::LinkReminders { store: store.clone(), remind_after });
            }
        }
        let forget_after = alliance_web::SIGN_IN_COUNTERS_FORGOTTEN_AFTER;
        let census = SignalCensus { app: state.app.clone(), counts: state.open_signals.clone() };
        Ok(scheduler
            .with(Housekeeping { store, forget_after })
            .with(PracticeRefresh { app: state.app.clone() })
            .with(census))
    }
}

/// Writes an encrypted backup of the whole database to the schedule's folder and keeps the newest.
struct BackupJob {
    db: Database,
    schedule: BackupSchedule,
    every: time::Duration,
}

#[async_trait::async_trait]
impl ScheduledJob for BackupJob {
    fn name(&self) -> &'static str {
        "backup"
    }

    fn every(&self) -> time::Duration {
        self.every
    }

    async fn run(&self, now: time::OffsetDateTime) -> Result<(), JobError> {
        self.write(now).await.map_err(JobError::from)
    }
}

impl BackupJob {
    async fn write(&self, now: time::OffsetDateTime) -> anyhow::Result<()> {
        let s = &self.schedule;
        let name = format!(
            "{PREFIX}{}{SUFFIX}",
            now.format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))?
        );
        let path = s.dir.join(name);
        let (manifest, size) = alliance_store::dump::write_backup(&self.db, &path, &s.key, now).await?;
        tracing::info!(file = %path.display(), bytes = size, rows = manifest.total_rows(), "scheduled backup written");
        prune(&s.dir, s.keep)
    }
}

/// Keeps the newest `keep` scheduled backups in `dir` (their names sort by time) and removes the rest.
pub fn prune(dir: &Path, keep: usize) -> anyhow::Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep);
    for name in &names[..excess] {
        std::fs::remove_file(dir.join(name)).with_context(|| format!("cannot remove the old backup {name}"))?;
        tracing::info!(file = %name, keep, "old scheduled backup removed");
    }
    Ok(())
}

/// Checks the schedule's settings before anything starts.
pub fn backup_schedule(
    dir: Option<&Path>,
    every_hours: f64,
    keep: usize,
    key: &KeyArgs,
) -> anyhow::Result<Option<BackupSchedule>> {
    let Some(dir) = dir else { return Ok(None) };
    if !(every_hours.is_finite() && every_hours > 0.0 && every_hours <= 24.0 * 366.0) {
        bail!("--backup-every must be a number of hours above 0");
    }
    if keep == 0 {
        bail!("--backup-keep must keep at least one backup");
    }
    let key = key.load(key.new_key)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(Some(BackupSchedule { dir: dir.to_owned(), every: Duration::from_secs_f64(every_hours * 3600.0), keep, key }))
}
