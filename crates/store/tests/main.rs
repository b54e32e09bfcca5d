//! The store's one integration-test binary: the conformance suite, run against every implementation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;

use alliance_store::SqliteStore;

#[tokio::test]
async fn sqlite_file_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("alliance.db")).await.unwrap();
    conformance::run_all(&store).await;
}

#[tokio::test]
async fn sqlite_memory_store_conforms() {
    conformance::run_all(&SqliteStore::in_memory().await.unwrap()).await;
}

#[tokio::test]
async fn a_reopened_file_keeps_its_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let therapist = conformance::therapist(&store, "keep@example.org").await;
    store.close().await;
    let reopened = SqliteStore::open(&path).await.unwrap();
    use alliance_store::Store;
    assert_eq!(reopened.user(therapist).await.unwrap().unwrap().email, "keep@example.org");
}
