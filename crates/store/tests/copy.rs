//! The table copier (`alliance_store::dump`), client deletion, retention and job leases.

use std::collections::BTreeSet;
use std::path::Path;

use alliance_core::domain::Role;
use alliance_core::scoring::{ResponseFlags, RiskFlag, ScaleScore};
use alliance_store::dump::{self, Piece};
use alliance_store::*;
use sqlx::{Connection, Row};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use tokio::sync::mpsc;

use crate::ScratchDatabase;

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

fn score(scale: &str, value: Option<f64>) -> ScaleScore {
    ScaleScore {
        scale: scale.into(),
        value,
        answered: 3,
        missing: usize::from(value.is_none()),
        prorated: value.is_some_and(|v| v.fract() != 0.0),
        band: value.map(|v| format!("band {v}")),
        concern: value.map(|v| v > 10.0),
    }
}

/// A practice with every kind of row: staff, supervision, a login, a binary setting, clients with ended and open
/// episodes, sessions, used and open links, client answers with risk flags and indicators, scores in an order
/// that is not alphabetical, a therapist's reflection, an acknowledgement and audit entries. Returns the clients.
pub async fn populate(store: &dyn Store, tag: &str) -> Vec<ClientId> {
    let user = |email: String, role| NewUser {
        email,
        display_name: "Dr. Ünïcode 'quoted'".into(),
        role,
        password_hash: "$argon2id$x".into(),
        must_change_password: false,
    };
    let therapist = store
        .create_user(user(format!("t-{tag}@example.org"), Role::Therapist), crate::conformance::ev(), NOW)
        .await
        .unwrap();
    let supervisor = store
        .create_user(user(format!("s-{tag}@example.org"), Role::Supervisor), crate::conformance::ev(), NOW)
        .await
        .unwrap();
    store.add_supervision(supervisor, therapist, crate::conformance::ev()).await.unwrap();
    store
        .create_login(NewLogin {
            token_hash: vec![0, 255, 7, 9],
            user: therapist,
            csrf_token: "csrf".into(),
            created_at: NOW,
            expires_at: NOW + Duration::hours(1),
            idle_timeout: Duration::minutes(30),
        })
        .await
        .unwrap();
    store.setting_or_insert("secret", &[0, 1, 2, 254, 255]).await.unwrap();
    let mut clients = Vec::new();
    for (i, name) in ["Amber Heron", "Blue Finch 🐦", "Cedar, \"Fox\""].iter().enumerate() {
        let contact = (i == 1).then(|| "+44 20 7946 0000".to_owned());
        let client = store
            .create_client(NewClient { therapist, pseudonym: (*name).into(), contact }, crate::conformance::ev(), NOW)
            .await
            .unwrap();
        clients.push(client);
        // The client's background in their words (issue 20), sealed like answers.
        let words = alliance_core::culture::BackgroundText::parse(&format!("Català, \"{name}\" ✓")).unwrap();
        let entry = NewBackground {
            category: "language",
            text: &words,
            matters: alliance_core::culture::YesNoUnsure::Yes,
            shared: alliance_core::culture::YesNoUnsure::Unsure,
        };
        store.set_background(client, entry, crate::conformance::ev(), NOW).await.unwrap();
        let first = store
            .open_episode(
                NewEpisode { client, therapist, started_on: date!(2025 - 01 - 10), measures: vec!["phq9".into()] },
                crate::conformance::ev(),
                NOW,
            )
            .await
            .unwrap();
        store
            .record_session(
                NewSession { episode: first, held_on: date!(2025 - 01 - 17), attended: false },
                crate::conformance::ev(),
                NOW,
            )
            .await
            .unwrap();
        if i == 2 {
            continue;
        }
        // A second episode ends the first.
        let episode = store
            .open_episode(
                NewEpisode {
                    client,
                    therapist,
                    started_on: date!(2026 - 10 - 01),
                    measures: vec!["phq9".into(), "gad7".into()],
                },
                crate::conformance::ev(),
                NOW,
            )
            .await
            .unwrap();
        for n in 0..3u8 {
            let session = store
                .record_session(
                    NewSession { episode, held_on: date!(2026 - 10 - 08), attended: true },
                    crate::conformance::ev(),
                    NOW,
                )
                .await
                .unwrap();
            let token = vec![u8::try_from(i).unwrap(), n, 42];
            store
                .create_link(
                    NewLink {
                        session: session.id,
                        token_hash: token.clone(),
                        expires_at: NOW + Duration::days(2),
                        instruments: vec![
                            InstrumentRef { id: "relationship-check".into(), version: 1 },
                            InstrumentRef { id: "phq9".into(), version: 2 },
                        ],
                    },
                    crate::conformance::ev(),
                    NOW,
                )
                .await
                .unwrap();
            if n == 2 {
                continue; // an open link
            }
            let view = store.link_by_token(&token, NOW).await.unwrap().unwrap();
            let responses = view
                .administrations
                .iter()
                .map(|a| NewResponse {
                    administration: Some(a.id),
                    answers: crate::answers(&format!(
                        "{{\"bond-1\": {n}, \"culture\": {n}, \"note\": \"é\\u00e9 {i}\"}}"
                    )),
                    flags: ResponseFlags {
                        risks: vec![RiskFlag { item: "phq9.9".into(), value: 1.5 }],
                        indicators: vec!["rupture".into(), "supervision".into()],
                    },
                    scores: vec![score("total", Some(12.25)), score("bond", None), score("alpha", Some(0.1 + 0.2))],
                })
                .collect();
            let audit = AuditEvent {
                at: NOW,
                actor: None,
                actor_role: None,
                action: "client-submitted",
                object_kind: "session",
                object_id: None,
                purpose: "care",
                address: Some("192.0.2.1".into()),
            };
            store.submit_link(&token, responses, audit, NOW + Duration::minutes(i64::from(n))).await.unwrap().unwrap();
            store
                .save_therapist_response(
                    session.id,
                    InstrumentRef { id: "therapist-reflection".into(), version: 1 },
                    NewResponse {
                        administration: None,
                        answers: crate::answers(
                            "{\"private\": \"a note\", \"culture\": 2, \"culture-note\": \"language ✓\"}",
                        ),
                        flags: ResponseFlags::default(),
                        scores: vec![score("zeta", Some(-3.0)), score("bond", Some(4.0))],
                    },
                    crate::conformance::ev(),
                    NOW,
                )
                .await
                .unwrap();
            // A transcript on each session (issue 21): sealed text and speakers, coding in plain columns.
            let text = format!("Therapist: How was the week, {name}?\nClient: «Hard» — 'really' ✓ {n}\n");
            let t = crate::transcripts::coded(session.id, &text, Some(0.5 + f64::from(n)));
            store.attach_transcript(client, t, therapist, crate::conformance::ev(), NOW).await.unwrap();
        }
        store.acknowledge(client, "rupture:1", therapist, crate::conformance::ev(), NOW).await.unwrap();
        boundaries(store, client, supervisor, therapist, i).await;
    }
    clients
}

