//! `alliance serve`'s daily housekeeping: sign-in counters no rule reads any more are deleted, the others kept.

use alliance_store::*;
use time::{Duration, OffsetDateTime};

use crate::backup::{keys, spawn_serve};

#[test]
fn serve_forgets_sign_in_counters_untouched_for_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let database = data.join("alliance.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let stale =
        ThrottleState { failures: 9, window_start: now - Duration::days(3), blocked_until: now - Duration::days(3) };
    let recent = ThrottleState { failures: 2, window_start: now - Duration::hours(2), blocked_until: now };
    runtime.block_on(async {
        let store = SqliteStore::open(&database, &keys()).await.unwrap();
        assert!(store.update_throttle(b"stale", None, &stale).await.unwrap());
        assert!(store.update_throttle(b"recent", None, &recent).await.unwrap());
        store.close().await;
    });
    let mut server = spawn_serve(&data, &dir.path().join("serve.log"), &[], &[]);
    // The first round of jobs runs as the server starts.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let left = loop {
        let left = runtime.block_on(async {
            let store = SqliteStore::open_as_is(&database, &keys()).await.unwrap();
            let left = (store.throttle(b"stale").await.unwrap(), store.throttle(b"recent").await.unwrap());
            store.close().await;
            left
        });
        if left.0.is_none() || std::time::Instant::now() > deadline {
            break left;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert!(server.try_wait().unwrap().is_none(), "the server kept running");
    server.kill().unwrap();
    server.wait().unwrap();
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert_eq!(left, (None, Some(recent)), "{log}");
    assert!(log.contains("sign-in counters untouched for a day forgotten"), "{log}");
    assert!(!log.contains("ERROR"), "{log}");
}
