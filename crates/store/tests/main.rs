//! The store's one integration-test binary: the conformance suite, run against every implementation.
//!
//! PostgreSQL is tested when `ALLIANCE_TEST_DATABASE_URL` names a server (for example
//! `postgres://postgres@127.0.0.1:5432/postgres`; `.ci/postgres.sh` starts a throw-away one): each test creates a
//! fresh, uniquely named database through that URL and drops it afterwards. Without the variable those tests say
//! that they were skipped and pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod admin_tasks;
mod api_tokens;
mod audit_conformance;
mod audit_tests;
mod background;
mod boundaries;
mod cipher;
mod conformance;
mod copy;
mod encryption;
mod link_delivery;
mod migrations;
mod outages;
mod partnership;
mod practice_input;
mod risk;
mod support;
mod transcripts;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use alliance_core::domain::Role;
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use alliance_store::*;
use conformance::ev;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn sqlite_file_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("alliance.db"), &keys()).await.unwrap();
    conformance::run_all(&store).await;
}

#[tokio::test]
async fn sqlite_memory_store_conforms() {
    conformance::run_all(&SqliteStore::in_memory().await.unwrap()).await;
}

/// One test per behaviour of the conformance suite, on each engine, each on a store of its own: a failure names
/// the behaviour and the engine. (`*_store_conforms` above runs them all on one store, in order, and checks that
/// every write of the run ended in one intact audit chain.)
macro_rules! each_behaviour_on_both_engines {
    ($($behaviour:path => $name:ident),* $(,)?) => {
        mod sqlite_conforms {
            $(
                #[tokio::test]
                async fn $name() {
                    let store = alliance_store::SqliteStore::in_memory().await.unwrap();
                    $behaviour(&store).await;
                }
            )*
        }
        mod postgres_conforms {
            use alliance_store::{PostgresOptions, PostgresStore};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = crate::ScratchDatabase::create(stringify!($name)).await else { return };
                    let options = PostgresOptions { max_connections: 8, ..Default::default() };
                    let store = PostgresStore::connect(&db.url, options, &crate::keys()).await.unwrap();
                    $behaviour(&store).await;
                    store.close().await;
                }
            )*
        }
    };
}

