//! `alliance backup`, `alliance restore` and `alliance migrate-store`, run as an operator would.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use alliance_core::domain::Role;
use alliance_core::scoring::{ResponseFlags, RiskFlag, ScaleScore};
use alliance_store::dump;
use alliance_store::*;
use time::macros::date;
use time::{Duration, OffsetDateTime};

use crate::{Run, path_str};

/// The practices' keys in these tests, given to every command through `ALLIANCE_KEYS`.
const TEST_KEYS: &str =
    "db YmFja3VwIHRlc3QgZGF0YWJhc2Ugc2VjcmV0IDAxMjM=\nv1 YmFja3VwIHRlc3QgZmllbGQga2V5IHYxIDAxMjM0NTY=\n";

pub(crate) fn keys() -> Keyring {
    Keyring::parse(TEST_KEYS).unwrap()
}

/// Runs `alliance` with the tests' keys.
pub(crate) fn alliance(args: &[&str]) -> Run {
    crate::alliance_with_env(args, &[("ALLIANCE_KEYS", TEST_KEYS)])
}

/// `alliance backup` of the practice in `data` to `file`, creating the backup key file `key`.
pub(crate) fn backup_with_new_key(data: &Path, file: &Path, key: &Path) -> Run {
    alliance(&[
        "backup",
        "--data",
        path_str(data),
        "--to",
        path_str(file),
        "--backup-key-file",
        path_str(key),
        "--new-key",
    ])
}

