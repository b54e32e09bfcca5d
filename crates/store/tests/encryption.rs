//! Encryption at rest, seen from outside the store: the SQLite file is SQLCipher, fields are sealed on both
//! engines, wrong keys are refused clearly, and key rotation re-seals everything.

use std::path::Path;

use alliance_core::domain::Role;
use alliance_core::scoring::{ResponseFlags, RiskFlag};
use alliance_store::cipher::{self, version_of};
use alliance_store::*;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Row};
use time::macros::{date, datetime};

use crate::{ScratchDatabase, keys};

const NOW: time::OffsetDateTime = datetime!(2026-11-28 10:00 UTC);
const MARKERS: [&str; 9] = [
    "Zebulon Quartermaine",
    "zebulon.q@example.org",
    "therapist.marker@example.org",
    "Dr Ottoline Marker",
    "PRIVATE-NOTE-7731",
    "RISK-ITEM-MARKER-9",
    "risk-signal-marker:4411",
    "risk-action-marker:5522",
    "RISK-ACTION-NOTE-MARKER",
];

/// The columns that hold every sealed field of the seed, one row.
const SEALED_COLUMNS: &str = "SELECT u.email, u.display_name, c.pseudonym, c.contact, r.answers, r.flags, a.signal_key,
     x.signal_key, x.note FROM users u, clients c, responses r, signal_acknowledgements a, risk_actions x";
/// How many sealed fields the seed writes: the columns above, and a second acknowledgement (the risk action's).
const SEALED: u64 = 10;

/// A therapist, a client with contact details, a reflection with a private note and a risk flag, and an
/// acknowledged signal, and an action on a risk signal with its note: every encrypted field.
async fn seed(store: &dyn Store) -> (UserId, ClientId) {
    let (therapist, client) = seed_records(store).await;
    store.acknowledge(client, MARKERS[6], therapist, crate::conformance::ev(), NOW).await.unwrap();
    record_risk_action(store, therapist, client).await;
    (therapist, client)
}

/// An action on a risk signal (which acknowledges it), with a note.
async fn record_risk_action(store: &dyn Store, therapist: UserId, client: ClientId) {
    let action = NewRiskAction { kind: RiskActionKind::NotNeeded, note: MARKERS[8].into(), acted_at: NOW };
    store.acknowledge_risk(client, MARKERS[7], therapist, &action, crate::conformance::ev(), NOW).await.unwrap();
}