each_behaviour_on_both_engines! {
    crate::transcripts::a_transcript_is_attached_sealed_replaced_listed_and_deleted
        => a_transcript_is_attached_sealed_replaced_listed_and_deleted,
    crate::background::a_client_writes_replaces_and_removes_their_background
        => a_client_writes_replaces_and_removes_their_background,
    crate::api_tokens::tokens_are_hashed_expire_are_revoked_and_record_their_use
        => tokens_are_hashed_expire_are_revoked_and_record_their_use,
    crate::support::an_imported_response_is_stored_once => an_imported_response_is_stored_once,
    crate::boundaries::boundary_events_keep_their_details_and_sealed_note_and_only_shared_ones_reach_supervision
        => boundary_events_keep_their_details_and_sealed_note_and_only_shared_ones_reach_supervision,
    crate::boundaries::a_meeting_keeps_what_was_discussed_and_agreed_and_its_actions_come_back_until_done
        => a_meeting_keeps_what_was_discussed_and_agreed_and_its_actions_come_back_until_done,
    crate::support::a_barrier_request_stands_until_a_barrier_check_is_answered
        => a_barrier_request_stands_until_a_barrier_check_is_answered,
    crate::support::repair_attempts_keep_their_sealed_note_and_go_with_the_client
        => repair_attempts_keep_their_sealed_note_and_go_with_the_client,
    crate::partnership::goals_keep_their_history_and_at_most_three_are_open
        => goals_keep_their_history_and_at_most_three_are_open,
    crate::partnership::a_check_carries_goal_ratings_and_task_reports_all_or_nothing
        => a_check_carries_goal_ratings_and_task_reports_all_or_nothing,
    crate::partnership::the_client_page_link_is_reissued_and_revoked => the_client_page_link_is_reissued_and_revoked,
    crate::partnership::event_notes_and_the_partnership_go_with_the_client
        => event_notes_and_the_partnership_go_with_the_client,
    crate::partnership::consent_is_kept_with_its_version_and_a_stop_can_be_undone
        => consent_is_kept_with_its_version_and_a_stop_can_be_undone,
    crate::partnership::a_kiosk_code_opens_its_link_once_and_before_it_expires
        => a_kiosk_code_opens_its_link_once_and_before_it_expires,
    crate::admin_tasks::a_therapist_has_the_supervisor_last_chosen => a_therapist_has_the_supervisor_last_chosen,
    crate::admin_tasks::sign_ins_are_listed_and_ended_by_their_owner_only
        => sign_ins_are_listed_and_ended_by_their_owner_only,
    crate::admin_tasks::a_reset_link_works_once_and_a_new_one_revokes_it
        => a_reset_link_works_once_and_a_new_one_revokes_it,
    crate::admin_tasks::a_reset_link_ends_sign_ins_and_clears_the_second_factor_only_when_chosen
        => a_reset_link_ends_sign_ins_and_clears_the_second_factor_only_when_chosen,
    crate::admin_tasks::clients_move_with_one_audit_entry_each => clients_move_with_one_audit_entry_each,
    crate::accounts::logins_end_after_idle_time => logins_end_after_idle_time,
    crate::accounts::logins_of_a_user_end_together => logins_of_a_user_end_together,
    crate::accounts::password_hashes_are_replaced_only_if_unchanged => password_hashes_are_replaced_only_if_unchanged,
    crate::accounts::the_last_administrator_stays => the_last_administrator_stays,
    crate::accounts::a_totp_step_is_accepted_once => a_totp_step_is_accepted_once,
    crate::accounts::pending_logins_expire => pending_logins_expire,
    crate::accounts::throttle_counters_compare_and_swap => throttle_counters_compare_and_swap,
    crate::accounts::recovery_codes_work_once_and_go_with_the_factor
        => recovery_codes_work_once_and_go_with_the_factor,
    crate::accounts::a_reset_of_access_forces_new_credentials_and_ends_everything
        => a_reset_of_access_forces_new_credentials_and_ends_everything,
    crate::conformance::users_and_supervision => users_and_supervision,
    crate::conformance::logins_expire_and_can_be_deleted => logins_expire_and_can_be_deleted,
    crate::conformance::sessions_are_numbered_per_episode => sessions_are_numbered_per_episode,
    crate::conformance::an_episode_ends_once_and_not_before_it_began => an_episode_ends_once_and_not_before_it_began,
    crate::conformance::a_link_is_single_use_and_all_or_nothing => a_link_is_single_use_and_all_or_nothing,
    crate::conformance::expired_links_refuse_submissions => expired_links_refuse_submissions,
    crate::conformance::therapist_responses_replace_earlier_ones => therapist_responses_replace_earlier_ones,
    crate::conformance::settings_are_created_once => settings_are_created_once,
    crate::conformance::racing_submissions_are_accepted_once => racing_submissions_are_accepted_once,
    crate::conformance::a_failing_submission_does_not_take_others_with_it
        => a_failing_submission_does_not_take_others_with_it,
    crate::conformance::revisions_move_with_what_an_overview_is_computed_from
        => revisions_move_with_what_an_overview_is_computed_from,
    crate::conformance::audit_events_are_kept_in_order => audit_events_are_kept_in_order,
    crate::conformance::reflection_comments_form_a_thread => reflection_comments_form_a_thread,
    crate::conformance::a_session_keeps_what_to_bring_to_supervision => a_session_keeps_what_to_bring_to_supervision,
    crate::conformance::a_listing_names_reflections_without_their_answers
        => a_listing_names_reflections_without_their_answers,
    crate::conformance::dates_of_care_stay_in_order => dates_of_care_stay_in_order,
    crate::conformance::signals_are_seen_per_reader => signals_are_seen_per_reader,
    crate::conformance::mail_waits_in_the_outbox_until_sent_or_given_up
        => mail_waits_in_the_outbox_until_sent_or_given_up,
    crate::link_delivery::a_link_is_sent_once_reminded_once_and_never_after_it_closed
        => a_link_is_sent_once_reminded_once_and_never_after_it_closed,
    crate::audit_conformance::a_write_whose_audit_entry_is_refused_leaves_nothing
        => a_write_whose_audit_entry_is_refused_leaves_nothing,
    crate::audit_conformance::the_log_filters_newest_first_in_keyset_pages
        => the_log_filters_newest_first_in_keyset_pages,
    crate::audit_conformance::break_glass_grants_last_an_hour_and_are_acknowledged
        => break_glass_grants_last_an_hour_and_are_acknowledged,
    crate::audit_conformance::every_hash_matches_an_independent_computation
        => every_hash_matches_an_independent_computation,
    crate::conformance::encrypted_fields_sort_and_match_as_plain_text => encrypted_fields_sort_and_match_as_plain_text,
    crate::practice_input::practice_input_matches_score_points => practice_input_matches_score_points,
}