/// `alliance serve` of the practice in `data` on a free port, with the tests' keys and `args` added; its log
/// (at level info) goes to `log`.
pub(crate) fn spawn_serve(data: &Path, log: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let log = std::fs::File::create(log).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["serve", "--data", path_str(data), "--bind", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .env("ALLIANCE_KEYS", TEST_KEYS)
        .env("ALLIANCE_LOG", "info")
        .env_remove("ALLIANCE_DATA")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// One session with a link answered by the client (answers, flags and scores), or left open.
async fn session_with_answers(store: &dyn Store, episode: EpisodeId, token: Vec<u8>, answer: bool) {
    let session = store
        .record_session(
            NewSession { episode, held_on: date!(2026 - 11 - 02), attended: true },
            AuditEvent::system(now(), "test", "client", "test"),
            now(),
        )
        .await
        .unwrap();
    let instruments = vec![
        InstrumentRef { id: "relationship-check".into(), version: 1 },
        InstrumentRef { id: "phq9".into(), version: 2 },
    ];
    store
        .create_link(
            NewLink {
                session: session.id,
                token_hash: token.clone(),
                expires_at: now() + Duration::days(1),
                instruments,
            },
            AuditEvent::system(now(), "test", "client", "test"),
            now(),
        )
        .await
        .unwrap();
    if !answer {
        return;
    }
    let view = store.link_by_token(&token, now()).await.unwrap().unwrap();
    let responses = view
        .administrations
        .iter()
        .map(|a| NewResponse {
            administration: Some(a.id),
            answers: alliance_core::scoring::Answers::from([
                ("bond-1".into(), alliance_core::scoring::Answer::Value(f64::from(token[0] % 5))),
                ("text".into(), alliance_core::scoring::Answer::Text("ø".into())),
            ]),
            flags: ResponseFlags {
                risks: vec![RiskFlag { item: "phq9.9".into(), value: 2.0 }],
                indicators: vec!["rupture".into()],
            },
            scores: ["total", "bond", "anxiety"]
                .iter()
                .enumerate()
                .map(|(i, s)| ScaleScore {
                    scale: (*s).into(),
                    value: (i != 1).then_some(1.0 / 3.0 + f64::from(token[1])),
                    answered: 4,
                    missing: 0,
                    prorated: i == 2,
                    band: Some("mild".into()),
                    concern: Some(i == 0),
                })
                .collect(),
        })
        .collect();
    let audit = AuditEvent {
        at: now(),
        actor: None,
        actor_role: None,
        action: "client-submitted",
        object_kind: "session",
        object_id: None,
        purpose: "care",
        address: None,
    };
    store.submit_link(&token, responses, audit, now()).await.unwrap().unwrap();
}

/// A small practice: a therapist, `clients` clients with an episode and `sessions` sessions each.
pub(crate) async fn practice(store: &dyn Store, clients: u8, sessions: u8) -> UserId {
    let t = store
        .create_user(
            NewUser {
                email: "t@example.org".into(),
                display_name: "T".into(),
                role: Role::Therapist,
                password_hash: "h".into(),
                must_change_password: false,
            },
            AuditEvent::system(now(), "test", "client", "test"),
            now(),
        )
        .await
        .unwrap();
    for c in 0..clients {
        let client = store
            .create_client(
                NewClient { therapist: t, pseudonym: format!("Client {c}"), contact: None },
                AuditEvent::system(now(), "test", "client", "test"),
                now(),
            )
            .await
            .unwrap();
        let episode = store
            .open_episode(
                NewEpisode { client, therapist: t, started_on: date!(2026 - 10 - 01), measures: vec!["phq9".into()] },
                AuditEvent::system(now(), "test", "client", "test"),
                now(),
            )
            .await
            .unwrap();
        for s in 0..sessions {
            session_with_answers(store, episode, vec![c, s, 1], s + 1 < sessions).await;
        }
    }
    t
}

pub(crate) async fn snapshot(store: &dyn Store) -> String {
    let staff: Vec<UserId> = store.users().await.unwrap().iter().map(|u| u.id).collect();
    let clients = store.clients_of(&staff).await.unwrap();
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let mut out = format!("{clients:?}\n{:?}\n", store.sessions_of(&ids).await.unwrap());
    for c in &ids {
        out += &format!("{:?}\n{:?}\n", store.episodes(*c).await.unwrap(), store.responses_of(*c).await.unwrap());
    }
    // The entries a backup or restore writes about itself (purpose `maintenance`) are not the practice's data;
    // `a_restore_revives_no_sign_in_and_backup_and_restore_are_audited` checks them.
    let mut log = store.audit_events(100_000).await.unwrap();
    log.retain(|e| e.purpose != "maintenance");
    let log: Vec<_> =
        log.into_iter().map(|e| (e.at, e.actor, e.action, e.object_kind, e.object_id, e.purpose)).collect();
    out + &format!("{:?}\n{:?}", store.score_points(&ids).await.unwrap(), log)
}

pub(crate) fn sqlite(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

#[test]
fn backup_wipe_restore_gives_back_every_client_response_and_score() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("backup.key");
    let file = dir.path().join("practice.backup");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let original = runtime.block_on(async {
        std::fs::create_dir_all(&data).unwrap();
        let store = SqliteStore::open(&data.join("alliance.db"), &keys()).await.unwrap();
        practice(&store, 6, 30).await;
        let log = boundary_log(&store, true).await;
        let shot = snapshot(&store).await;
        let sums = dump::checksums(&Database::Sqlite(store.clone()), &BTreeSet::new()).await.unwrap();
        store.close().await;
        (shot, sums, log)
    });

    let args = ["backup", "--data", path_str(&data), "--to", path_str(&file), "--backup-key-file", path_str(&key)];
    alliance(&args).refused().says(&["does not exist", "--new-key"]);
    let mut with_new = args.to_vec();
    with_new.push("--new-key");
    let made = alliance(&with_new).ok();
    assert!(made.stdout.contains("scores"), "{}", made.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    alliance(&with_new).refused().says(&["already exists"]);
    // The file says nothing readable about the practice.
    let bytes = std::fs::read(&file).unwrap();
    assert!(!bytes.windows(8).any(|w| w == b"Client 1"), "pseudonyms are not in the clear");
    assert!(!bytes.windows(13).any(|w| w == b"a sealed note"), "boundary notes are not in the clear");
    let key_args = ["--backup-key-file", path_str(&key)];
    let mut verify = vec!["restore", "--from", path_str(&file), "--verify"];
    verify.extend(key_args);
    alliance(&verify).ok();

    // Wipe: a new, empty database.
    let restored = dir.path().join("restored.db");
    let target = sqlite(&restored);
    let mut restore = vec!["restore", "--from", path_str(&file), "--to", &target];
    restore.extend(key_args);
    alliance(&restore).ok();
    let again = runtime.block_on(async {
        let store = SqliteStore::open(&restored, &keys()).await.unwrap();
        let shot = snapshot(&store).await;
        let sums = dump::checksums(&Database::Sqlite(store.clone()), &BTreeSet::new()).await.unwrap();
        let log = boundary_log(&store, false).await;
        store.close().await;
        (shot, sums, log)
    });
    assert_eq!(original.0, again.0, "identical through the store's methods");
    assert!(original.2.contains("Overrun { minutes: 30 }") && original.2.contains("a sealed note"), "{}", original.2);
    assert_eq!(original.2, again.2, "the boundary log comes back with its note");
    // Every table but the audit log, which holds one more entry each for the backup and the restore.
    let without_log =
        |m: &dump::Manifest| m.tables.iter().filter(|t| !t.name.starts_with("audit_")).cloned().collect::<Vec<_>>();
    assert_eq!(without_log(&original.1), without_log(&again.1), "identical counts and checksums");
    assert!(original.1.tables.iter().any(|t| t.name == "scores" && t.rows == 6 * 29 * 2 * 3));
    // Never over data.
    alliance(&restore).refused().says(&["not empty"]);
}

/// The first client's boundary log (issue 20), after recording a shared overrun with a note when `record`.
async fn boundary_log(store: &SqliteStore, record: bool) -> String {
    let staff: Vec<UserId> = store.users().await.unwrap().iter().map(|u| u.id).collect();
    let client = store.clients_of(&staff).await.unwrap().remove(0);
    if record {
        let now = OffsetDateTime::now_utc();
        let event = NewBoundaryEvent {
            client: client.id,
            session: None,
            crossing: alliance_core::boundaries::Crossing::Overrun { minutes: 30 },
            occurred_on: date!(2026 - 11 - 02),
            note: Some("a sealed note".into()),
            shared: true,
        };
        let audit = AuditEvent::system(now, "create", "boundary-event", "care");
        store.record_boundary_event(&event, client.therapist, audit, now).await.unwrap();
    }
    format!("{:?}", store.boundary_events_of(client.id, client.therapist, false).await.unwrap())
}

/// The byte offset of the first sealed chunk.
fn preamble_len(bytes: &[u8]) -> usize {
    16 + 4 + u32::from_be_bytes(bytes[16..20].try_into().unwrap()) as usize + 19
}

#[test]
fn a_changed_cut_or_foreign_backup_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("backup.key");
    let file = dir.path().join("practice.backup");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        std::fs::create_dir_all(&data).unwrap();
        let store = SqliteStore::open(&data.join("alliance.db"), &keys()).await.unwrap();
        practice(&store, 4, 40).await;
        store.close().await;
    });
    backup_with_new_key(&data, &file, &key).ok();
    let good = std::fs::read(&file).unwrap();
    let start = preamble_len(&good);
    let chunk = 64 * 1024 + 16;
    assert!(good.len() > start + chunk, "the test needs more than one chunk ({} bytes)", good.len());

    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut flipped = good.clone();
    flipped[start + chunk + 100] ^= 1;
    cases.push(("a changed byte in the second chunk", flipped));
    let mut header = good.clone();
    let at = header.windows(10).position(|w| w == b"created_at").unwrap() + 12;
    header[at] = if header[at] == b'1' { b'2' } else { b'1' };
    cases.push(("a changed header", header));
    cases.push(("cut at a chunk boundary", good[..start + chunk].to_vec()));
    cases.push(("cut inside the last chunk", good[..good.len() - 5].to_vec()));
    cases.push(("cut in the header", good[..30].to_vec()));
    let mut swapped = good.clone();
    swapped.extend_from_slice(&good[start..start + 20]);
    cases.push(("bytes appended", swapped));
    for (n, (what, bytes)) in cases.into_iter().enumerate() {
        let bad = dir.path().join(format!("bad{n}.backup"));
        std::fs::write(&bad, bytes).unwrap();
        let target = dir.path().join(format!("target{n}.db"));
        let run = alliance(&[
            "restore",
            "--from",
            path_str(&bad),
            "--to",
            &sqlite(&target),
            "--backup-key-file",
            path_str(&key),
        ])
        .refused();
        assert!(run.stderr.contains("damaged") || run.stderr.contains("header"), "{what}: {}", run.stderr);
        alliance(&["restore", "--from", path_str(&bad), "--verify", "--backup-key-file", path_str(&key)]).refused();
        // Not even an empty database is left where the restore failed: `serve` would take it for a practice.
        assert!(!target.exists(), "{what}: {} was left behind", target.display());
    }

    // Another key: named as such, before anything is decrypted.
    let other = dir.path().join("other.key");
    std::fs::write(&other, format!("{}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o644)).unwrap();
        alliance(&["restore", "--from", path_str(&file), "--verify", "--backup-key-file", path_str(&other)])
            .refused()
            .says(&["chmod 600"]);
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    alliance(&["restore", "--from", path_str(&file), "--verify", "--backup-key-file", path_str(&other)])
        .refused()
        .says(&["another key"]);
    // Not a backup at all.
    alliance(&["restore", "--from", path_str(&key), "--verify", "--backup-key-file", path_str(&key)])
        .refused()
        .says(&["not an alliance backup"]);
}

#[test]
fn an_online_backup_during_submissions_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("backup.key");
    std::fs::create_dir_all(&data).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (store, episode) = runtime.block_on(async {
        let store = Arc::new(SqliteStore::open(&data.join("alliance.db"), &keys()).await.unwrap());
        practice(store.as_ref(), 1, 1).await;
        let staff: Vec<UserId> = store.users().await.unwrap().iter().map(|u| u.id).collect();
        let client = store.clients_of(&staff).await.unwrap()[0].id;
        (store.clone(), store.episodes(client).await.unwrap()[0].id)
    });
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU32::new(0));
    let writer = {
        let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
        runtime.spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let token = n.to_be_bytes().to_vec();
                session_with_answers(store.as_ref(), episode, vec![token[2], token[3], 9, token[1]], true).await;
                n += 1;
                written.store(n, Ordering::SeqCst);
            }
            n
        })
    };
    // Each backup starts only once the writer has made progress since the last one, so that every backup is taken
    // while submissions are being written, however slow this machine's disk is at the moment.
    let wait_for_progress = |since: u32| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while written.load(Ordering::SeqCst) < since + 2 {
            assert!(std::time::Instant::now() < deadline, "the writer made no progress in 60 s");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        written.load(Ordering::SeqCst)
    };
    let mut seen = 0;
    let mut files = Vec::new();
    for i in 0..3 {
        seen = wait_for_progress(seen);
        let file = dir.path().join(format!("online{i}.backup"));
        let mut args =
            vec!["backup", "--data", path_str(&data), "--to", path_str(&file), "--backup-key-file", path_str(&key)];
        if i == 0 {
            args.push("--new-key");
        }
        alliance(&args).ok();
        files.push(file);
    }
    stop.store(true, Ordering::SeqCst);
    runtime.block_on(writer).unwrap();
    for (i, file) in files.iter().enumerate() {
        let target = dir.path().join(format!("online{i}.db"));
        alliance(&["restore", "--from", path_str(file), "--to", &sqlite(&target), "--backup-key-file", path_str(&key)])
            .ok();
        runtime.block_on(async {
            let restored = SqliteStore::open(&target, &keys()).await.unwrap();
            let staff: Vec<UserId> = restored.users().await.unwrap().iter().map(|u| u.id).collect();
            let clients: Vec<ClientId> = restored.clients_of(&staff).await.unwrap().iter().map(|c| c.id).collect();
            let sessions = restored.sessions_of(&clients).await.unwrap();
            let responses = restored.responses_of(clients[0]).await.unwrap();
            // A submission is all or nothing: every used link has both answers with all their scores, and an
            // answered session has a used link.
            for s in &sessions {
                let links = restored.links_for_session(s.id).await.unwrap();
                let answered: Vec<_> = responses.iter().filter(|r| r.session == s.id).collect();
                let used = links.iter().any(|l| l.used_at.is_some());
                assert_eq!(answered.len(), if used { 2 } else { 0 }, "session {}", s.number);
                assert!(answered.iter().all(|r| r.scores.len() == 3));
            }
            restored.close().await;
        });
    }
}

