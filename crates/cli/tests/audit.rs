//! `alliance audit verify` on databases changed behind Alliance's back: each change is named by the first entry
//! it breaks, an intact log passes.

use std::path::{Path, PathBuf};

use alliance_store::prelude::*;
use alliance_store::{AuditChainRow, AuditEvent, Keyring, PostgresOptions, PostgresStore, SqliteStore, UserId, audit};
use sqlx::{Connection, Row};
use time::OffsetDateTime;

use crate::{Run, alliance, path_str};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// The practice's keys, from the key file `alliance user create-admin` made in its data folder.
fn keys_of(data: &Path) -> Keyring {
    Keyring::parse(&std::fs::read_to_string(key_file(data)).unwrap()).unwrap()
}

fn key_file(data: &Path) -> PathBuf {
    data.join("keys").join("alliance.keys")
}

fn event(i: i64) -> AuditEvent {
    AuditEvent {
        at: OffsetDateTime::from_unix_timestamp(1_790_000_000 + 60 * i).unwrap(),
        actor: Some(UserId(2)),
        actor_role: Some(alliance_core::domain::Role::Therapist),
        action: "read",
        object_kind: "client",
        object_id: Some(i),
        purpose: "care",
        address: Some("192.0.2.7".into()),
    }
}

/// A practice made through the binary (an administrator and a therapist: two entries), then ten reads written
/// through the store: twelve entries. Returns the data folder.
fn practice(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let d = path_str(&data);
    alliance(&["user", "create-admin", "--data", d, "--email", "boss@example.org", "--name", "Boss"]).ok();
    alliance(&["user", "add", "--data", d, "--email", "t@example.org", "--name", "T", "--role", "therapist"]).ok();
    block_on(async {
        let store = SqliteStore::open(&data.join("alliance.db"), &keys_of(&data)).await.unwrap();
        for i in 0..10 {
            store.audit(event(i)).await.unwrap();
        }
        store.close().await;
    });
    data
}

/// A copy of the practice's database, to change.
fn copy_of(data: &Path, name: &str) -> PathBuf {
    let copy = data.parent().unwrap().join(name);
    std::fs::copy(data.join("alliance.db"), &copy).unwrap();
    copy
}

/// Runs SQL on the file directly, as someone with access to the disk and the database key would.
fn tamper(db: &Path, keys: &Keyring, statements: &[&str]) {
    block_on(async {
        let options = SqliteStore::connect_options(db, keys);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    });
}

fn verify(db: &Path, data: &Path) -> Run {
    let keys = key_file(data);
    alliance(&["audit", "verify", "--database", &format!("sqlite:{}", path_str(db)), "--key-file", path_str(&keys)])
}

/// Refused, naming exactly `what` (and no other entry number).
fn broken_at(run: Run, what: &str, seq: Option<i64>) {
    let run = run.refused().says(&[what]);
    if let Some(seq) = seq {
        assert!(run.stderr.trim_end().ends_with(&format!("first broken entry: {seq}")), "{}", run.stderr);
    }
}