#[tokio::test]
async fn a_reopened_file_keeps_its_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let keys = keys();
    let store = SqliteStore::open(&path, &keys).await.unwrap();
    let therapist = conformance::therapist(&store, "keep@example.org").await;
    store.close().await;
    let reopened = SqliteStore::open(&path, &keys).await.unwrap();
    assert_eq!(reopened.user(therapist).await.unwrap().unwrap().email, "keep@example.org");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_is_race_free() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("alliance.db"), &keys()).await.unwrap());
    races(store.clone()).await;
    accounts::races(store.clone()).await;
    odd_text(store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_conforms() {
    let Some(db) = ScratchDatabase::create("postgres_store_conforms").await else { return };
    let store = PostgresStore::connect(&db.url, PostgresOptions { max_connections: 8, ..Default::default() }, &keys())
        .await
        .unwrap();
    conformance::run_all(&store).await;
    store.close().await;
}

#[tokio::test]
async fn a_reconnected_postgres_store_keeps_its_data_and_schema() {
    let Some(db) = ScratchDatabase::create("a_reconnected_postgres_store_keeps_its_data_and_schema").await else {
        return;
    };
    let keys = keys();
    let store = PostgresStore::connect(&db.url, PostgresOptions::default(), &keys).await.unwrap();
    let therapist = conformance::therapist(&store, "keep@example.org").await;
    store.close().await;
    let reconnected = PostgresStore::connect(&db.url, PostgresOptions::default(), &keys).await.unwrap();
    assert_eq!(reconnected.user(therapist).await.unwrap().unwrap().email, "keep@example.org");
    reconnected.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_is_race_free() {
    let Some(db) = ScratchDatabase::create("postgres_store_is_race_free").await else { return };
    let options = PostgresOptions { max_connections: 12, ..Default::default() };
    let store = Arc::new(PostgresStore::connect(&db.url, options, &keys()).await.unwrap());
    races(store.clone()).await;
    accounts::races(store.clone()).await;
    odd_text(store.as_ref()).await;
    store.close().await;
}

#[tokio::test]
async fn an_unreachable_or_silent_postgres_server_fails_within_the_connect_timeout() {
    let options = PostgresOptions {
        max_connections: 1,
        connect_timeout: std::time::Duration::from_secs(1),
        ..Default::default()
    };
    // Nothing listens on port 1 of the loopback: refused at once, reported as an outage (worth waiting for at
    // start), and the error says why.
    let refused = PostgresStore::connect("postgres://nobody@127.0.0.1:1/none", options.clone(), &keys()).await;
    let Err(StoreError::Unavailable(e)) = refused else { panic!("connected to nothing") };
    assert!(format!("{e}").contains("refused"), "the cause is named: {e}");
    // A listener that never answers: the timeout, not a hang.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("postgres://nobody@{}/none", silent.local_addr().unwrap());
    let started = std::time::Instant::now();
    let hung = PostgresStore::connect(&url, options, &keys()).await;
    assert!(matches!(hung, Err(StoreError::Unavailable(_))));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// The test databases' keys: the same every time, so that two handles on one database agree. Tests that need
/// other keys make them with `Keyring::generate()`.
fn keys() -> Keyring {
    const TEST_KEYS: &str =
        "db dGVzdCBkYXRhYmFzZSBzZWNyZXQgMDEyMzQ1Njc4OWE=\nv1 dGVzdCBmaWVsZCBrZXkgdjEgMDEyMzQ1Njc4OWFiY2Q=\n";
    Keyring::parse(TEST_KEYS).unwrap()
}

/// Connection options for reading or changing a test's SQLite file directly, as someone with the database key
/// would (the file is encrypted with SQLCipher).
pub fn raw_sqlite(path: &std::path::Path) -> sqlx::sqlite::SqliteConnectOptions {
    SqliteStore::connect_options(path, &keys()).create_if_missing(true)
}

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);
const RACERS: u32 = 12;

/// What every store promises under concurrent writers, beyond the suite's racing link submissions: numbers,
/// links, therapist questionnaires and settings stay consistent when many requests arrive at once. Each race
/// runs its writers as separate tasks on a multi-threaded runtime.
async fn races(store: Arc<dyn Store>) {
    let therapist = conformance::therapist(store.as_ref(), "racer@example.org").await;
    let client = store
        .create_client(NewClient { therapist, pseudonym: "Quick Fox".into(), contact: None }, ev(), NOW)
        .await
        .unwrap();
    let episode = store
        .open_episode(
            NewEpisode { client, therapist, started_on: date!(2026 - 11 - 01), measures: vec!["phq9".into()] },
            ev(),
            NOW,
        )
        .await
        .unwrap();

    // Sessions recorded at once get the numbers 1..=n, each once.
    let recorded = all(RACERS, |_| {
        let store = store.clone();
        async move {
            store
                .record_session(NewSession { episode, held_on: date!(2026 - 11 - 28), attended: true }, ev(), NOW)
                .await
        }
    })
    .await;
    let mut numbers: Vec<u32> = recorded.into_iter().map(|r| r.unwrap().number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=RACERS).collect::<Vec<_>>(), "session numbers are unique and without gaps");
    let session = store.sessions(episode).await.unwrap()[0].id;

    // Of links created for one session at once, exactly one is left open.
    all(RACERS, |i| {
        let store = store.clone();
        async move {
            let link = NewLink {
                session,
                token_hash: vec![u8::try_from(i).unwrap(); 32],
                expires_at: NOW + Duration::hours(1),
                instruments: vec![InstrumentRef { id: "relationship-check".into(), version: 1 }],
            };
            store.create_link(link, ev(), NOW).await.unwrap()
        }
    })
    .await;
    let links = store.links_for_session(session).await.unwrap();
    assert_eq!(links.len(), RACERS as usize);
    let open = links.iter().filter(|l| l.used_at.is_none() && l.expires_at > NOW).count();
    assert_eq!(open, 1, "a new link retires the session's earlier ones, even when they are created together");

    // A client's submission and a new link for the same session at once: either the submission wins and the
    // answered session refuses the new link, or the new link wins and the old one no longer takes answers.
    let check = || vec![InstrumentRef { id: "relationship-check".into(), version: 1 }];
    for round in 0..RACERS {
        let session = store
            .record_session(NewSession { episode, held_on: date!(2026 - 11 - 29), attended: true }, ev(), NOW)
            .await
            .unwrap()
            .id;
        let (old, new) = (vec![u8::try_from(100 + round).unwrap(); 32], vec![u8::try_from(150 + round).unwrap(); 32]);
        let expires_at = NOW + Duration::hours(1);
        store
            .create_link(NewLink { session, token_hash: old.clone(), expires_at, instruments: check() }, ev(), NOW)
            .await
            .unwrap();
        let view = store.link_by_token(&old, NOW).await.unwrap().unwrap();
        let answers: Vec<_> = view
            .administrations
            .iter()
            .map(|a| NewResponse { administration: Some(a.id), ..reflection(3.0) })
            .collect();
        let submitting = tokio::spawn({
            let store = store.clone();
            let audit = AuditEvent {
                at: NOW,
                actor: None,
                actor_role: None,
                action: "client-submitted",
                object_kind: "session",
                object_id: None,
                purpose: "care",
                address: None,
            };
            async move { store.submit_link(&old, answers, audit, NOW).await.unwrap() }
        });
        let creating = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .create_link(NewLink { session, token_hash: new, expires_at, instruments: check() }, ev(), NOW)
                    .await
            }
        });
        match (submitting.await.unwrap(), creating.await.unwrap()) {
            (Ok(_), Err(StoreError::Conflict(_))) | (Err(LinkState::Expired), Ok(_)) => {}
            other => panic!("the session was answered and linked again, or neither: {other:?}"),
        }
    }

    // Of a therapist's questionnaires for one session saved at once, exactly one stays.
    all(RACERS, |i| {
        let store = store.clone();
        async move {
            let instrument = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
            store.save_therapist_response(session, instrument, reflection(f64::from(i)), ev(), NOW).await.unwrap()
        }
    })
    .await;
    let stored = store.responses_of(client).await.unwrap();
    assert_eq!(stored.iter().filter(|r| r.rater == Rater::Therapist).count(), 1, "the last save replaces the others");

    // A setting created by many at once has one value, and everyone reads it.
    let values = all(RACERS, |i| {
        let store = store.clone();
        async move { store.setting_or_insert("raced", &[u8::try_from(i).unwrap()]).await.unwrap() }
    })
    .await;
    assert_eq!(values.into_iter().collect::<HashSet<_>>().len(), 1);

    // A session cannot be recorded for, or a link created in, what does not exist.
    let missing = store.create_link(
        NewLink {
            session: SessionId(987_654),
            token_hash: vec![200; 32],
            expires_at: NOW + Duration::hours(1),
            instruments: vec![],
        },
        ev(),
        NOW,
    );
    assert!(matches!(missing.await, Err(StoreError::NotFound)));
    let missing = store.save_therapist_response(
        SessionId(987_654),
        InstrumentRef { id: "therapist-reflection".into(), version: 1 },
        reflection(1.0),
        ev(),
        NOW,
    );
    assert!(matches!(missing.await, Err(StoreError::NotFound)));
    let dangling = store.acknowledge(ClientId(987_654), "rupture:1", therapist, ev(), NOW).await;
    assert!(matches!(dangling, Err(StoreError::NotFound)), "a foreign-key violation reads as not found");
    let duplicate = store.create_login(NewLogin {
        token_hash: vec![5; 32],
        user: therapist,
        csrf_token: "c".into(),
        created_at: NOW,
        expires_at: NOW + Duration::hours(1),
        idle_timeout: Duration::hours(24),
    });
    duplicate.await.unwrap();
    let again = store
        .create_login(NewLogin {
            token_hash: vec![5; 32],
            user: therapist,
            csrf_token: "d".into(),
            created_at: NOW,
            expires_at: NOW + Duration::hours(1),
            idle_timeout: Duration::hours(24),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "a unique violation reads as a conflict");
    let users = store.users().await.unwrap();
    assert_eq!(users.iter().filter(|u| u.role == Role::Therapist).count(), 1);
}

