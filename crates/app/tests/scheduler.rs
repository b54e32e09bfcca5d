//! The one scheduler: jobs for the whole practice run once per interval whichever of several servers finds them
//! due, a failed one is retried once its lease expires, a server's own job runs on every server, and the
//! application's jobs (housekeeping, retention, the practice model's refit) do their work. The clock is moved by
//! hand: nothing here waits for a schedule.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use alliance_app::{
    Housekeeping, JobError, JobHistory, JobRuns, JobScope, PracticeRefresh, Retention, ScheduledJob, Scheduler,
};
use alliance_store::ThrottleState;
use time::macros::date;
use time::{Duration, OffsetDateTime};

use crate::support::{ManualClock, Practice, START, TestDb, ev, start_app};

/// A job that notes when it ran (by which server) and fails its first `failures` runs.
struct Noting {
    name: &'static str,
    every: Duration,
    scope: JobScope,
    server: usize,
    runs: Arc<std::sync::Mutex<Vec<(usize, OffsetDateTime)>>>,
    failures: AtomicUsize,
}

#[async_trait::async_trait]
impl ScheduledJob for Noting {
    fn name(&self) -> &'static str {
        self.name
    }

    fn every(&self) -> Duration {
        self.every
    }

    fn scope(&self) -> JobScope {
        self.scope
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Err("the disk is full".into());
        }
        self.runs.lock().unwrap().push((self.server, now));
        Ok(())
    }
}

type Runs = Arc<std::sync::Mutex<Vec<(usize, OffsetDateTime)>>>;

fn noting(server: usize, scope: JobScope, every: Duration, runs: &Runs, failures: usize) -> Noting {
    Noting { name: "noting", every, scope, server, runs: runs.clone(), failures: AtomicUsize::new(failures) }
}

/// Two app servers on a fresh database under one clock at `START`, each with the noting job (failing its first
/// `failures[server]` runs), and where the runs are noted.
async fn two_servers(
    scope: JobScope,
    every: Duration,
    failures: [usize; 2],
) -> (TestDb, ManualClock, Runs, [Scheduler; 2]) {
    let (db, clock, runs) = (TestDb::new().await, ManualClock::at(START), Runs::default());
    let servers = [
        Scheduler::new(db.store.clone(), clock.clock()).with(noting(0, scope, every, &runs, failures[0])),
        Scheduler::new(db.another_server().await, clock.clock()).with(noting(1, scope, every, &runs, failures[1])),
    ];
    (db, clock, runs, servers)
}

#[tokio::test]
async fn two_servers_on_one_database_run_a_practice_job_once_per_interval_taking_turns() {
    let (_db, clock, runs, servers) = two_servers(JobScope::Practice, Duration::hours(1), [0, 0]).await;
    // Ten hours in steps of ten minutes; which server looks first changes every hour.
    let mut now = clock.now();
    for step in 0..=60 {
        let first = (step / 6) % 2;
        for server in [first, 1 - first] {
            servers[server].run_due(now).await;
        }
        now = clock.advance(Duration::minutes(10));
    }
    let runs = runs.lock().unwrap().clone();
    let times: Vec<OffsetDateTime> = runs.iter().map(|(_, at)| *at).collect();
    let expected: Vec<OffsetDateTime> = (0..=10).map(|h| START + Duration::hours(h)).collect();
    assert_eq!(times, expected, "once an hour in all, not once an hour on each server");
    assert!(runs.iter().any(|(s, _)| *s == 0) && runs.iter().any(|(s, _)| *s == 1), "both took turns: {runs:?}");
}

#[tokio::test]
async fn a_failed_practice_job_keeps_its_lease_and_is_retried_when_the_lease_expires() {
    let (_db, clock, runs, [one, other]) = two_servers(JobScope::Practice, Duration::minutes(30), [1, 0]).await;
    assert!(one.run_due(START).await.is_empty(), "the first run fails");
    let mut retried = None;
    for minutes in (10..=180).step_by(10) {
        let now = clock.advance(Duration::minutes(10));
        assert_eq!(now, START + Duration::minutes(minutes));
        if !other.run_due(now).await.is_empty() {
            retried = Some(minutes);
            break;
        }
    }
    assert_eq!(retried, Some(120), "retried by the other server once the two-hour lease ran out");
    assert_eq!(*runs.lock().unwrap(), [(1, START + Duration::hours(2))]);
}