/// A last hash noted from an earlier verify pins its entry: later entries may follow, but a log rewritten or cut
/// back before it no longer holds it.
#[test]
fn verify_checks_a_noted_hash() {
    let dir = tempfile::tempdir().unwrap();
    let data = practice(dir.path());
    let keys = keys_of(&data);
    let d = path_str(&data);
    let intact = alliance(&["audit", "verify", "--data", d]).ok();
    let noted = intact.stdout.split("Last hash: ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let mut add = vec!["user", "add", "--data", d, "--email", "later@example.org", "--name", "Later"];
    add.extend(["--role", "therapist"]);
    alliance(&add).ok();
    let later = alliance(&["audit", "verify", "--data", d, "--expect-hash", &noted]).ok();
    assert!(
        later.stdout.contains("The noted hash is entry 12: it and every entry before it are unchanged."),
        "{}",
        later.stdout
    );

    let cut = copy_of(&data, "cut.db");
    tamper(&cut, &keys, &["DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE seq >= 12"]);
    let key_file = key_file(&data);
    let database = format!("sqlite:{}", path_str(&cut));
    let args = ["audit", "verify", "--database", &database, "--key-file", path_str(&key_file)];
    let mut expecting = args.to_vec();
    expecting.extend(["--expect-hash", &noted]);
    alliance(&expecting).refused().says(&["entry 12"]);
    // A hash the log never had (a log rewritten and hashed anew lacks the noted one): refused, although the
    // chain itself holds together.
    let never = format!("{}{}", if noted.starts_with('0') { "1" } else { "0" }, &noted[1..]);
    alliance(&["audit", "verify", "--data", d, "--expect-hash", &never]).refused().says(&[
        "audit log rewritten",
        &never,
        "changed or removed",
    ]);
    for bad in ["abc", &"g".repeat(64), &format!("{noted}00"), "é".repeat(32).as_str()] {
        let run = alliance(&["audit", "verify", "--data", d, "--expect-hash", bad]);
        assert!(!run.success && run.stderr.contains("64 hexadecimal digits"), "{bad:?}: {}", run.stderr);
    }
}

#[test]
fn verify_names_the_first_entry_changed_deleted_or_inserted_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data = practice(dir.path());
    let keys = keys_of(&data);

    let intact = alliance(&["audit", "verify", "--data", path_str(&data)]).ok();
    assert!(intact.stdout.starts_with("Audit log intact: 12 entries verified."), "{}", intact.stdout);
    assert!(verify(&copy_of(&data, "same.db"), &data).ok().stdout.contains("12 entries verified"));

    let action = copy_of(&data, "action.db");
    tamper(
        &action,
        &keys,
        &["DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET action = 'list' WHERE seq = 5"],
    );
    broken_at(verify(&action, &data), "entry 5 was changed (4 entries before it verified)", Some(5));

    let time = copy_of(&data, "time.db");
    tamper(
        &time,
        &keys,
        &["DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET at = at - 86400 WHERE seq = 7"],
    );
    broken_at(verify(&time, &data), "entry 7 was changed", Some(7));

    let deleted = copy_of(&data, "deleted.db");
    tamper(&deleted, &keys, &["DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE seq = 4"]);
    broken_at(verify(&deleted, &data), "entry 4 is missing (3 entries before it verified)", Some(4));

    let last = copy_of(&data, "last.db");
    tamper(&last, &keys, &["DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE seq = 12"]);
    broken_at(verify(&last, &data), "entry 12 is missing (11 entries before it verified)", Some(12));

    // A copy of entry 3 slipped in beside it.
    let inserted = copy_of(&data, "inserted.db");
    tamper(
        &inserted,
        &keys,
        &[
            "DROP TRIGGER audit_events_insert_chained",
            "DROP INDEX audit_events_seq",
            "INSERT INTO audit_events (at, actor_id, actor_role, action, object_kind, object_id, purpose, address, seq,
             prev_hash, hash) SELECT at, actor_id, actor_role, 'read', object_kind, 99, purpose, address, seq,
             prev_hash, hash FROM audit_events WHERE seq = 3",
        ],
    );
    broken_at(verify(&inserted, &data), "entry 3 is not part of the recorded chain", Some(3));

    // An entry without a place in the chain.
    let loose = copy_of(&data, "loose.db");
    tamper(
        &loose,
        &keys,
        &[
            "DROP TRIGGER audit_events_insert_chained",
            "INSERT INTO audit_events (at, action, object_kind, purpose) VALUES (1, 'read', 'client', 'care')",
        ],
    );
    broken_at(verify(&loose, &data), "entries without a place in the chain: 1", None);

    // A careful forger re-hashes the entry they changed: the next entry no longer follows it.
    let forged = copy_of(&data, "forged.db");
    let (prev, mut row) = block_on(async {
        let store = SqliteStore::open(&forged, &keys).await.unwrap();
        let rows = store.audit_chain(None, 100).await.unwrap();
        store.close().await;
        (rows[4].prev_hash.clone().unwrap(), rows[4].clone())
    });
    row.action = "list".into();
    let hash = audit::hex(&audit::entry_hash(&prev, &audit::Fields::of_row(&row)));
    tamper(
        &forged,
        &keys,
        &[
            "DROP TRIGGER audit_events_no_update",
            &format!("UPDATE audit_events SET action = 'list', hash = X'{hash}' WHERE seq = 5"),
        ],
    );
    broken_at(verify(&forged, &data), "entry 6 does not follow entry 5", Some(6));

    // The intact original is still intact, and a folder without a database is an error, not an empty log.
    verify(&data.join("alliance.db"), &data).ok();
    alliance(&["audit", "verify", "--data", path_str(&dir.path().join("nothing"))]).refused().says(&["no database"]);
    alliance(&["audit", "verify", "--database", "mysql://x"]).refused().says(&["sqlite:PATH or postgres://"]);
}