/// A client's boundary log (a shared overrun with a sealed note, a contact kept private) and a supervision meeting
/// that discussed one of their events and agreed an action about them (issue 20).
async fn boundaries(store: &dyn Store, client: ClientId, supervisor: UserId, therapist: UserId, i: usize) {
    use alliance_core::boundaries::{Channel, Crossing, Initiator};
    let event = |crossing, note: Option<&str>, shared| NewBoundaryEvent {
        client,
        session: None,
        crossing,
        occurred_on: date!(2026 - 10 - 08),
        note: note.map(Into::into),
        shared,
    };
    let overrun = event(Crossing::Overrun { minutes: 20 }, Some("ran over, 'again' — é"), true);
    let shared = store.record_boundary_event(&overrun, therapist, crate::conformance::ev(), NOW).await.unwrap();
    let contact = Crossing::Contact { channel: Channel::Email, initiated_by: Initiator::Therapist };
    store.record_boundary_event(&event(contact, None, false), therapist, crate::conformance::ev(), NOW).await.unwrap();
    let meeting = NewMeeting {
        supervisor,
        therapist,
        held_on: date!(2026 - 10 - 09),
        agreed: (i == 0).then(|| "Agreed: end on time".to_owned()),
        items: vec![NewMeetingItem { client, session: None, boundary_event: Some(shared) }],
        actions: vec![(client, format!("Raise the overruns {i}"))],
    };
    store.record_meeting(&meeting, crate::conformance::ev(), NOW).await.unwrap();
}