#[test]
fn migrate_store_sqlite_to_postgres_and_back_is_identical() {
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
        eprintln!("migrate_store: skipped, ALLIANCE_TEST_DATABASE_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = format!("alliance_test_migrate_{}_{}", std::process::id(), now().unix_timestamp());
    let (url, original) = runtime.block_on(async {
        let store = SqliteStore::open(&a, &keys()).await.unwrap();
        practice(&store, 3, 10).await;
        let shot = snapshot(&store).await;
        store.close().await;
        (PostgresStore::create_database(&server, &name).await.unwrap(), shot)
    });
    let to_pg = alliance(&["migrate-store", "--from", &sqlite(&a), "--to", &url]).ok();
    assert!(to_pg.stdout.contains("scores") && to_pg.stdout.contains("verified"), "{}", to_pg.stdout);
    alliance(&["migrate-store", "--from", &sqlite(&a), "--to", &url]).refused().says(&["not empty"]);
    alliance(&["migrate-store", "--from", &url, "--to", &sqlite(&b)]).ok();
    // A backup of the PostgreSQL database, restored into a second, empty one.
    let (key, file) = (dir.path().join("k"), dir.path().join("pg.backup"));
    alliance(&[
        "backup",
        "--database",
        &url,
        "--to",
        path_str(&file),
        "--backup-key-file",
        path_str(&key),
        "--new-key",
    ])
    .ok();
    let second = runtime.block_on(PostgresStore::create_database(&server, &format!("{name}_r"))).unwrap();
    alliance(&["restore", "--from", path_str(&file), "--to", &second, "--backup-key-file", path_str(&key)]).ok();
    let restored = runtime.block_on(async {
        let pg = PostgresStore::connect(&second, PostgresOptions::default(), &keys()).await.unwrap();
        let shot = snapshot(&pg).await;
        pg.close().await;
        PostgresStore::drop_database(&server, &format!("{name}_r")).await.unwrap();
        shot
    });
    assert_eq!(original, restored, "backup and restore on PostgreSQL");
    let (on_pg, back, moves) = runtime.block_on(async {
        let pg = PostgresStore::connect(&url, PostgresOptions::default(), &keys()).await.unwrap();
        let on_pg = snapshot(&pg).await;
        let moves_pg = migrations_logged(&pg).await;
        pg.close().await;
        let store = SqliteStore::open(&b, &keys()).await.unwrap();
        let back = snapshot(&store).await;
        let moves_b = migrations_logged(&store).await;
        store.close().await;
        let store = SqliteStore::open(&a, &keys()).await.unwrap();
        let moves_a = migrations_logged(&store).await;
        store.close().await;
        PostgresStore::drop_database(&server, &name).await.unwrap();
        (on_pg, back, [moves_a, moves_pg, moves_b])
    });
    assert_eq!(original, on_pg);
    assert_eq!(original, back);
    // Each move is audited in its source before the copy, so the copy holds every move before it.
    assert_eq!(moves, [1, 2, 2], "migrate entries in the first SQLite, PostgreSQL and the last SQLite database");
}

/// How many `migrate` entries (on `database`, purpose `maintenance`) a database's audit log holds.
async fn migrations_logged(store: &dyn Store) -> usize {
    let log = store.audit_events(100_000).await.unwrap();
    log.iter()
        .filter(|e| {
            (e.action.as_str(), e.object_kind.as_str(), e.purpose.as_str()) == ("migrate", "database", "maintenance")
        })
        .count()
}

/// `alliance serve` wires its jobs into the application's scheduler, whose first round runs as the server starts:
/// a scheduled backup is written and the oldest beyond `--backup-keep` removed, and housekeeping forgets stale
/// sign-in counters. When the jobs run again, and that two servers take turns, is the scheduler's to test (in
/// `alliance-app`, with a clock moved by hand): nothing here waits for a schedule.
#[test]
fn serve_runs_its_jobs_as_it_starts_backing_up_keeping_the_newest_and_forgetting_stale_counters() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backups = dir.path().join("backups");
    let key = dir.path().join("backup.key");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let at = now().replace_nanosecond(0).unwrap();
    let stale =
        ThrottleState { failures: 9, window_start: at - Duration::days(3), blocked_until: at - Duration::days(3) };
    let recent = ThrottleState { failures: 2, window_start: at - Duration::hours(2), blocked_until: at };
    runtime.block_on(async {
        std::fs::create_dir_all(&data).unwrap();
        let store = SqliteStore::open(&data.join("alliance.db"), &keys()).await.unwrap();
        practice(&store, 2, 3).await;
        assert!(store.update_throttle(b"stale", None, &stale).await.unwrap());
        assert!(store.update_throttle(b"recent", None, &recent).await.unwrap());
        store.close().await;
    });
    // Three earlier backups, named as the schedule names them.
    std::fs::create_dir_all(&backups).unwrap();
    let earlier =
        ["alliance-20200101T000000Z.backup", "alliance-20200102T000000Z.backup", "alliance-20200103T000000Z.backup"];
    backup_with_new_key(&data, &backups.join(earlier[0]), &key).ok();
    for name in &earlier[1..] {
        let to = backups.join(name);
        alliance(&["backup", "--data", path_str(&data), "--to", path_str(&to), "--backup-key-file", path_str(&key)])
            .ok();
    }
    let log = dir.path().join("serve.log");
    let schedule = ["--backup-dir", path_str(&backups), "--backup-keep", "3", "--backup-key-file", path_str(&key)];
    let mut server = spawn_serve(&data, &log, &schedule, &[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let read_log = || std::fs::read_to_string(&log).unwrap();
    while !(read_log().contains("scheduled backup written") && read_log().contains("sign-in counters"))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(server.try_wait().unwrap().is_none(), "the server kept running");
    server.kill().unwrap();
    server.wait().unwrap();
    let log = read_log();
    assert!(!log.contains("ERROR"), "{log}");
    assert!(log.contains("sign-in counters untouched for a day forgotten"), "{log}");
    let left = runtime.block_on(async {
        let store = SqliteStore::open_as_is(&data.join("alliance.db"), &keys()).await.unwrap();
        let left = (store.throttle(b"stale").await.unwrap(), store.throttle(b"recent").await.unwrap());
        store.close().await;
        left
    });
    assert_eq!(left, (None, Some(recent)));
    let mut names: Vec<String> =
        std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "the newest three are kept: {names:?}");
    assert_eq!(names[..2], earlier[1..], "the oldest was removed: {names:?}");
    assert!(names[2].starts_with("alliance-") && names[2].ends_with(".backup") && names[2].as_str() > earlier[2]);
    for name in &names {
        let path = backups.join(name);
        alliance(&["restore", "--from", path_str(&path), "--verify", "--backup-key-file", path_str(&key)]).ok();
    }
}

#[test]
fn serve_refuses_a_backup_schedule_it_cannot_keep() {
    let dir = tempfile::tempdir().unwrap();
    let (data, backups) = (dir.path().join("data"), dir.path().join("backups"));
    let serve = ["serve", "--data", path_str(&data), "--bind", "127.0.0.1:0", "--backup-dir", path_str(&backups)];
    alliance(&serve).refused().says(&["no backup key"]);
    let key = dir.path().join("k");
    let mut with_key = serve.to_vec();
    with_key.extend(["--backup-key-file", path_str(&key)]);
    for (option, value, says) in [
        ("--backup-every", "0", "--backup-every"),
        ("--backup-every", "-3", "-3"),
        ("--backup-keep", "0", "--backup-keep"),
        ("--retention-years", "0", "retention-years"),
    ] {
        let mut args = with_key.clone();
        args.extend(["--new-key", option, value]);
        let run = alliance(&args);
        assert!(!run.success && run.stderr.contains(says), "{option} {value}: {}", run.stderr);
    }
    assert!(!data.join("alliance.db").exists() && !backups.exists() && !key.exists(), "nothing was created");
}

#[test]
fn a_backup_made_by_an_earlier_release_restores_and_its_audit_log_verifies() {
    // Written by `alliance backup` before the file format moved into the store; see the store's fixtures.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures");
    let practice_keys = std::fs::read_to_string(fixtures.join("format-1.keys")).unwrap();
    let backup_key = "0f".repeat(32);
    let env = [("ALLIANCE_KEYS", practice_keys.as_str()), ("ALLIANCE_BACKUP_KEY", backup_key.as_str())];
    let file = fixtures.join("format-1.backup");
    let verified = crate::alliance_with_env(&["restore", "--from", path_str(&file), "--verify"], &env).ok();
    assert!(
        verified.stdout.contains("taken from sqlite") && verified.stdout.contains("1048 rows"),
        "{}",
        verified.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    let target = sqlite(&dir.path().join("restored.db"));
    // The backup's 180 entries and the restore's own.
    crate::alliance_with_env(&["restore", "--from", path_str(&file), "--to", &target], &env).ok();
    let audit = crate::alliance_with_env(&["audit", "verify", "--database", &target], &env).ok();
    assert!(audit.stdout.starts_with("Audit log intact: 181 entries verified."), "{}", audit.stdout);
}

#[test]
fn a_malformed_database_name_is_refused_with_the_reason_and_never_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let existing = sqlite(&dir.path().join("a.db"));
    let cases: [(&str, &str); 5] = [
        ("sqlite:", "needs a file path"),
        ("sqlite::memory:", "keeps nothing"),
        ("mysql://u:Sw0rdf1sh@h/d", "sqlite:PATH or postgres://"),
        ("postgres://u:Sw0rdf1sh@h:99999/d", "not a valid PostgreSQL URL"),
        ("sqlite:/tmp/x\u{1b}[2J.db", "control character"),
    ];
    for (name, says) in cases {
        for args in
            [["migrate-store", "--from", &existing, "--to", name], ["migrate-store", "--from", name, "--to", &existing]]
        {
            let run = alliance(&args).refused().says(&[says]);
            assert!(!run.stderr.contains("Sw0rdf1sh") && !run.stderr.contains('\u{1b}'), "{}", run.stderr);
        }
    }
    let long = format!("sqlite:/{}", "x".repeat(5000));
    alliance(&["audit", "verify", "--database", &long]).refused().says(&["at most 4096 bytes"]);
    assert!(!dir.path().join("a.db").exists(), "nothing was created");
}

/// Issue 14, findings 8 and 10: a backup and a restore are audited, and a restore does not bring back a sign-in
/// ended after the backup was made.
#[test]
fn a_restore_revives_no_sign_in_and_backup_and_restore_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("backup.key");
    let file = dir.path().join("practice.backup");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let token = b"a sign-in token hash".to_vec();
    runtime.block_on(async {
        std::fs::create_dir_all(&data).unwrap();
        let store = SqliteStore::open(&data.join("alliance.db"), &keys()).await.unwrap();
        let t = practice(&store, 1, 1).await;
        let login = NewLogin {
            token_hash: token.clone(),
            user: t,
            csrf_token: "c".into(),
            created_at: OffsetDateTime::now_utc(),
            expires_at: OffsetDateTime::now_utc() + Duration::hours(12),
            idle_timeout: Duration::hours(1),
        };
        store.create_login(login).await.unwrap();
        store.close().await;
    });
    let d = path_str(&data);
    alliance(&["backup", "--data", d, "--to", path_str(&file), "--backup-key-file", path_str(&key), "--new-key"]).ok();
    // Signed out after the backup.
    runtime.block_on(async {
        let store = SqliteStore::open(&data.join("alliance.db"), &keys()).await.unwrap();
        assert!(store.login(&token, OffsetDateTime::now_utc()).await.unwrap().is_some());
        store.delete_login(&token).await.unwrap();
        store.close().await;
    });
    let restored = dir.path().join("restored.db");
    let target = sqlite(&restored);
    let run =
        alliance(&["restore", "--from", path_str(&file), "--to", &target, "--backup-key-file", path_str(&key)]).ok();
    assert!(run.stdout.contains("Sign-ins ended: 1"), "{}", run.stdout);
    runtime.block_on(async {
        let store = SqliteStore::open(&restored, &keys()).await.unwrap();
        assert!(store.login(&token, OffsetDateTime::now_utc()).await.unwrap().is_none(), "the sign-in stays ended");
        let actions: Vec<String> = store.audit_events(5).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(&actions[..2], ["restore", "back-up"], "newest first: the restore, then the backup it restored");
        store.close().await;
    });
}