#[test]
fn verify_on_postgresql_names_a_changed_entry() {
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("skipped: ALLIANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("alliance_test_cli_audit_{}", std::process::id());
    let keys = Keyring::generate();
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("alliance.keys");
    std::fs::write(&key_path, keys.to_file_text().as_str()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let url = block_on(async {
        let url = PostgresStore::create_database(&server, &name).await.unwrap();
        let store = PostgresStore::connect(&url, PostgresOptions::default(), &keys).await.unwrap();
        for i in 0..6 {
            store.audit(event(i)).await.unwrap();
        }
        store.close().await;
        url
    });
    let intact = alliance(&["audit", "verify", "--database", &url, "--key-file", path_str(&key_path)]).ok();
    assert!(intact.stdout.contains("6 entries verified"), "{}", intact.stdout);
    block_on(async {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
            .execute(&mut conn)
            .await
            .unwrap();
        let changed = sqlx::query("UPDATE audit_events SET object_id = 1000 WHERE seq = 4 RETURNING seq")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(changed.get::<i64, _>("seq"), 4);
        conn.close().await.unwrap();
    });
    broken_at(
        alliance(&["audit", "verify", "--database", &url, "--key-file", path_str(&key_path)]),
        "entry 4 was changed",
        Some(4),
    );
    block_on(PostgresStore::drop_database(&server, &name)).unwrap();
}

/// Statements that rewrite entry `seq` of `rows` (the whole chain, in order) as `action` and re-hash every entry
/// after it, then move the head to the new end: what someone with the database key and the triggers out of the
/// way can do (issue 14, finding 8). `blob` spells a byte literal in the engine's SQL.
fn rewrite_and_rehash(rows: &[AuditChainRow], seq: i64, action: &str, blob: fn(&str) -> String) -> Vec<String> {
    let mut statements = Vec::new();
    let mut prev = audit::GENESIS.to_vec();
    for row in rows {
        let mut row = row.clone();
        if row.seq == seq {
            row.action = action.into();
        }
        let hash = audit::entry_hash(&prev, &audit::Fields::of_row(&row));
        if row.seq >= seq {
            statements.push(format!(
                "UPDATE audit_events SET action = '{}', prev_hash = {}, hash = {} WHERE seq = {}",
                row.action,
                blob(&audit::hex(&prev)),
                blob(&audit::hex(&hash)),
                row.seq
            ));
        }
        prev = hash.to_vec();
    }
    statements.push(format!("UPDATE audit_head SET hash = {} WHERE id = 1", blob(&audit::hex(&prev))));
    statements
}

/// Statements that cut the chain after entry `keep` and rewind the head to it.
fn cut_tail(rows: &[AuditChainRow], keep: i64, blob: fn(&str) -> String) -> Vec<String> {
    let last = rows.iter().find(|r| r.seq == keep).and_then(|r| r.hash.clone()).unwrap();
    vec![
        format!("DELETE FROM audit_events WHERE seq > {keep}"),
        format!("UPDATE audit_head SET seq = {keep}, hash = {} WHERE id = 1", blob(&audit::hex(&last))),
    ]
}

fn sqlite_blob(hex: &str) -> String {
    format!("X'{hex}'")
}

fn postgres_blob(hex: &str) -> String {
    format!("decode('{hex}', 'hex')")
}

const SQLITE_TRIGGERS_OFF: [&str; 3] = [
    "DROP TRIGGER audit_events_no_update",
    "DROP TRIGGER audit_events_no_delete",
    "DROP TRIGGER audit_head_forward_only",
];

fn chain_of(db: &Path, keys: &Keyring) -> Vec<AuditChainRow> {
    block_on(async {
        let store = SqliteStore::open(db, keys).await.unwrap();
        let rows = store.audit_chain(None, 1000).await.unwrap();
        store.close().await;
        rows
    })
}

fn verify_with(database: &str, key_file: &Path, checkpoints: &Path, checkpoint_key: &Path) -> Run {
    alliance(&[
        "audit",
        "verify",
        "--database",
        database,
        "--key-file",
        path_str(key_file),
        "--checkpoints",
        path_str(checkpoints),
        "--checkpoint-key",
        path_str(checkpoint_key),
    ])
}

#[test]
fn checkpoints_expose_a_rewritten_or_cut_chain_that_verifies_as_intact_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let data = practice(dir.path());
    let keys = keys_of(&data);
    let d = path_str(&data);
    let (checkpoints, checkpoint_key) = (dir.path().join("checkpoints"), dir.path().join("checkpoint.key"));
    let ck = path_str(&checkpoint_key);

    // The key is made on first use, owner-only; the line is printed and appended.
    let taken =
        alliance(&["audit", "checkpoint", "--data", d, "--checkpoint-key", ck, "--to", path_str(&checkpoints)]).ok();
    assert!(taken.stdout.starts_with("alliance-audit-checkpoint-v1 seq=12 head="), "{}", taken.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&checkpoint_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the checkpoint key is owner-only");
    }
    assert_eq!(std::fs::read_to_string(&checkpoints).unwrap().trim(), taken.stdout.trim());
    let sqlite = |db: &Path| format!("sqlite:{}", path_str(db));
    let held = verify_with(&sqlite(&data.join("alliance.db")), &key_file(&data), &checkpoints, &checkpoint_key).ok();
    assert!(
        held.stdout.contains("12 entries verified") && held.stdout.contains("1 checkpoints hold"),
        "{}",
        held.stdout
    );

    // Entry 5 rewritten and every later entry re-hashed: the chain alone verifies as intact.
    let rehashed = copy_of(&data, "rehashed.db");
    let rows = chain_of(&rehashed, &keys);
    let mut statements: Vec<String> = SQLITE_TRIGGERS_OFF.iter().map(|s| s.to_string()).collect();
    statements.extend(rewrite_and_rehash(&rows, 5, "list", sqlite_blob));
    tamper(&rehashed, &keys, &statements.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(verify(&rehashed, &data).ok().stdout.contains("12 entries verified"), "the attack reproduces");
    verify_with(&sqlite(&rehashed), &key_file(&data), &checkpoints, &checkpoint_key)
        .refused()
        .says(&["checkpoint on line 1 (entry 12", "entry 12 has another hash; an entry up to it was rewritten"]);

    // The tail cut and the head rewound: intact on its own, contradicted by the checkpoint.
    let cut = copy_of(&data, "cut.db");
    let mut statements: Vec<String> = SQLITE_TRIGGERS_OFF.iter().map(|s| s.to_string()).collect();
    statements.extend(cut_tail(&rows, 9, sqlite_blob));
    tamper(&cut, &keys, &statements.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(verify(&cut, &data).ok().stdout.contains("9 entries verified"), "the attack reproduces");
    verify_with(&sqlite(&cut), &key_file(&data), &checkpoints, &checkpoint_key)
        .refused()
        .says(&["checkpoint on line 1 (entry 12", "the database has 9 entries; the tail was cut"]);

    // Later entries do not contradict an earlier checkpoint; a second checkpoint is appended.
    block_on(async {
        let store = SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        store.audit(event(20)).await.unwrap();
        store.close().await;
    });
    alliance(&["audit", "checkpoint", "--data", d, "--checkpoint-key", ck, "--to", path_str(&checkpoints)]).ok();
    let both = verify_with(&sqlite(&data.join("alliance.db")), &key_file(&data), &checkpoints, &checkpoint_key).ok();
    assert!(both.stdout.contains("2 checkpoints hold"), "{}", both.stdout);

    // A checkpoint changed to fit a forged chain, or checked with another key, is refused by its MAC.
    let text = std::fs::read_to_string(&checkpoints).unwrap();
    let forged_line = dir.path().join("forged-checkpoints");
    std::fs::write(&forged_line, text.replacen("seq=12", "seq=9", 1)).unwrap();
    verify_with(&sqlite(&data.join("alliance.db")), &key_file(&data), &forged_line, &checkpoint_key)
        .refused()
        .says(&["line 1: the checkpoint's MAC does not match"]);
    let other_key = dir.path().join("other.key");
    verify_with(&sqlite(&data.join("alliance.db")), &key_file(&data), &checkpoints, &other_key)
        .refused()
        .says(&["other.key does not exist"]);
    alliance(&["audit", "checkpoint", "--data", d, "--checkpoint-key", path_str(&other_key)]).ok();
    verify_with(&sqlite(&data.join("alliance.db")), &key_file(&data), &checkpoints, &other_key)
        .refused()
        .says(&["line 1: the checkpoint's MAC does not match"]);
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, "alliance-audit-checkpoint-v1 seq=\u{0}\n").unwrap();
    verify_with(&sqlite(&data.join("alliance.db")), &key_file(&data), &garbage, &checkpoint_key)
        .refused()
        .says(&["line 1: not a checkpoint"]);
}

#[test]
fn checkpoints_expose_a_rewritten_or_cut_chain_on_postgresql() {
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("skipped: ALLIANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let name = format!("alliance_test_cli_checkpoint_{}", std::process::id());
    let keys = Keyring::generate();
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("alliance.keys");
    std::fs::write(&key_path, keys.to_file_text().as_str()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (checkpoints, checkpoint_key) = (dir.path().join("checkpoints"), dir.path().join("checkpoint.key"));
    let url = block_on(async {
        let url = PostgresStore::create_database(&server, &name).await.unwrap();
        let store = PostgresStore::connect(&url, PostgresOptions::default(), &keys).await.unwrap();
        for i in 0..8 {
            store.audit(event(i)).await.unwrap();
        }
        store.close().await;
        url
    });
    let kp = path_str(&key_path);
    let ck = path_str(&checkpoint_key);
    alliance(&[
        "audit",
        "checkpoint",
        "--database",
        &url,
        "--key-file",
        kp,
        "--checkpoint-key",
        ck,
        "--to",
        path_str(&checkpoints),
    ])
    .ok();
    verify_with(&url, &key_path, &checkpoints, &checkpoint_key).ok();
    let run_sql = |statements: Vec<String>| {
        block_on(async {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            for sql in [
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only".to_owned(),
                "ALTER TABLE audit_head DISABLE TRIGGER audit_head_forward_only".to_owned(),
            ]
            .into_iter()
            .chain(statements)
            {
                sqlx::query(&sql).execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
        })
    };
    let rows = block_on(async {
        let store = PostgresStore::connect(&url, PostgresOptions::default(), &keys).await.unwrap();
        let rows = store.audit_chain(None, 1000).await.unwrap();
        store.close().await;
        rows
    });
    run_sql(rewrite_and_rehash(&rows, 3, "list", postgres_blob));
    let alone = alliance(&["audit", "verify", "--database", &url, "--key-file", kp]).ok();
    assert!(alone.stdout.contains("8 entries verified"), "the attack reproduces: {}", alone.stdout);
    verify_with(&url, &key_path, &checkpoints, &checkpoint_key)
        .refused()
        .says(&["entry 8 has another hash; an entry up to it was rewritten"]);
    let rewritten = block_on(async {
        let store = PostgresStore::connect(&url, PostgresOptions::default(), &keys).await.unwrap();
        let rows = store.audit_chain(None, 1000).await.unwrap();
        store.close().await;
        rows
    });
    run_sql(cut_tail(&rewritten, 6, postgres_blob));
    assert!(
        alliance(&["audit", "verify", "--database", &url, "--key-file", kp]).ok().stdout.contains("6 entries verified")
    );
    verify_with(&url, &key_path, &checkpoints, &checkpoint_key)
        .refused()
        .says(&["the database has 6 entries; the tail was cut"]);
    block_on(PostgresStore::drop_database(&server, &name)).unwrap();
}
