//! Scheduled jobs of `alliance serve`: backups, the retention period, and daily housekeeping. Several app
//! servers may share one database; each job is run by whichever server takes its lease in the database
//! (`job_leases`), and the lease also records when the job last finished, so the schedule holds across servers
//! and restarts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use alliance_store::Database;
use alliance_store::dump::file::BackupKey;
use alliance_store::prelude::*;
use anyhow::{Context, bail};

use crate::args::KeyArgs;

/// Scheduled backups.
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
    pub key: BackupKey,
}

/// What the jobs need.
pub struct Jobs {
    pub store: Arc<dyn Store>,
    pub db: Database,
    pub backup: Option<BackupSchedule>,
    pub retention_years: Option<u32>,
}

const BACKUP_JOB: &str = "backup";
const RETENTION_JOB: &str = "retention";
const HOUSEKEEPING_JOB: &str = "housekeeping";
/// How long a server may hold a job before others assume it died.
const LEASE: time::Duration = time::Duration::hours(2);
const PREFIX: &str = "alliance-";
const SUFFIX: &str = ".backup";

impl Jobs {
    /// Runs the jobs that are due until the process ends; checks every minute (more often for short intervals).
    pub async fn run(self) {
        let holder = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
        let tick = self.backup.as_ref().map_or(Duration::from_secs(60), |b| {
            (b.every / 4).clamp(Duration::from_millis(200), Duration::from_secs(60))
        });
        let mut every = tokio::time::interval(tick);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let now = time::OffsetDateTime::now_utc();
            if let Some(schedule) = &self.backup
                && let Err(e) = self.scheduled_backup(schedule, &holder, now).await
            {
                tracing::error!(error = format!("{e:#}"), "scheduled backup failed");
            }
            if let Some(years) = self.retention_years
                && let Err(e) = self.retention(years, &holder, now).await
            {
                tracing::error!(error = format!("{e:#}"), "retention job failed");
            }
            if let Err(e) = self.housekeeping(&holder, now).await {
                tracing::error!(error = format!("{e:#}"), "housekeeping failed");
            }
        }
    }

    /// Once a day: deletes sign-in counters no rule reads any more.
    async fn housekeeping(&self, holder: &str, now: time::OffsetDateTime) -> anyhow::Result<()> {
        if !self.store.take_job(HOUSEKEEPING_JOB, holder, now, LEASE, now - time::Duration::days(1)).await? {
            return Ok(());
        }
        let forgotten = self.store.forget_throttles(now - alliance_web::SIGN_IN_COUNTERS_FORGOTTEN_AFTER).await?;
        if forgotten > 0 {
            tracing::info!(counters = forgotten, "sign-in counters untouched for a day forgotten");
        }
        self.store.finish_job(HOUSEKEEPING_JOB, holder, time::OffsetDateTime::now_utc()).await?;
        Ok(())
    }

    async fn scheduled_backup(
        &self,
        s: &BackupSchedule,
        holder: &str,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<()> {
        let every = time::Duration::try_from(s.every)?;
        if !self.store.take_job(BACKUP_JOB, holder, now, LEASE, now - every).await? {
            return Ok(());
        }
        let name = format!(
            "{PREFIX}{}{SUFFIX}",
            now.format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))?
        );
        let path = s.dir.join(name);
        let (manifest, size) = alliance_store::dump::write_backup(&self.db, &path, &s.key, now).await?;
        tracing::info!(file = %path.display(), bytes = size, rows = manifest.total_rows(), "scheduled backup written");
        prune(&s.dir, s.keep)?;
        self.store.finish_job(BACKUP_JOB, holder, time::OffsetDateTime::now_utc()).await?;
        Ok(())
    }

    async fn retention(&self, years: u32, holder: &str, now: time::OffsetDateTime) -> anyhow::Result<()> {
        if !self.store.take_job(RETENTION_JOB, holder, now, LEASE, now - time::Duration::days(1)).await? {
            return Ok(());
        }
        let deleted = alliance_store::retention::expire_clients(self.store.as_ref(), years, now).await?;
        if !deleted.is_empty() {
            tracing::info!(clients = deleted.len(), years, "clients past the retention period deleted");
        }
        self.store.finish_job(RETENTION_JOB, holder, time::OffsetDateTime::now_utc()).await?;
        Ok(())
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