/// A practice made as an operator makes one (its own key file in `data/keys`), with an account of each kind, so
/// that sealed fields exist; returns the key file.
fn practice_in_folder(data: &Path) -> std::path::PathBuf {
    let d = path_str(data);
    crate::alliance(&["user", "create-admin", "--data", d, "--email", "boss@example.org", "--name", "Boss"]).ok();
    crate::alliance(&["user", "add", "--data", d, "--email", "t@example.org", "--name", "Tess", "--role", "therapist"])
        .ok();
    data.join("keys").join("alliance.keys")
}

/// Copies a key file, keeping it owner-only (Alliance refuses one others can read).
fn copy_key_file(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    make_private(to);
}

fn make_private(to: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// An RFC 3339 time in UTC at the start of `text`: `2026-12-06T17:43:36Z`.
fn starts_with_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 20
        && [4, 7].iter().all(|&i| b[i] == b'-')
        && b[10] == b'T'
        && [13, 16].iter().all(|&i| b[i] == b':')
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| b[i].is_ascii_digit())
}

/// Issue 15: after `keys retire v1`, an older backup "restored and verified" and `serve` then refused it. Now the
/// restore refuses before creating anything, naming the version and what to do; with the key file that still
/// has v1 it restores, and `serve --check` accepts the result.
#[test]
fn a_backup_needing_a_retired_key_is_refused_by_name_and_restores_with_the_older_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key_file = practice_in_folder(&data);
    let (backup, key) = (dir.path().join("before-rotation.backup"), dir.path().join("backup.key"));
    let d = path_str(&data);
    crate::alliance(&[
        "backup",
        "--data",
        d,
        "--to",
        path_str(&backup),
        "--backup-key-file",
        path_str(&key),
        "--new-key",
    ])
    .ok();
    let with_v1 = dir.path().join("alliance.keys.with-v1");
    copy_key_file(&key_file, &with_v1);
    crate::alliance(&["keys", "rotate", "--data", d]).ok();
    crate::alliance(&["keys", "retire", "v1", "--data", d, "--force"]).ok();

    let target = dir.path().join("restored").join("alliance.db");
    std::fs::create_dir(target.parent().unwrap()).unwrap();
    let to = sqlite(&target);
    let restore = |keys: &[&str]| {
        let mut args = vec!["restore", "--from", path_str(&backup), "--backup-key-file", path_str(&key)];
        args.extend_from_slice(keys);
        args.extend(["--to", &to]);
        crate::alliance(&args)
    };
    // --verify with the key file says so before any restore is tried.
    let verify = ["restore", "--from", path_str(&backup), "--verify", "--backup-key-file", path_str(&key)];
    crate::alliance(&[&verify[..], &["--data", d]].concat()).refused().says(&["key version v1", "it has v2"]);
    let has = crate::alliance(&[&verify[..], &["--key-file", path_str(&with_v1)]].concat()).ok();
    assert!(has.stdout.contains("use key version v1, which the key file has"), "{}", has.stdout);
    restore(&["--data", d]).refused().says(&["key version v1", "it has v2", "--key-file", "nothing was restored"]);
    assert!(!target.exists(), "no database is left for `serve` to pick up");
    assert_eq!(std::fs::read_dir(target.parent().unwrap()).unwrap().count(), 0, "nothing at all is left");

    let restored = restore(&["--key-file", path_str(&with_v1)]).ok();
    assert!(
        restored.stdout.contains("Encrypted values: 4 restored, every one opened with the key file (key version v1)"),
        "{}",
        restored.stdout
    );
    let checked = crate::alliance(&[
        "serve",
        "--data",
        path_str(target.parent().unwrap()),
        "--key-file",
        path_str(&with_v1),
        "--check",
    ])
    .ok();
    assert!(checked.stdout.contains("opens with the keys"), "{}", checked.stdout);
}