/// What a server saw of its runs, for `/metrics` and `/readyz`: failures in a row until a success, the times.
#[tokio::test]
async fn a_server_records_its_runs_of_each_job() {
    let (db, clock, runs) = (TestDb::new().await, ManualClock::at(START), Runs::default());
    let history = Arc::new(JobHistory::default());
    let server = Scheduler::new(db.store.clone(), clock.clock())
        .with(noting(0, JobScope::Server, Duration::minutes(10), &runs, 2))
        .recording(history.clone());
    assert_eq!(history.of("noting"), JobRuns::default(), "nothing before the first run");
    let mut seen = Vec::new();
    for _ in 0..3 {
        let now = clock.advance(Duration::minutes(10));
        server.run_due(now).await;
        let r = history.of("noting");
        seen.push((r.failures_in_a_row, r.failures, r.successes));
    }
    assert_eq!(seen, [(1, 1, 0), (2, 2, 0), (0, 2, 1)]);
    let r = history.of("noting");
    assert_eq!(
        (r.last_failure, r.last_success),
        (Some(START + Duration::minutes(20)), Some(START + Duration::minutes(30)))
    );
    assert_eq!(history.snapshot().iter().map(|(name, _)| *name).collect::<Vec<_>>(), ["noting"]);
}

#[tokio::test]
async fn a_servers_own_job_runs_on_every_server_from_one_interval_after_start() {
    let (_db, clock, runs, servers) = two_servers(JobScope::Server, Duration::minutes(10), [0, 0]).await;
    // Every five minutes from the start, for twenty minutes.
    let mut now = clock.now();
    while now <= START + Duration::minutes(20) {
        for server in &servers {
            server.run_due(now).await;
        }
        now = clock.advance(Duration::minutes(5));
    }
    let runs = runs.lock().unwrap().clone();
    let at = |m: i64| START + Duration::minutes(m);
    assert_eq!(runs, vec![(0, at(10)), (1, at(10)), (0, at(20)), (1, at(20))]);
}

#[tokio::test]
async fn housekeeping_forgets_sign_in_counters_untouched_for_a_day_once_a_day() {
    let db = TestDb::new().await;
    let store = db.store.clone();
    let now = START;
    let stale =
        ThrottleState { failures: 9, window_start: now - Duration::days(3), blocked_until: now - Duration::days(3) };
    let recent =
        ThrottleState { failures: 2, window_start: now - Duration::hours(2), blocked_until: now - Duration::hours(1) };
    assert!(store.update_throttle(b"stale", None, &stale).await.unwrap());
    assert!(store.update_throttle(b"recent", None, &recent).await.unwrap());
    let clock = ManualClock::at(now);
    let scheduler = Scheduler::new(store.clone(), clock.clock())
        .with(Housekeeping { store: store.clone(), forget_after: Duration::days(1) });
    assert_eq!(scheduler.run_due(now).await, ["housekeeping"], "the first round runs as the server starts");
    assert_eq!(
        (store.throttle(b"stale").await.unwrap(), store.throttle(b"recent").await.unwrap()),
        (None, Some(recent))
    );
    assert!(scheduler.run_due(clock.advance(Duration::hours(23))).await.is_empty(), "once a day");
    assert_eq!(scheduler.run_due(clock.advance(Duration::hours(1))).await, ["housekeeping"]);
    assert_eq!(store.throttle(b"recent").await.unwrap(), None, "a day later the other counter is stale too");
}

#[tokio::test]
async fn retention_deletes_the_clients_whose_care_ended_longer_ago_than_the_period() {
    let db = TestDb::new().await;
    let mut practice = Practice::new(start_app(db.store.clone(), START).await).await;
    let (old, recent) = (practice.client().await, practice.client().await);
    for (client, ended_on) in [(old, date!(2020 - 06 - 01)), (recent, date!(2025 - 06 - 01))] {
        let episode = practice.episode(client, date!(2019 - 01 - 07)).await;
        practice.phq9_session(episode, date!(2019 - 01 - 07), 1).await;
        db.store.end_episode(episode, ended_on, ev(START)).await.unwrap();
    }
    let clock = ManualClock::at(START);
    let scheduler =
        Scheduler::new(db.store.clone(), clock.clock()).with(Retention { store: db.store.clone(), years: 5 });
    assert_eq!(scheduler.run_due(START).await, ["retention"]);
    assert!(db.store.client(old).await.unwrap().is_none(), "ended more than five years ago");
    assert!(db.store.client(recent).await.unwrap().is_some());
}

#[tokio::test]
async fn the_practice_model_is_refitted_on_each_server_every_ten_minutes() {
    let db = TestDb::new().await;
    let app = start_app(db.store.clone(), START).await;
    let clock = ManualClock::at(START);
    let scheduler = Scheduler::new(db.store.clone(), clock.clock()).with(PracticeRefresh { app: app.clone() });
    let before = app.practice();
    assert!(scheduler.run_due(clock.advance(Duration::minutes(9))).await.is_empty(), "fitted at start");
    assert_eq!(scheduler.run_due(clock.advance(Duration::minutes(1))).await, ["practice-model"]);
    assert!(!Arc::ptr_eq(&before, &app.practice()), "a new model is in use");
    let reads = db.store.audit_events(50).await.unwrap();
    assert_eq!(reads.iter().filter(|e| e.action == "batch-read" && e.object_kind == "practice").count(), 2);
}