/// Everything the store says about a practice, through its own methods.
pub async fn snapshot(store: &dyn Store) -> String {
    let users = store.users().await.unwrap();
    let staff: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let clients = store.clients_of(&staff).await.unwrap();
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let mut out = format!("{users:?}\n{clients:?}\n");
    for u in &staff {
        out += &format!("{:?}\n", store.supervisees(*u).await.unwrap());
    }
    for c in &ids {
        out += &format!("{:?}\n{:?}\n", store.episodes(*c).await.unwrap(), store.responses_of(*c).await.unwrap());
        out += &format!("{:?}\n", store.backgrounds_of(&[*c]).await.unwrap());
        out += &format!("{:?}\n", store.transcript_indicators_of(&[*c]).await.unwrap());
    }
    let sessions = store.sessions_of(&ids).await.unwrap();
    for s in &sessions {
        out += &format!("{:?}\n", store.links_for_session(s.id).await.unwrap());
        out += &format!("{:?}\n", store.transcript(s.id).await.unwrap());
    }
    out += &format!(
        "{sessions:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n",
        store.current_episodes(&ids).await.unwrap(),
        store.score_points(&ids).await.unwrap(),
        store.acknowledgements(&ids).await.unwrap(),
        store.audit_events(10_000).await.unwrap(),
        store.login(&[0, 255, 7, 9], NOW).await.unwrap(),
    );
    for u in &staff {
        out += &format!(
            "{:?}\n{:?}\n{:?}\n",
            store.shared_boundary_events(&[*u]).await.unwrap(),
            store.meetings(MeetingsOf::Therapist(*u), 0, 100).await.unwrap(),
            store.meetings(MeetingsOf::Supervisor(*u), 0, 100).await.unwrap(),
        );
        for c in &ids {
            out += &format!(
                "{:?}\n{:?}\n",
                store.boundary_events_of(*c, *u, false).await.unwrap(),
                store.open_actions(*c, *u).await.unwrap()
            );
        }
    }
    out += &format!("{:?}\n", store.setting_or_insert("secret", b"new").await.unwrap());
    out
}

/// Dumps `from` to bytes (the backup file's content, before encryption).
async fn dump_bytes(from: &Database) -> (Vec<u8>, dump::Manifest) {
    let (to, mut pieces) = mpsc::channel::<StoreResult<Piece>>(8);
    let collecting = async move {
        let mut bytes = Vec::new();
        while let Some(piece) = pieces.recv().await {
            dump::encode_piece(&piece.unwrap(), &mut bytes).unwrap();
        }
        bytes
    };
    let dumping = async move { dump::dump(from, &to).await.unwrap() };
    let (manifest, bytes) = tokio::join!(dumping, collecting);
    (bytes, manifest)
}

/// Loads bytes made by [`dump_bytes`] into `target`.
async fn load_bytes(target: &Database, bytes: Vec<u8>) -> StoreResult<dump::Loaded> {
    let (to, from) = mpsc::channel::<StoreResult<Piece>>(8);
    let feeding = tokio::task::spawn_blocking(move || dump::feed(bytes.as_slice(), &to));
    let loaded = dump::load(target, from).await;
    let _ = feeding.await.unwrap();
    loaded
}

async fn copy(from: &Database, target: &Database) -> StoreResult<dump::Loaded> {
    let (bytes, _) = dump_bytes(from).await;
    load_bytes(target, bytes).await
}

