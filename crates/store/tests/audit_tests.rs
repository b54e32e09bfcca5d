//! The audit chain against each engine's own SQL: the database refuses changes, entries from before the chain are
//! chained once, and many concurrent appends (two pools, as two app servers) give one unbroken chain.

use std::sync::Arc;

use alliance_store::*;
use sqlx::Connection;
use time::macros::datetime;

use crate::ScratchDatabase;
use crate::conformance::ev;

const APPENDS: u32 = 200;

/// `APPENDS` entries appended at once, half through each store; then the chain must be whole.
async fn concurrent_appends(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let start = a.audit_head().await.unwrap().seq;
    let began = std::time::Instant::now();
    let handles: Vec<_> = (0..APPENDS)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { store.audit(AuditEvent { object_id: Some(i64::from(i)), ..ev() }).await })
        })
        .collect();
    for h in handles {
        h.await.unwrap().unwrap();
    }
    eprintln!("{APPENDS} concurrent audit appends in {:?}", began.elapsed());
    let report = audit::verify_chain(a.as_ref()).await.unwrap();
    assert_eq!(report.broken, None);
    let head = b.audit_head().await.unwrap();
    assert_eq!(head.seq, start + i64::from(APPENDS));
    assert_eq!(report.verified, u64::try_from(head.seq).unwrap());
    let mut ids: Vec<i64> = a
        .search_audit(&AuditFilter { object_kind: Some("test".into()), ..Default::default() }, 10_000)
        .await
        .unwrap()
        .iter()
        .filter_map(|e| e.object_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), APPENDS as usize, "every append is there once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_appends_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let a = Arc::new(SqliteStore::open(&path, &crate::keys()).await.unwrap());
    let b = Arc::new(SqliteStore::open(&path, &crate::keys()).await.unwrap());
    concurrent_appends(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_appends_form_one_chain() {
    let Some(db) = ScratchDatabase::create("postgres_concurrent_appends_form_one_chain").await else { return };
    let options = PostgresOptions { max_connections: 10, ..Default::default() };
    let a = Arc::new(PostgresStore::connect(&db.url, options.clone(), &crate::keys()).await.unwrap());
    let b = Arc::new(PostgresStore::connect(&db.url, options, &crate::keys()).await.unwrap());
    concurrent_appends(a.clone(), b.clone()).await;
    a.close().await;
    b.close().await;
}

/// Statements the database itself must refuse once entries are chained.
const REFUSED: &[&str] = &[
    "UPDATE audit_events SET action = 'nothing' WHERE seq = 1",
    "UPDATE audit_events SET at = at + 1",
    "DELETE FROM audit_events WHERE seq = 1",
    "INSERT INTO audit_events (at, action, object_kind, purpose) VALUES (1, 'forged', 'client', 'care')",
    "UPDATE audit_head SET seq = 0",
    "UPDATE audit_head SET seq = seq + 2",
    "DELETE FROM audit_head",
];

#[tokio::test]
async fn sqlite_refuses_changes_to_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let store = SqliteStore::open(&path, &crate::keys()).await.unwrap();
    store.audit(ev()).await.unwrap();
    store.audit(ev()).await.unwrap();
    let mut raw = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(&path)).await.unwrap();
    // The connection can read the file: the refusals below are the triggers', not a wrong key's.
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events").fetch_one(&mut raw).await.unwrap();
    assert_eq!(entries, 2);
    for sql in REFUSED {
        assert!(sqlx::query(sql).execute(&mut raw).await.is_err(), "{sql} was allowed");
    }
    raw.close().await.unwrap();
    assert_eq!(audit::verify_chain(&store).await.unwrap().broken, None);
    assert_eq!(store.audit_head().await.unwrap().seq, 2);
}

#[tokio::test]
async fn postgres_refuses_changes_to_the_log() {
    let Some(db) = ScratchDatabase::create("postgres_refuses_changes_to_the_log").await else { return };
    let store = PostgresStore::connect(&db.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    store.audit(ev()).await.unwrap();
    store.audit(ev()).await.unwrap();
    let mut raw = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let mut refused: Vec<&str> = REFUSED.to_vec();
    // Here the head may only point at an entry of the chain (a batch moves it by several at once).
    refused.extend([
        "TRUNCATE audit_events",
        "TRUNCATE audit_head",
        "UPDATE audit_head SET seq = seq + 1",
        "UPDATE audit_head SET hash = decode(repeat('ab', 32), 'hex')",
    ]);
    for sql in refused {
        assert!(sqlx::query(sql).execute(&mut raw).await.is_err(), "{sql} was allowed");
    }
    raw.close().await.unwrap();
    assert_eq!(audit::verify_chain(&store).await.unwrap().broken, None);
    store.close().await;
}

/// The first migration alone, as a database written before the chain existed.
fn first_migration_only(engine: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(engine).join("0001_init.sql");
    std::fs::copy(source, dir.path().join("0001_init.sql")).unwrap();
    dir
}

const LEGACY: &str =
    "INSERT INTO audit_events (at, actor_id, actor_role, action, object_kind, object_id, purpose, address)
     VALUES (1700000000, 7, 'therapist', 'read', 'client', 3, 'care', '192.0.2.9'),
            (1700000060, NULL, NULL, 'batch-read', 'practice', NULL, 'expected course', NULL)";

async fn check_legacy_chained(store: &dyn Store) {
    let report = audit::verify_chain(store).await.unwrap();
    assert_eq!((report.verified, report.broken), (3, None), "two legacy entries, then a new one");
    let rows = store.audit_chain(None, 10).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), vec!["read", "batch-read", "create"]);
    assert_eq!(rows[0].at, 1_700_000_000);
}

#[tokio::test]
async fn sqlite_entries_from_before_the_chain_are_chained_once() {
    let migrations = first_migration_only("sqlite");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let mut raw = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(&path)).await.unwrap();
    sqlx::migrate::Migrator::new(migrations.path()).await.unwrap().run(&mut raw).await.unwrap();
    sqlx::query(LEGACY).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();
    let store = SqliteStore::open(&path, &crate::keys()).await.unwrap();
    store.audit(AuditEvent { at: datetime!(2026-11-28 10:00 UTC), ..ev() }).await.unwrap();
    check_legacy_chained(&store).await;
    store.close().await;
    // Opening again changes nothing.
    let store = SqliteStore::open(&path, &crate::keys()).await.unwrap();
    check_legacy_chained(&store).await;
}

#[tokio::test]
async fn postgres_entries_from_before_the_chain_are_chained_once() {
    let Some(db) = ScratchDatabase::create("postgres_entries_from_before_the_chain_are_chained_once").await else {
        return;
    };
    let migrations = first_migration_only("postgres");
    let mut raw = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::migrate::Migrator::new(migrations.path()).await.unwrap().run(&mut raw).await.unwrap();
    sqlx::query(LEGACY).execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();
    let store = PostgresStore::connect(&db.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    store.audit(ev()).await.unwrap();
    check_legacy_chained(&store).await;
    store.close().await;
    let store = PostgresStore::connect(&db.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    check_legacy_chained(&store).await;
    store.close().await;
}
