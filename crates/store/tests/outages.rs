//! A database in trouble. A full disk under SQLite: the write that does not fit is refused as "unavailable" and
//! leaves nothing behind, everything acknowledged before stays, and once there is room again the same store takes
//! the write, with no restart (a small tmpfs, which needs root: CI runs as root; elsewhere the test says so and
//! passes). A slow PostgreSQL: the store gives up after its statement timeout instead of hanging.

use std::path::{Path, PathBuf};
use std::process::Command;

use alliance_store::*;
use time::macros::date;
use time::{Duration, OffsetDateTime};

use sqlx::Connection;

use crate::{ScratchDatabase, conformance, reflection};

const NOW: OffsetDateTime = time::macros::datetime!(2026-11-28 12:00 UTC);

struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(at.to_owned()))
    }

    fn grow(&self, size: &str) {
        let status = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn audit() -> AuditEvent {
    AuditEvent {
        at: NOW,
        actor: None,
        actor_role: None,
        action: "client-submitted",
        object_kind: "session",
        object_id: None,
        purpose: "care",
        address: None,
    }
}

#[tokio::test]
async fn a_full_disk_refuses_the_write_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&dir.path().join("small"), "64m") else {
        eprintln!("needs root to mount a small tmpfs; skipped");
        return;
    };
    let store = SqliteStore::open(&disk.0.join("alliance.db"), &crate::keys()).await.unwrap();
    let therapist = conformance::therapist(&store, "full@example.org").await;
    let client = store
        .create_client(NewClient { therapist, pseudonym: "Ada Full".into(), contact: None }, conformance::ev(), NOW)
        .await
        .unwrap();
    let episode = store
        .open_episode(
            NewEpisode { client, therapist, started_on: date!(2026 - 11 - 01), measures: vec![] },
            conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    let check = vec![InstrumentRef { id: "relationship-check".into(), version: 1 }];
    // A long answer fills the disk faster.
    let big = || NewResponse {
        answers: crate::answers(&format!("{{\"note\": \"{}\"}}", "x".repeat(8_000))),
        ..reflection(3.0)
    };

    // Sessions and links first, while there is room; then the disk is shrunk to just above what is used.
    let mut links = Vec::new();
    for n in 0..150u32 {
        let session = store
            .record_session(
                NewSession { episode, held_on: date!(2026 - 11 - 28), attended: true },
                conformance::ev(),
                NOW,
            )
            .await
            .unwrap();
        let token = n.to_be_bytes().repeat(8);
        let link = NewLink {
            session: session.id,
            token_hash: token.clone(),
            expires_at: NOW + Duration::hours(1),
            instruments: check.clone(),
        };
        store.create_link(link, conformance::ev(), NOW).await.unwrap();
        let view = store.link_by_token(&token, NOW).await.unwrap().unwrap();
        links.push((token, session.id, view));
    }
    let used: u64 = std::fs::read_dir(&disk.0).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum::<u64>();
    disk.grow(&format!("{}k", used / 1024 + 256));

    let mut acknowledged = Vec::new();
    let mut refused = None;
    for (token, session, view) in links {
        let answers =
            view.administrations.iter().map(|a| NewResponse { administration: Some(a.id), ..big() }).collect();
        match store.submit_link(&token, answers, audit(), NOW).await {
            Ok(Ok(_)) => acknowledged.push(session),
            Err(StoreError::Unavailable(_)) => {
                refused = Some((token, session, view));
                break;
            }
            other => panic!("a full disk is reported as unavailable, got {other:?}"),
        }
    }
    let refused = refused.expect("the disk filled up");
    let (token, session, view) = refused;

    // Room again: the same store, without reopening, reads and takes the submission. Nothing of the refused
    // submission was stored; everything acknowledged was.
    disk.grow("64m");
    let state = store.link_by_token(&token, NOW).await.unwrap().unwrap().state;
    assert_eq!(state, LinkState::Open, "the refused link can still be used");
    let stored = store.responses_of(client).await.unwrap();
    assert!(stored.iter().all(|r| r.session != session), "no part of the refused submission is stored");
    let mut sessions: Vec<SessionId> = stored.iter().map(|r| r.session).collect();
    sessions.dedup();
    assert_eq!(sessions, acknowledged, "every acknowledged submission is there");

    let answers = view.administrations.iter().map(|a| NewResponse { administration: Some(a.id), ..big() }).collect();
    let retried = store.submit_link(&token, answers, audit(), NOW).await.unwrap();
    assert!(retried.is_ok(), "stored once there is room");
    assert_eq!(store.responses_of(client).await.unwrap().len(), acknowledged.len() + 1);
    eprintln!("{} submissions fitted before the disk was full", acknowledged.len());
    store.close().await;
}

/// A slow database: a table locked by someone else. The store gives up after its statement timeout with
/// "unavailable" instead of hanging, and works again once the lock is gone.
#[tokio::test]
async fn a_slow_postgres_database_is_given_up_on_in_time() {
    let Some(scratch) = ScratchDatabase::create("a_slow_postgres_database_is_given_up_on_in_time").await else {
        return;
    };
    let options = PostgresOptions { statement_timeout: std::time::Duration::from_millis(800), ..Default::default() };
    let store = PostgresStore::connect(&scratch.url, options, &crate::keys()).await.unwrap();
    let mut blocker = sqlx::PgConnection::connect(&scratch.url).await.unwrap();
    let mut tx = blocker.begin().await.unwrap();
    sqlx::query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();

    let started = std::time::Instant::now();
    let blocked = store.count_users().await;
    let waited = started.elapsed();
    assert!(matches!(blocked, Err(StoreError::Unavailable(_))), "{blocked:?}");
    assert!(waited < std::time::Duration::from_secs(5), "gave up after the timeout, not later: {waited:?}");

    tx.rollback().await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 0, "answers again once the lock is gone");
    store.close().await;
}

/// A connection the server dropped while nothing was written (a restart, a firewall's idle timeout) costs no
/// write: the writing thread checks a connection that sat idle before it writes a batch on it.
#[tokio::test]
async fn a_postgres_connection_ended_under_the_writer_fails_no_write() {
    let Some(scratch) = ScratchDatabase::create("a_postgres_connection_ended_under_the_writer_fails_no_write").await
    else {
        return;
    };
    let store = PostgresStore::connect(&scratch.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    store.audit(audit()).await.unwrap();
    let end_the_stores_connections = || async {
        let mut admin = sqlx::PgConnection::connect(&scratch.url).await.unwrap();
        let ended: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'alliance'",
        )
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert!(!ended.is_empty() && ended.iter().all(|e| *e), "the store's connections were ended: {ended:?}");
        admin.close().await.unwrap();
    };
    // At once: the writing thread finds its connection ended at BEGIN and writes on a new one.
    end_the_stores_connections().await;
    store.audit(audit()).await.unwrap();
    // After longer than the writing thread lets a connection sit unchecked: it is pinged first.
    end_the_stores_connections().await;
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    store.audit(audit()).await.unwrap();
    let chain = audit::verify_chain(&store).await.unwrap();
    assert_eq!((chain.verified, chain.broken), (3, None));
    store.close().await;
}