async fn sqlite_tables(path: &Path) -> BTreeSet<String> {
    let mut conn = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(path)).await.unwrap();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    names.into_iter().filter(|n| n != "_sqlx_migrations").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_copy_is_identical_through_the_store_and_its_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let source = SqliteStore::open(&dir.path().join("a.db"), &crate::keys()).await.unwrap();
    populate(&source, "a").await;
    let target = SqliteStore::open(&dir.path().join("b.db"), &crate::keys()).await.unwrap();
    let loaded = copy(&Database::Sqlite(source.clone()), &Database::Sqlite(target.clone())).await.unwrap();

    assert_eq!(snapshot(&source).await, snapshot(&target).await);
    let none = BTreeSet::new();
    let (a, b) = (
        dump::checksums(&Database::Sqlite(source.clone()), &none).await.unwrap(),
        dump::checksums(&Database::Sqlite(target.clone()), &none).await.unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(loaded.manifest, b);
    // Every table of the schema, as SQLite lists it, is in the copy but the derived client revisions, which the
    // target's triggers rebuilt as the copy was loaded; the main ones hold rows.
    let listed: BTreeSet<String> = a.tables.iter().map(|t| t.name.clone()).collect();
    let mut expected = sqlite_tables(&dir.path().join("a.db")).await;
    assert!(expected.remove("client_revisions"));
    assert_eq!(listed, expected);
    let users: Vec<_> = target.users().await.unwrap().iter().map(|u| u.id).collect();
    let clients: Vec<_> = target.clients_of(&users).await.unwrap();
    let ids: Vec<_> = clients.iter().map(|c| c.id).collect();
    let revisions = target.client_revisions(&ids).await.unwrap();
    assert!(!ids.is_empty());
    assert_eq!(revisions.len(), ids.len());
    assert!(revisions.iter().all(|(_, r)| *r > 0), "rebuilt in the copy: {revisions:?}");
    for table in ["clients", "episodes", "therapy_sessions", "links", "administrations", "responses", "scores"] {
        assert!(a.tables.iter().any(|t| t.name == table && t.rows > 0), "{table} has rows");
    }
    // Generated ids continue after the copied ones.
    let t = target.users().await.unwrap()[0].id;
    let next = target
        .create_client(
            NewClient { therapist: t, pseudonym: "New".into(), contact: None },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    assert!(next.0 > 3);
}

#[tokio::test]
async fn the_checksum_is_sha256_of_the_documented_encoding() {
    // Independent computation: one row (1, 'é', NULL, 0.5, x'00ff') encoded by hand.
    let mut bytes = vec![0, 0, 0, 5];
    bytes.extend([1, 0, 0, 0, 0, 0, 0, 0, 1]);
    bytes.extend([3, 0, 0, 0, 2, 0xc3, 0xa9]);
    bytes.push(0);
    bytes.push(2);
    bytes.extend(0.5f64.to_bits().to_be_bytes());
    bytes.extend([4, 0, 0, 0, 2, 0x00, 0xff]);
    let mut hasher = dump::TableHasher::new(vec![false; 5]);
    hasher.add(&[
        dump::Value::Int(1),
        dump::Value::Text("é".into()),
        dump::Value::Null,
        dump::Value::Real(0.5),
        dump::Value::Blob(vec![0, 255]),
    ]);
    let expected = sha256_hex(&bytes);
    assert_eq!(hasher.finish("t").sha256, expected);
    // SHA-256 of nothing (FIPS 180-4 test value) for an empty table.
    assert_eq!(
        dump::TableHasher::new(vec![]).finish("t").sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_table_added_later_is_copied_and_one_without_a_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let source = SqliteStore::open(&a, &crate::keys()).await.unwrap();
    let target = SqliteStore::open(&b, &crate::keys()).await.unwrap();
    populate(&source, "a").await;
    for path in [&a, &b] {
        let mut conn = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(path)).await.unwrap();
        sqlx::query("CREATE TABLE later_feature (client_id INTEGER NOT NULL, n INTEGER NOT NULL, note TEXT, PRIMARY KEY (client_id, n))")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let mut conn = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(&a)).await.unwrap();
    sqlx::query("INSERT INTO later_feature VALUES (1, 2, 'kept'), (1, 1, NULL)").execute(&mut conn).await.unwrap();
    let loaded = copy(&Database::Sqlite(source.clone()), &Database::Sqlite(target.clone())).await.unwrap();
    assert!(loaded.manifest.tables.iter().any(|t| t.name == "later_feature" && t.rows == 2));

    sqlx::query("CREATE TABLE no_key (x INTEGER)").execute(&mut conn).await.unwrap();
    let (to, _keep) = mpsc::channel(8);
    let refused = dump::dump(&Database::Sqlite(source.clone()), &to).await;
    assert!(matches!(&refused, Err(StoreError::Corrupt(m)) if m.contains("no_key")), "{refused:?}");
}

#[tokio::test]
async fn a_non_empty_target_or_a_damaged_copy_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let source = SqliteStore::open(&dir.path().join("a.db"), &crate::keys()).await.unwrap();
    populate(&source, "a").await;
    let (bytes, _) = dump_bytes(&Database::Sqlite(source.clone())).await;

    // Not empty: a single row anywhere is enough.
    let busy = SqliteStore::open(&dir.path().join("busy.db"), &crate::keys()).await.unwrap();
    busy.setting_or_insert("x", b"1").await.unwrap();
    let refused = load_bytes(&Database::Sqlite(busy.clone()), bytes.clone()).await;
    assert!(matches!(&refused, Err(StoreError::Corrupt(m)) if m.contains("not empty")), "{refused:?}");
    assert_eq!(busy.count_users().await.unwrap(), 0);

    let empty = SqliteStore::open(&dir.path().join("empty.db"), &crate::keys()).await.unwrap();
    // Cut short anywhere (here at several places), or a changed byte in a row: refused, the target stays empty.
    for cut in [bytes.len() - 1, bytes.len() / 2, 10] {
        let result = load_bytes(&Database::Sqlite(empty.clone()), bytes[..cut].to_vec()).await;
        assert!(result.is_err(), "cut at {cut} accepted");
        assert!(dump::is_empty(&Database::Sqlite(empty.clone())).await.unwrap());
    }
    let mut changed = bytes.clone();
    // Names are sealed; instrument ids are not: change one of those.
    let at = changed.windows(18).position(|w| w == b"relationship-check").unwrap();
    changed[at] = b'X';
    let result = load_bytes(&Database::Sqlite(empty.clone()), changed).await;
    assert!(matches!(&result, Err(StoreError::Corrupt(m)) if m.contains("checksum")), "{result:?}");
    assert!(dump::is_empty(&Database::Sqlite(empty.clone())).await.unwrap());
    // And the intact copy still loads.
    load_bytes(&Database::Sqlite(empty.clone()), bytes).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_copy_and_sqlite_postgres_sqlite_round_trip_are_identical() {
    let Some(db) = ScratchDatabase::create("pg_copy_a").await else { return };
    let Some(db2) = ScratchDatabase::create("pg_copy_b").await else { return };
    let options = PostgresOptions { max_connections: 4, ..Default::default() };
    let dir = tempfile::tempdir().unwrap();
    let lite = SqliteStore::open(&dir.path().join("a.db"), &crate::keys()).await.unwrap();
    populate(&lite, "a").await;
    let pg = PostgresStore::connect(&db.url, options.clone(), &crate::keys()).await.unwrap();
    copy(&Database::Sqlite(lite.clone()), &Database::Postgres(pg.clone())).await.unwrap();
    assert_eq!(snapshot(&lite).await, snapshot(&pg).await, "SQLite to PostgreSQL");
    let pg2 = PostgresStore::connect(&db2.url, options, &crate::keys()).await.unwrap();
    copy(&Database::Postgres(pg.clone()), &Database::Postgres(pg2.clone())).await.unwrap();
    assert_eq!(snapshot(&pg).await, snapshot(&pg2).await, "PostgreSQL to PostgreSQL");
    let none = BTreeSet::new();
    assert_eq!(
        dump::checksums(&Database::Postgres(pg.clone()), &none).await.unwrap(),
        dump::checksums(&Database::Postgres(pg2.clone()), &none).await.unwrap()
    );
    let back = SqliteStore::open(&dir.path().join("back.db"), &crate::keys()).await.unwrap();
    copy(&Database::Postgres(pg2.clone()), &Database::Sqlite(back.clone())).await.unwrap();
    assert_eq!(snapshot(&lite).await, snapshot(&back).await, "and back to SQLite");
    // JSON columns would compare by meaning (PostgreSQL's jsonb keeps no spelling); since response flags are
    // sealed (migration 0013) there is none, and everything compares byte for byte.
    let json = dump::json_columns(&Database::Postgres(pg.clone())).await.unwrap();
    assert_eq!(json, BTreeSet::new());
    assert_eq!(
        dump::checksums(&Database::Sqlite(lite.clone()), &json).await.unwrap(),
        dump::checksums(&Database::Sqlite(back.clone()), &json).await.unwrap()
    );
    pg.close().await;
    pg2.close().await;
}

/// Rows that belong to `client`, per table, found through the schema's foreign keys alone: the client's row,
/// then every row whose foreign key points at a row already found, until nothing changes.
async fn rows_of_client(path: &Path, client: i64) -> std::collections::BTreeMap<String, BTreeSet<i64>> {
    let mut conn = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(path)).await.unwrap();
    let tables = sqlite_tables(path).await;
    let mut owned: std::collections::BTreeMap<String, BTreeSet<i64>> =
        tables.iter().map(|t| (t.clone(), BTreeSet::new())).collect();
    let found: Vec<i64> =
        sqlx::query_scalar("SELECT rowid FROM clients WHERE id = ?").bind(client).fetch_all(&mut conn).await.unwrap();
    owned.get_mut("clients").unwrap().extend(found);
    loop {
        let mut grew = false;
        for table in &tables {
            let keys = sqlx::query(
                "SELECT \"table\" AS parent, \"from\" AS col, \"to\" AS target FROM pragma_foreign_key_list(?)",
            )
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for key in keys {
                let (parent, col): (String, String) = (key.get("parent"), key.get("col"));
                let target: Option<String> = key.get("target");
                let target = target.unwrap_or_else(|| "rowid".into());
                let parents = owned[&parent].clone();
                if parents.is_empty() {
                    continue;
                }
                let list = parents.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                let sql = format!(
                    "SELECT t.rowid FROM \"{table}\" t WHERE t.\"{col}\" IN (SELECT \"{target}\" FROM \"{parent}\" WHERE rowid IN ({list}))"
                );
                let found: Vec<i64> = sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap();
                for id in found {
                    grew |= owned.get_mut(table).unwrap().insert(id);
                }
            }
        }
        if !grew {
            return owned;
        }
    }
}