/// The seed without its acknowledgement, which schemas before 0013 store otherwise.
async fn seed_records(store: &dyn Store) -> (UserId, ClientId) {
    let therapist = store
        .create_user(
            NewUser {
                email: MARKERS[2].into(),
                display_name: MARKERS[3].into(),
                role: Role::Therapist,
                password_hash: "h".into(),
                must_change_password: false,
            },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    let client = store
        .create_client(
            NewClient { therapist, pseudonym: MARKERS[0].into(), contact: Some(MARKERS[1].into()) },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    let episode = store
        .open_episode(
            NewEpisode { client, therapist, started_on: date!(2026 - 11 - 01), measures: vec![] },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    let session = store
        .record_session(
            NewSession { episode, held_on: date!(2026 - 11 - 28), attended: true },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    let answers = format!("{{\"note\": \"{}\"}}", MARKERS[4]);
    let response = NewResponse {
        administration: None,
        answers: crate::answers(&answers),
        flags: ResponseFlags { risks: vec![RiskFlag { item: MARKERS[5].into(), value: 2.0 }], indicators: vec![] },
        scores: vec![],
    };
    let instrument = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
    store.save_therapist_response(session.id, instrument, response, crate::conformance::ev(), NOW).await.unwrap();
    (therapist, client)
}

/// Everything the seed put in, read back through the store.
async fn read_back(store: &dyn Store, therapist: UserId, client: ClientId) {
    let user = store.user_by_email("Therapist.Marker@example.org ").await.unwrap().unwrap();
    assert_eq!((user.id, user.email.as_str(), user.display_name.as_str()), (therapist, MARKERS[2], MARKERS[3]));
    let c = store.client(client).await.unwrap().unwrap();
    assert_eq!((c.pseudonym.as_str(), c.contact.as_deref()), (MARKERS[0], Some(MARKERS[1])));
    let responses = store.responses_of(client).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert!(serde_json::to_string(&responses[0].answers).unwrap().contains(MARKERS[4]));
    assert_eq!(responses[0].flags.risks, vec![RiskFlag { item: MARKERS[5].into(), value: 2.0 }]);
    let acks = store.acknowledgements(&[client]).await.unwrap();
    let mut keys: Vec<_> = acks.iter().map(|a| (a.key.as_str(), a.user)).collect();
    keys.sort();
    assert_eq!(keys, [(MARKERS[7], therapist), (MARKERS[6], therapist)]);
    let actions = store.risk_actions(&[client]).await.unwrap();
    assert_eq!(
        actions.iter().map(|a| (a.key.as_str(), a.note.as_str())).collect::<Vec<_>>(),
        [(MARKERS[7], MARKERS[8])]
    );
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Every file of the folder, concatenated.
fn folder_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

#[tokio::test]
async fn the_sqlite_file_is_encrypted_and_its_fields_are_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let keys = keys();
    let store = SqliteStore::open(&path, &keys).await.unwrap();
    let (therapist, client) = seed(&store).await;
    read_back(&store, therapist, client).await;
    // While the store is open, recent pages sit in the WAL: it is encrypted too.
    let bytes = folder_bytes(dir.path());
    assert!(bytes.len() > 4096);
    for marker in MARKERS.iter().chain(&["SQLite format 3", "CREATE TABLE"]) {
        assert!(!contains(&bytes, marker), "{marker} readable in the files");
    }
    store.close().await;
    assert!(!std::fs::read(&path).unwrap().starts_with(b"SQLite format 3"));

    // Without the key, SQLite sees no database.
    let plain = SqliteConnectOptions::new().filename(&path);
    let mut conn = sqlx::SqliteConnection::connect_with(&plain).await.unwrap();
    assert!(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&mut conn).await.is_err());
    conn.close().await.unwrap();

    // With the page key, the columns hold sealed values only.
    let keyed = SqliteStore::connect_options(&path, &keys);
    let mut conn = sqlx::SqliteConnection::connect_with(&keyed).await.unwrap();
    let row = sqlx::query(SEALED_COLUMNS).fetch_one(&mut conn).await.unwrap();
    for i in 0..row.len() {
        let value: String = row.get(i);
        assert_eq!(version_of(&value), Some(1), "{value}");
        assert!(MARKERS.iter().all(|m| !value.contains(m)));
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn flags_and_signal_keys_left_in_clear_by_an_older_release_are_sealed_at_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let keys = keys();
    let versions = SqliteStore::schema_versions();
    let before = versions[versions.iter().position(|v| *v == 13).unwrap() - 1];
    let store = SqliteStore::create_at_version(&path, &keys, before).await.unwrap();
    let (therapist, client) = seed_records(&store).await;
    store.close().await;
    // What the older release wrote: flags as JSON, the acknowledgement's key as it is.
    let mut conn = sqlx::SqliteConnection::connect_with(&SqliteStore::connect_options(&path, &keys)).await.unwrap();
    let clear = format!(r#"{{"risks":[{{"item":"{}","value":2.0}}],"indicators":[]}}"#, MARKERS[5]);
    sqlx::query("UPDATE responses SET flags = ?").bind(&clear).execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO signal_acknowledgements (client_id, signal_key, user_id, at) VALUES (?, ?, ?, ?)")
        .bind(client.0)
        .bind(MARKERS[6])
        .bind(therapist.0)
        .bind(NOW.unix_timestamp())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let store = SqliteStore::open(&path, &keys).await.unwrap();
    record_risk_action(&store, therapist, client).await;
    read_back(&store, therapist, client).await;
    // The upgraded row keeps its index: acknowledging the same signal again changes nothing.
    let later = NOW + time::Duration::hours(1);
    store.acknowledge(client, MARKERS[6], therapist, crate::conformance::ev(), later).await.unwrap();
    assert_eq!(store.acknowledgements(&[client]).await.unwrap().iter().map(|a| a.at).collect::<Vec<_>>(), [NOW, NOW]);
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect_with(&SqliteStore::connect_options(&path, &keys)).await.unwrap();
    let row = sqlx::query(SEALED_COLUMNS).fetch_one(&mut conn).await.unwrap();
    for i in 0..row.len() {
        let value: String = row.get(i);
        assert_eq!(version_of(&value), Some(1), "{value}");
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn wrong_or_missing_keys_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let keys = keys();
    let store = SqliteStore::open(&path, &keys).await.unwrap();
    seed(&store).await;
    store.close().await;

    let Err(StoreError::Key(why)) = SqliteStore::open(&path, &Keyring::generate()).await else {
        panic!("opened with another practice's keys")
    };
    assert_eq!(why, WRONG_KEY);
    // The right page key with the wrong field keys: refused at start too, not at the first page shown.
    let text = keys.to_file_text();
    let db_line = text.lines().find(|l| l.starts_with("db ")).unwrap();
    let other = Keyring::generate().to_file_text();
    let mixed = other.lines().map(|l| if l.starts_with("db ") { db_line } else { l }).collect::<Vec<_>>().join("\n");
    let Err(StoreError::Key(why)) = SqliteStore::open(&path, &Keyring::parse(&mixed).unwrap()).await else {
        panic!("opened with the wrong field keys")
    };
    assert_eq!(why, WRONG_KEY);
    // A key version that is missing is named.
    let v1_retired = keys.with_new_version().without_version(1).unwrap();
    let Err(StoreError::Key(why)) = SqliteStore::open(&path, &v1_retired).await else { panic!("opened without v1") };
    assert_eq!(why, "key version v1 is not in the key file");
    // A file that is not a database at all.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x5a; 8192]).unwrap();
    assert!(matches!(SqliteStore::open(&junk, &keys).await, Err(StoreError::Key(w)) if w == WRONG_KEY));
    // Refusals lost nothing.
    let store = SqliteStore::open(&path, &keys).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 1);
    let therapist = store.users().await.unwrap()[0].id;
    let client = store.clients_of(&[therapist]).await.unwrap()[0].id;
    read_back(&store, therapist, client).await;
    store.close().await;
}

#[tokio::test]
async fn sqlite_key_rotation_reseals_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let v1 = keys();
    let store = SqliteStore::open(&path, &v1).await.unwrap();
    let (therapist, client) = seed(&store).await;
    store.close().await;

    let v2 = v1.with_new_version();
    let store = SqliteStore::open(&path, &v2).await.unwrap();
    assert_eq!(store.fields_sealed_with(1).await.unwrap(), SEALED);
    assert_eq!(store.reencrypt_fields().await.unwrap(), SEALED);
    assert_eq!(store.fields_sealed_with(1).await.unwrap(), 0);
    assert_eq!(store.fields_sealed_with(2).await.unwrap(), SEALED);
    assert_eq!(store.reencrypt_fields().await.unwrap(), 0, "nothing left to do");
    read_back(&store, therapist, client).await;
    store.close().await;

    let retired = v2.without_version(1).unwrap();
    let store = SqliteStore::open(&path, &retired).await.unwrap();
    read_back(&store, therapist, client).await;
    store.close().await;
    // The keys before rotation no longer open the fields.
    let Err(StoreError::Key(why)) = SqliteStore::open(&path, &v1).await else { panic!("old keys still open it") };
    assert_eq!(why, "key version v2 is not in the key file");
}

#[tokio::test]
async fn postgres_fields_are_sealed_and_rotate() {
    let Some(db) = ScratchDatabase::create("postgres_fields_are_sealed_and_rotate").await else { return };
    let v1 = keys();
    let store = PostgresStore::connect(&db.url, PostgresOptions::default(), &v1).await.unwrap();
    let (therapist, client) = seed(&store).await;
    read_back(&store, therapist, client).await;
    store.close().await;

    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let row = sqlx::query(SEALED_COLUMNS).fetch_one(&mut conn).await.unwrap();
    for i in 0..row.len() {
        let value: String = row.get(i);
        assert_eq!(version_of(&value), Some(1), "{value}");
        assert!(MARKERS.iter().all(|m| !value.contains(m)));
    }
    conn.close().await.unwrap();

    let Err(StoreError::Key(why)) =
        PostgresStore::connect(&db.url, PostgresOptions::default(), &Keyring::generate()).await
    else {
        panic!("connected with another practice's keys")
    };
    assert_eq!(why, WRONG_KEY);

    let v2 = v1.with_new_version();
    let store = PostgresStore::connect(&db.url, PostgresOptions::default(), &v2).await.unwrap();
    assert_eq!(store.reencrypt_fields().await.unwrap(), SEALED);
    assert_eq!(store.fields_sealed_with(1).await.unwrap(), 0);
    assert_eq!(store.fields_sealed_with(2).await.unwrap(), SEALED);
    store.close().await;
    let store =
        PostgresStore::connect(&db.url, PostgresOptions::default(), &v2.without_version(1).unwrap()).await.unwrap();
    read_back(&store, therapist, client).await;
    store.close().await;
}

/// Cost of sealed fields on reads (run by hand, in the debug build: `cargo test -p alliance-store --test
/// integration measure_ -- --ignored --nocapture`). Prints the time of reading 10,000 clients through the store
/// and the share of it spent opening their two sealed fields.
#[tokio::test]
#[ignore]
async fn measure_field_encryption_cost_of_10000_client_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let keys = keys();
    let store = SqliteStore::open_for_bulk_load(&path, &keys).await.unwrap();
    let therapist = store
        .create_user(
            NewUser {
                email: "m@example.org".into(),
                display_name: "M".into(),
                role: Role::Therapist,
                password_hash: "h".into(),
                must_change_password: false,
            },
            crate::conformance::ev(),
            NOW,
        )
        .await
        .unwrap();
    for i in 0..10_000 {
        let client =
            NewClient { therapist, pseudonym: format!("Client {i:05}"), contact: Some(format!("c{i}@example.org")) };
        store.create_client(client, crate::conformance::ev(), NOW).await.unwrap();
    }
    store.close().await;
    let store = SqliteStore::open(&path, &keys).await.unwrap();
    store.clients_of(&[therapist]).await.unwrap();
    let started = std::time::Instant::now();
    let clients = store.clients_of(&[therapist]).await.unwrap();
    let through_store = started.elapsed();
    assert_eq!(clients.len(), 10_000);
    let sealed: Vec<(i64, String, String)> = clients
        .iter()
        .map(|c| {
            (
                c.id.0,
                keys.seal(cipher::CLIENT_PSEUDONYM, c.id.0, &c.pseudonym),
                keys.seal(cipher::CLIENT_CONTACT, c.id.0, c.contact.as_deref().unwrap()),
            )
        })
        .collect();
    let started = std::time::Instant::now();
    for (id, pseudonym, contact) in &sealed {
        keys.open(cipher::CLIENT_PSEUDONYM, *id, pseudonym).unwrap();
        keys.open(cipher::CLIENT_CONTACT, *id, contact).unwrap();
    }
    let opening = started.elapsed();
    eprintln!(
        "10,000 clients read through the store: {through_store:?}; opening their 20,000 sealed fields alone: {opening:?} \
         ({:.0} %)",
        100.0 * opening.as_secs_f64() / through_store.as_secs_f64()
    );
    store.close().await;
}

#[tokio::test]
async fn a_rekeyed_copy_opens_with_the_new_page_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let old = keys();
    let store = SqliteStore::open(&path, &old).await.unwrap();
    let (therapist, client) = seed(&store).await;
    store.close().await;

    let new = old.with_new_database_secret();
    assert_ne!(new.sqlcipher_key_hex().as_str(), old.sqlcipher_key_hex().as_str());
    let target = dir.path().join("rekeyed.db");
    SqliteStore::export_rekeyed(&path, &old, &target, &new).await.unwrap();
    assert!(matches!(SqliteStore::export_rekeyed(&path, &old, &target, &new).await, Err(StoreError::Conflict(_))));
    // The copy: everything there, sign-in lookups included, and its bytes show nothing.
    let copy = SqliteStore::open(&target, &new).await.unwrap();
    read_back(&copy, therapist, client).await;
    // The acknowledgement's blind index follows the new secret: acknowledging again still changes nothing.
    let later = NOW + time::Duration::hours(1);
    copy.acknowledge(client, MARKERS[6], therapist, crate::conformance::ev(), later).await.unwrap();
    assert_eq!(copy.acknowledgements(&[client]).await.unwrap().iter().map(|a| a.at).collect::<Vec<_>>(), [NOW, NOW]);
    copy.close().await;
    let bytes = std::fs::read(&target).unwrap();
    assert!(MARKERS.iter().all(|m| !contains(&bytes, m)) && !bytes.starts_with(b"SQLite format 3"));
    assert!(matches!(SqliteStore::open(&target, &old).await, Err(StoreError::Key(w)) if w == WRONG_KEY));
    // The original is untouched and still needs the old key.
    let original = SqliteStore::open(&path, &old).await.unwrap();
    read_back(&original, therapist, client).await;
    original.close().await;
    // A wrong key for the source: refused, nothing written.
    let elsewhere = dir.path().join("elsewhere.db");
    let refused = SqliteStore::export_rekeyed(&path, &Keyring::generate(), &elsewhere, &new).await;
    assert!(matches!(refused, Err(StoreError::Key(w)) if w == WRONG_KEY));
    assert!(!elsewhere.exists());
}
