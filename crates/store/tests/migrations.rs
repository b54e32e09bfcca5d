//! A migration that fails half-way leaves no half-made schema: each migration runs in one transaction, the
//! store refuses to open with a clear error, and opens normally once the obstacle is gone.

use alliance_store::*;
use sqlx::Connection;

use crate::ScratchDatabase;

/// A table the first migration creates late, made beforehand so the migration fails part-way through.
const OBSTACLE: &str = "CREATE TABLE audit_events (obstacle INTEGER)";

#[tokio::test]
async fn an_interrupted_sqlite_migration_leaves_no_half_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let mut db = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(&path)).await.unwrap();
    sqlx::query(OBSTACLE).execute(&mut db).await.unwrap();

    let refused = SqliteStore::open(&path, &crate::keys()).await;
    assert!(matches!(refused, Err(StoreError::Backend(_))), "refused to open: {refused:?}");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        tables,
        vec!["_sqlx_migrations".to_owned(), "audit_events".to_owned()],
        "the tables made before the failure were rolled back"
    );
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations").fetch_one(&mut db).await.unwrap();
    assert_eq!(applied, 0, "the failed migration is not marked applied");

    sqlx::query("DROP TABLE audit_events").execute(&mut db).await.unwrap();
    db.close().await.unwrap();
    let store = SqliteStore::open(&path, &crate::keys()).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 0, "the schema is complete once the obstacle is gone");
    store.close().await;
}

#[tokio::test]
async fn an_interrupted_postgres_migration_leaves_no_half_schema() {
    let Some(scratch) = ScratchDatabase::create("an_interrupted_postgres_migration_leaves_no_half_schema").await else {
        return;
    };
    let mut db = sqlx::PgConnection::connect(&scratch.url).await.unwrap();
    sqlx::query(OBSTACLE).execute(&mut db).await.unwrap();

    let refused = PostgresStore::connect(&scratch.url, PostgresOptions::default(), &crate::keys()).await;
    assert!(matches!(refused, Err(StoreError::Backend(_))), "refused to open: {:?}", refused.err());
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        tables,
        vec!["_sqlx_migrations".to_owned(), "audit_events".to_owned()],
        "the tables made before the failure were rolled back"
    );
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations").fetch_one(&mut db).await.unwrap();
    assert_eq!(applied, 0, "the failed migration is not marked applied");

    sqlx::query("DROP TABLE audit_events").execute(&mut db).await.unwrap();
    db.close().await.unwrap();
    let store = PostgresStore::connect(&scratch.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 0);
    store.close().await;
}