async fn table_counts(path: &Path) -> std::collections::BTreeMap<String, i64> {
    let mut conn = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(path)).await.unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for t in sqlite_tables(path).await {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{t}\"")).fetch_one(&mut conn).await.unwrap();
        counts.insert(t, n);
    }
    counts
}

#[tokio::test]
async fn deleting_a_client_leaves_no_row_of_theirs_in_any_table_and_keeps_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let store = SqliteStore::open(&path, &crate::keys()).await.unwrap();
    let clients = populate(&store, "a").await;
    let (gone, kept) = (clients[1], clients[0]);
    let theirs = rows_of_client(&path, gone.0).await;
    for table in [
        "episodes",
        "therapy_sessions",
        "links",
        "administrations",
        "responses",
        "scores",
        "signal_acknowledgements",
        "client_background",
        "boundary_events",
        "supervision_meeting_items",
        "supervision_actions",
        "session_transcripts",
    ] {
        assert!(!theirs[table].is_empty(), "the scan finds the client's {table}");
    }
    let before = table_counts(&path).await;
    let other_before = snapshot_of(&store, kept).await;
    let audit = AuditEvent {
        at: NOW,
        actor: Some(store.users().await.unwrap()[0].id),
        actor_role: Some(Role::Therapist),
        action: "delete",
        object_kind: "client",
        object_id: Some(gone.0),
        purpose: "care",
        address: None,
    };
    store.delete_client(gone, audit.clone()).await.unwrap();

    let after = rows_of_client(&path, gone.0).await;
    assert!(after.values().all(BTreeSet::is_empty), "left behind: {after:?}");
    // Exactly the client's rows went, in every table; the audit log gained the deletion and lost nothing.
    let counts = table_counts(&path).await;
    for (table, n) in &before {
        let expected = if table == "audit_events" { n + 1 } else { n - i64::try_from(theirs[table].len()).unwrap() };
        assert_eq!(counts[table], expected, "{table}");
    }
    let log = store.audit_events(1000).await.unwrap();
    assert!(log.iter().any(|e| e.action == "delete" && e.object_id == Some(gone.0)));
    assert_eq!(snapshot_of(&store, kept).await, other_before, "the other clients are untouched");
    assert!(matches!(store.delete_client(gone, audit).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_client(ClientId(987_654), audit_stub()).await, Err(StoreError::NotFound)));
    assert_eq!(table_counts(&path).await["audit_events"], counts["audit_events"], "a refused deletion writes nothing");
}