/// Text a store cannot match is simply not found: a sign-in with `%00` in the address is an unknown address.
async fn odd_text(store: &dyn Store) {
    assert!(store.user_by_email("racer@example.org\0").await.unwrap().is_none());
    assert!(store.user_by_email("").await.unwrap().is_none());
    let long = "x".repeat(10_000);
    assert!(store.user_by_email(&long).await.unwrap().is_none());
}

pub fn reflection(value: f64) -> NewResponse {
    NewResponse {
        administration: None,
        answers: crate::answers(&format!("{{\"bond-1\": {value}}}")),
        flags: ResponseFlags::default(),
        scores: vec![ScaleScore {
            scale: "bond".into(),
            value: Some(value),
            answered: 1,
            missing: 0,
            prorated: false,
            band: None,
            concern: None,
        }],
    }
}

/// Runs `n` tasks made by `task` at once and returns their results in order.
async fn all<F, T>(n: u32, task: impl Fn(u32) -> F) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    // Start them all before awaiting any, so they really overlap.
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(task(i))).collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

/// A fresh database on the PostgreSQL server named by `ALLIANCE_TEST_DATABASE_URL`, dropped when this goes out of
/// scope, also when the test fails.
pub struct ScratchDatabase {
    server: String,
    name: String,
    pub url: String,
}