/// A backup from before key versions were recorded is checked row by row: the same refusal, by version.
#[test]
fn an_earlier_releases_backup_is_checked_value_by_value() {
    let dir = tempfile::tempdir().unwrap();
    let store_fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures");
    let backup = store_fixtures.join("format-1.backup");
    let key = dir.path().join("backup.key");
    std::fs::write(&key, format!("{}\n", "0f".repeat(32))).unwrap();
    make_private(&key);
    let verified =
        crate::alliance(&["restore", "--from", path_str(&backup), "--verify", "--backup-key-file", path_str(&key)])
            .ok();
    assert!(verified.stdout.contains("does not record the key versions"), "{}", verified.stdout);
    // The practice's keys with v1 replaced by another v2: every value is sealed with v1.
    let keys = std::fs::read_to_string(store_fixtures.join("format-1.keys")).unwrap();
    let db_line = keys.lines().find(|l| l.starts_with("db ")).unwrap();
    let other = dir.path().join("other.keys");
    std::fs::write(&other, format!("{db_line}\nv2 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY=\n")).unwrap();
    make_private(&other);
    let target = dir.path().join("alliance.db");
    crate::alliance(&[
        "restore",
        "--from",
        path_str(&backup),
        "--backup-key-file",
        path_str(&key),
        "--key-file",
        path_str(&other),
        "--to",
        &sqlite(&target),
    ])
    .refused()
    .says(&["sealed with key version v1", "lacks", "it has v2"]);
    assert!(!target.exists());

    // Into PostgreSQL: the same refusal, and no row is left in the target.
    let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else { return };
    let name = format!("alliance_test_restore_keys_{}_{}", std::process::id(), now().unix_timestamp());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(PostgresStore::create_database(&server, &name)).unwrap();
    let (from, key) = (path_str(&backup), path_str(&key));
    crate::alliance(&[
        "restore",
        "--from",
        from,
        "--backup-key-file",
        key,
        "--key-file",
        path_str(&other),
        "--to",
        &url,
    ])
    .refused()
    .says(&["sealed with key version v1", "it has v2"]);
    let empty = runtime.block_on(async {
        let db =
            Database::open(&DatabaseSpec::parse(&url).unwrap(), &Keyring::generate(), &Opening::new(OpenMode::AsIs))
                .await
                .unwrap();
        let empty = dump::is_empty(&db).await.unwrap();
        db.close().await;
        empty
    });
    assert!(empty, "nothing was restored into PostgreSQL");
}