fn audit_stub() -> AuditEvent {
    AuditEvent {
        at: NOW,
        actor: None,
        actor_role: None,
        action: "delete",
        object_kind: "client",
        object_id: None,
        purpose: "care",
        address: None,
    }
}

async fn snapshot_of(store: &dyn Store, client: ClientId) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}",
        store.client(client).await.unwrap(),
        store.episodes(client).await.unwrap(),
        store.sessions_of(&[client]).await.unwrap(),
        store.responses_of(client).await.unwrap(),
        store.acknowledgements(&[client]).await.unwrap()
    )
}

/// Raw access to a test database, to end episodes of care (the store ends one only by opening the next).
pub enum Raw {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Raw {
    async fn end_episodes(&self, client: ClientId, on: &str) {
        let sql = format!("UPDATE episodes SET ended_on = '{on}' WHERE client_id = {} AND ended_on IS NULL", client.0);
        match self {
            Raw::Sqlite(path) => {
                let mut c = sqlx::SqliteConnection::connect_with(&crate::raw_sqlite(path)).await.unwrap();
                sqlx::query(&sql).execute(&mut c).await.unwrap();
            }
            Raw::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(&sql).execute(&mut c).await.unwrap();
            }
        }
    }
}

async fn client_with(store: &dyn Store, t: UserId, name: &str, starts: &[time::Date]) -> ClientId {
    let c = store
        .create_client(NewClient { therapist: t, pseudonym: name.into(), contact: None }, crate::conformance::ev(), NOW)
        .await
        .unwrap();
    for start in starts {
        store
            .open_episode(
                NewEpisode { client: c, therapist: t, started_on: *start, measures: vec![] },
                crate::conformance::ev(),
                NOW,
            )
            .await
            .unwrap();
    }
    c
}