impl ScratchDatabase {
    /// `None`, after saying so, when no server is configured.
    pub async fn create(test: &str) -> Option<Self> {
        let Ok(server) = std::env::var("ALLIANCE_TEST_DATABASE_URL") else {
            eprintln!("{test}: skipped, ALLIANCE_TEST_DATABASE_URL is not set (no PostgreSQL server to test against)");
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let secs = OffsetDateTime::now_utc().unix_timestamp();
        let name =
            format!("alliance_test_store_{}_{}_{}", std::process::id(), secs, NEXT.fetch_add(1, Ordering::Relaxed));
        let url = PostgresStore::create_database(&server, &name).await.unwrap();
        Some(Self { server, name, url })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be single-threaded: use a runtime of our own.
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(PostgresStore::drop_database(&server, &name))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// Answers as a client or therapist would give them, from their JSON form.
pub fn answers(json: &str) -> alliance_core::scoring::Answers {
    serde_json::from_str(json).unwrap()
}

/// Servers share a PostgreSQL practice; a command that needs it alone is refused while any serves, and a server
/// is refused while such a command runs (docs/ARCHITECTURE.md#one-holder).
#[tokio::test]
async fn postgres_practice_is_held_by_servers_or_by_one_command() {
    use alliance_store::practice_lock::{Holding, LockError, hold};
    let Some(db) = ScratchDatabase::create("postgres_practice_is_held_by_servers_or_by_one_command").await else {
        return;
    };
    let spec = DatabaseSpec::parse(&db.url).unwrap();
    let first = hold(&spec, Holding::Serving).await.unwrap();
    let second = hold(&spec, Holding::Serving).await.unwrap();
    assert!(matches!(hold(&spec, Holding::Alone).await, Err(LockError::PostgresServed)));
    drop(first);
    assert!(matches!(hold(&spec, Holding::Alone).await, Err(LockError::PostgresServed)), "one still serves");
    drop(second);
    // A dropped connection ends its session, and the lock with it, once the server notices.
    let mut alone = None;
    for _ in 0..50 {
        if let Ok(lock) = hold(&spec, Holding::Alone).await {
            alone = Some(lock);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let alone = alone.expect("held alone once the servers let go");
    assert!(matches!(hold(&spec, Holding::Serving).await, Err(LockError::PostgresHeldAlone)));
    assert!(matches!(hold(&spec, Holding::Alone).await, Err(LockError::PostgresServed)));
    drop(alone);
}