/// Times are printed in RFC 3339 (UTC), not Unix seconds; a missing folder is one sentence; a missing backup key
/// file on restore does not suggest --new-key, which restore does not take.
#[test]
fn restore_prints_rfc3339_and_says_plainly_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    practice_in_folder(&data);
    let (backup, key) = (dir.path().join("b.backup"), dir.path().join("backup.key"));
    let made = crate::alliance(&[
        "backup",
        "--data",
        path_str(&data),
        "--to",
        path_str(&backup),
        "--backup-key-file",
        path_str(&key),
        "--new-key",
    ])
    .ok();
    let at = made.stdout.split(" at ").nth(1).unwrap_or_default();
    assert!(starts_with_rfc3339(at), "{}", made.stdout);
    let verified =
        crate::alliance(&["restore", "--from", path_str(&backup), "--verify", "--backup-key-file", path_str(&key)])
            .ok();
    let at = verified.stdout.split("taken from sqlite at ").nth(1).unwrap_or_default();
    assert!(starts_with_rfc3339(at) && !verified.stdout.contains("Unix"), "{}", verified.stdout);
    assert!(verified.stdout.contains("key version v1"), "{}", verified.stdout);

    let missing = dir.path().join("no-such-folder");
    let target = format!("sqlite:{}", missing.join("alliance.db").display());
    let mut args = vec!["restore", "--from", path_str(&backup), "--backup-key-file", path_str(&key)];
    args.extend(["--data", path_str(&data), "--to", &target]);
    let refused = crate::alliance(&args).refused().says(&[&format!("the folder {} does not exist", missing.display())]);
    assert!(!refused.stderr.contains("code: 14"), "{}", refused.stderr);
    assert!(!missing.exists());
    let restored = crate::alliance(&[
        "restore",
        "--from",
        path_str(&backup),
        "--backup-key-file",
        path_str(&key),
        "--data",
        path_str(&data),
        "--to",
        &sqlite(&dir.path().join("restored.db")),
    ])
    .ok();
    let at = restored.stdout.split("taken from sqlite at ").nth(1).unwrap_or_default();
    assert!(starts_with_rfc3339(at), "{}", restored.stdout);

    // A backup into a missing folder: the same sentence, and no backup key made for it.
    let new_key = dir.path().join("new.key");
    let to = missing.join("b.backup");
    let mut args = vec!["backup", "--data", path_str(&data), "--to", path_str(&to)];
    args.extend(["--backup-key-file", path_str(&new_key), "--new-key"]);
    crate::alliance(&args).refused().says(&[&format!("the folder {} does not exist", missing.display())]);
    assert!(!new_key.exists());

    let no_key = dir.path().join("no.key");
    let open = ["restore", "--from", path_str(&backup), "--verify", "--backup-key-file", path_str(&no_key)];
    let refused = crate::alliance(&open).refused().says(&["does not exist", "the key it was made with"]);
    assert!(!refused.stderr.contains("--new-key"), "{}", refused.stderr);
    let mut with_new_key = open.to_vec();
    with_new_key.push("--new-key");
    let run = crate::alliance(&with_new_key);
    assert!(!run.success && run.stderr.contains("unexpected argument '--new-key'"), "{}", run.stderr);
    assert!(!no_key.exists(), "no key is made for a restore");
}