/// Retention with a controlled clock, and leases between two handles on one database: run on both engines.
pub async fn retention_and_leases(store: &dyn Store, other: &dyn Store, raw: Raw) {
    let t = store
        .create_user(
            NewUser {
                email: "ret@example.org".into(),
                display_name: "R".into(),
                role: Role::Therapist,
                password_hash: "h".into(),
                must_change_password: false,
            },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    let old = client_with(store, t, "Old", &[date!(2015 - 01 - 01), date!(2016 - 01 - 01)]).await;
    raw.end_episodes(old, "2019-03-01").await;
    let recent = client_with(store, t, "Recent", &[date!(2020 - 01 - 01)]).await;
    raw.end_episodes(recent, "2022-06-01").await;
    let open = client_with(store, t, "Open", &[date!(2010 - 01 - 01)]).await;
    let never = client_with(store, t, "Never", &[]).await;

    // Five years on 28 November 2026: care must have ended before 28 November 2021.
    assert_eq!(retention::retention_cutoff(NOW.date(), 5), date!(2021 - 11 - 28));
    assert_eq!(retention::retention_cutoff(date!(2024 - 02 - 29), 1), date!(2023 - 02 - 28));
    let deleted = retention::expire_clients(store, 5, NOW).await.unwrap();
    assert_eq!(deleted, vec![old]);
    assert!(store.client(old).await.unwrap().is_none());
    for kept in [recent, open, never] {
        assert!(store.client(kept).await.unwrap().is_some());
    }
    let entry = store.audit_events(10).await.unwrap().into_iter().find(|e| e.object_id == Some(old.0)).unwrap();
    assert_eq!((entry.action.as_str(), entry.purpose.as_str(), entry.actor), ("delete", "retention", None));
    // Half a year later the next one is due; run again the same day, nothing more goes.
    let later = datetime!(2027-06-02 03:00 UTC);
    assert_eq!(retention::expire_clients(store, 5, later).await.unwrap(), vec![recent]);
    assert!(retention::expire_clients(store, 5, later).await.unwrap().is_empty());
    assert!(store.client(open).await.unwrap().is_some());

    // Leases: of two servers racing for a due job, one wins; the winner's finish makes it not due for a while.
    let every = Duration::hours(24);
    let (a, b) = tokio::join!(
        store.take_job("backup", "server-a", NOW, Duration::hours(1), NOW - every),
        other.take_job("backup", "server-b", NOW, Duration::hours(1), NOW - every)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a ^ b, "exactly one server takes the job ({a}, {b})");
    let (winner, loser) = if a { ("server-a", "server-b") } else { ("server-b", "server-a") };
    assert!(
        !store.take_job("backup", loser, NOW + Duration::minutes(5), Duration::hours(1), NOW - every).await.unwrap()
    );
    assert!(!store.finish_job("backup", loser, NOW).await.unwrap(), "only the holder finishes");
    assert!(store.finish_job("backup", winner, NOW + Duration::minutes(10)).await.unwrap());
    let later = NOW + Duration::hours(1);
    assert!(!other.take_job("backup", loser, later, Duration::hours(1), later - every).await.unwrap(), "not due yet");
    let next_day = NOW + Duration::hours(25);
    assert!(
        other.take_job("backup", loser, next_day, Duration::hours(1), next_day - every).await.unwrap(),
        "due again"
    );
    // A holder that dies keeps the lease only until it expires.
    let stuck = next_day + Duration::minutes(30);
    assert!(!store.take_job("backup", winner, stuck, Duration::hours(1), next_day).await.unwrap());
    let expired = next_day + Duration::hours(2);
    assert!(
        store.take_job("backup", winner, expired, Duration::hours(1), next_day + Duration::hours(3)).await.unwrap()
    );
    // Jobs are independent.
    assert!(store.take_job("retention", "server-a", NOW, Duration::hours(1), NOW).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_retention_and_leases_across_two_handles() {
    let dir = tempfile::tempdir().unwrap();
    let a = SqliteStore::open(&dir.path().join("a.db"), &crate::keys()).await.unwrap();
    let b = SqliteStore::open(&dir.path().join("a.db"), &crate::keys()).await.unwrap();
    retention_and_leases(&a, &b, Raw::Sqlite(dir.path().join("a.db"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_retention_and_leases_across_two_handles() {
    let Some(db) = ScratchDatabase::create("pg_leases").await else { return };
    let a = PostgresStore::connect(&db.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    let b = PostgresStore::connect(&db.url, PostgresOptions::default(), &crate::keys()).await.unwrap();
    retention_and_leases(&a, &b, Raw::Postgres(db.url.clone())).await;
    a.close().await;
    b.close().await;
}
