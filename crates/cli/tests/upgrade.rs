//! Backups across releases: a backup reads the database as it is (it never upgrades the schema under an older
//! server), a backup made before an upgrade restores into the newest schema, and one made by a newer release is
//! refused before anything is created.

use std::path::Path;

use alliance_store::*;
use sqlx::{ConnectOptions, Connection};

use crate::backup::{alliance, backup_with_new_key, keys, practice, snapshot, sqlite};
use crate::path_str;

/// The schema versions recorded in a SQLite file, read directly.
async fn recorded_versions(path: &Path) -> Vec<i64> {
    let mut conn = SqliteStore::connect_options(path, &keys()).connect().await.unwrap();
    let versions = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    versions
}

/// No folder the restore used for its scratch copy is left beside the target.
fn no_scratch_left(folder: &Path) {
    let left: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".alliance-restore-"))
        .collect();
    assert!(left.is_empty(), "scratch left behind: {left:?}");
}

#[test]
fn a_backup_made_before_an_upgrade_is_restored_into_the_newest_schema() {
    let ours = SqliteStore::schema_versions();
    assert_eq!(ours, PostgresStore::schema_versions(), "both engines number their schema alike");
    let older = ours[ours.len() - 2];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let database = data.join("alliance.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // A practice on the release before this one: its schema stops one migration short of ours. (The methods that
    // fill it read a column the newest migration adds only where it may be absent: `Row::get_if_present`.) What it should look like after the upgrade is read
    // through today's store from a copy brought up to date in place: the newest migration adds what today's
    // reads ask for (`client_moves`), so the older schema cannot be read with them.
    let original = runtime.block_on(async {
        let store = SqliteStore::create_at_version(&database, &keys(), older).await.unwrap();
        practice(&store, 3, 8).await;
        store.close().await;
        let reference = dir.path().join("reference.db");
        std::fs::copy(&database, &reference).unwrap();
        // SQLite's write-ahead log holds what is not checkpointed yet: it belongs to the copy too.
        for suffix in ["-wal", "-shm"] {
            let (from, to) = (format!("{}{suffix}", database.display()), format!("{}{suffix}", reference.display()));
            if Path::new(&from).exists() {
                std::fs::copy(&from, &to).unwrap();
            }
        }
        let upgraded = SqliteStore::open(&reference, &keys()).await.unwrap();
        let shot = snapshot(&upgraded).await;
        upgraded.close().await;
        shot
    });
    assert_eq!(runtime.block_on(recorded_versions(&database)), ours[..ours.len() - 1]);

    let (key, file) = (dir.path().join("backup.key"), dir.path().join("older.backup"));
    let made = backup_with_new_key(&data, &file, &key).ok();
    assert!(made.stdout.contains("scores"), "{}", made.stdout);
    assert_eq!(
        runtime.block_on(recorded_versions(&database)),
        ours[..ours.len() - 1],
        "the backup left the schema as it was"
    );

    let restored = dir.path().join("restored").join("alliance.db");
    std::fs::create_dir_all(restored.parent().unwrap()).unwrap();
    let done = alliance(&[
        "restore",
        "--from",
        path_str(&file),
        "--to",
        &sqlite(&restored),
        "--backup-key-file",
        path_str(&key),
    ])
    .ok();
    let newest = ours[ours.len() - 1];
    assert!(
        done.stdout.contains(&format!("schema version {older}, brought up to {newest}")),
        "the summary says it upgraded: {}",
        done.stdout
    );
    no_scratch_left(restored.parent().unwrap());
    assert_eq!(runtime.block_on(recorded_versions(&restored)), ours, "the restored database is at the newest schema");
    let again = runtime.block_on(async {
        let store = SqliteStore::open(&restored, &keys()).await.unwrap();
        let shot = snapshot(&store).await;
        store.close().await;
        shot
    });
    assert_eq!(original, again, "every client, session, answer, score and audit entry came back");
    // Never over data, checked before any scratch copy is made.
    alliance(&["restore", "--from", path_str(&file), "--to", &sqlite(&restored), "--backup-key-file", path_str(&key)])
        .refused()
        .says(&["not empty"]);
    no_scratch_left(restored.parent().unwrap());

    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("the PostgreSQL half skipped: ALLIANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("alliance_test_upgrade_{}", std::process::id());
    let url = runtime.block_on(PostgresStore::create_database(&server, &name)).unwrap();
    alliance(&["restore", "--from", path_str(&file), "--to", &url, "--backup-key-file", path_str(&key)]).ok();
    let on_pg = runtime.block_on(async {
        let pg = PostgresStore::connect(&url, PostgresOptions::default(), &keys()).await.unwrap();
        let shot = snapshot(&pg).await;
        pg.close().await;
        PostgresStore::drop_database(&server, &name).await.unwrap();
        shot
    });
    assert_eq!(original, on_pg, "the same on PostgreSQL");
}

#[test]
fn a_backup_from_a_newer_release_is_refused_before_anything_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let database = data.join("alliance.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&database, &keys()).await.unwrap();
        practice(&store, 1, 2).await;
        store.close().await;
        // A migration this release does not have, as a later release would have recorded it.
        let mut conn = SqliteStore::connect_options(&database, &keys()).connect().await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (9999, 'from a later release', 1, x'00', 0)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });
    let (key, file) = (dir.path().join("backup.key"), dir.path().join("newer.backup"));
    backup_with_new_key(&data, &file, &key).ok();
    let target = dir.path().join("target.db");
    alliance(&["restore", "--from", path_str(&file), "--to", &sqlite(&target), "--backup-key-file", path_str(&key)])
        .refused()
        .says(&["newer Alliance release", "9999"]);
    assert!(!target.exists(), "nothing was created");
    no_scratch_left(dir.path());

    // A folder with no Alliance database in it is named as such, and is left as it was.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("alliance.db"), b"").unwrap();
    let to = dir.path().join("empty.backup");
    alliance(&["backup", "--data", path_str(&empty), "--to", path_str(&to), "--backup-key-file", path_str(&key)])
        .refused()
        .says(&["no Alliance schema"]);
    assert_eq!(std::fs::metadata(empty.join("alliance.db")).unwrap().len(), 0, "the empty file was not written");
    assert!(!to.exists());

    // The same for a PostgreSQL database no Alliance server has set up: refused, and left without a schema.
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("the PostgreSQL half skipped: ALLIANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("alliance_test_as_is_{}", std::process::id());
    let url = runtime.block_on(PostgresStore::create_database(&server, &name)).unwrap();
    alliance(&["backup", "--database", &url, "--to", path_str(&to), "--backup-key-file", path_str(&key)])
        .refused()
        .says(&["no Alliance schema"]);
    assert!(!to.exists());
    let tables: i64 = runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let n = sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        PostgresStore::drop_database(&server, &name).await.unwrap();
        n
    });
    assert_eq!(tables, 0, "the backup created nothing in the database");
}

/// A rollback to an older release meets a schema it does not know: refused at start with what happened and what
/// to do, and `--version` names the schema each release brings, to compare before an upgrade.
#[tokio::test]
async fn an_older_release_refuses_a_newer_schema_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = path_str(&data);
    alliance(&["user", "create-admin", "--data", d, "--email", "a@example.org", "--name", "A"]).ok();
    let newest = *SqliteStore::schema_versions().last().unwrap();
    let version = alliance(&["--version"]).ok();
    assert_eq!(version.stdout.trim(), format!("alliance {} (database schema {newest})", env!("CARGO_PKG_VERSION")));

    // What a newer release's upgrade leaves: one more migration recorded (the keys are the tests' ALLIANCE_KEYS).
    let mut conn = SqliteStore::connect_options(&data.join("alliance.db"), &keys()).connect().await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', 1, x'00', 1)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    alliance(&["serve", "--data", d, "--bind", "127.0.0.1:0"]).refused().says(&[
        "schema version 9999",
        &format!("up to {newest}"),
        "newer alliance release",
        "restore the backup taken before the upgrade",
    ]);
}
