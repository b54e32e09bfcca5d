//! Administrators' tasks and the list of one's sign-ins, in every store: one supervisor per therapist, reset links
//! that are stored as hashes and work once, moving clients with one audit entry each, and sign-ins listed and
//! ended only by their owner.

use alliance_core::domain::Role;
use alliance_store::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, session_for, therapist};

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

pub async fn run_all(store: &dyn Store) {
    a_therapist_has_the_supervisor_last_chosen(store).await;
    sign_ins_are_listed_and_ended_by_their_owner_only(store).await;
    a_reset_link_works_once_and_a_new_one_revokes_it(store).await;
    a_reset_link_ends_sign_ins_and_clears_the_second_factor_only_when_chosen(store).await;
    clients_move_with_one_audit_entry_each(store).await;
}

async fn account(store: &dyn Store, email: &str, role: Role) -> UserId {
    let user = NewUser {
        email: email.into(),
        display_name: "A".into(),
        role,
        password_hash: "h".into(),
        must_change_password: false,
    };
    store.create_user(user, ev(), NOW).await.unwrap()
}

fn admin_event(action: &'static str) -> AuditEvent {
    AuditEvent { action, purpose: "administration", actor_role: Some(Role::Administrator), ..ev() }
}

pub async fn a_therapist_has_the_supervisor_last_chosen(store: &dyn Store) {
    // Deactivating an account needs another active administrator.
    account(store, "supervision-admin@example.org", Role::Administrator).await;
    let t = therapist(store, "supervised@example.org").await;
    let (a, b) = (
        account(store, "sup-a@example.org", Role::Supervisor).await,
        account(store, "sup-b@example.org", Role::Supervisor).await,
    );
    store.set_supervisor(t, Some(a), admin_event("supervisor-change")).await.unwrap();
    assert_eq!(store.supervisors_of(t).await.unwrap(), vec![a]);
    store.set_supervisor(t, Some(b), admin_event("supervisor-change")).await.unwrap();
    assert_eq!(store.supervisors_of(t).await.unwrap(), vec![b], "the new supervisor replaces the old one");
    assert!(!store.supervisees(a).await.unwrap().contains(&t));
    assert!(store.supervisees(b).await.unwrap().contains(&t));
    store.set_supervisor(t, None, admin_event("supervisor-change")).await.unwrap();
    assert!(store.supervisors_of(t).await.unwrap().is_empty());

    // Refused, and nothing changed: a supervisor supervised, a therapist as supervisor, a deactivated supervisor.
    store.set_supervisor(t, Some(b), admin_event("supervisor-change")).await.unwrap();
    let other = therapist(store, "not-a-sup@example.org").await;
    assert!(matches!(store.set_supervisor(a, Some(b), admin_event("x")).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.set_supervisor(t, Some(other), admin_event("x")).await, Err(StoreError::Conflict(_))));
    store.update_account(a, Role::Supervisor, false).await.unwrap();
    assert!(matches!(store.set_supervisor(t, Some(a), admin_event("x")).await, Err(StoreError::Conflict(_))));
    assert!(matches!(
        store.set_supervisor(UserId(9_999_999), Some(b), admin_event("x")).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.supervisors_of(t).await.unwrap(), vec![b]);
}

fn login(user: UserId, hash: u8, at: OffsetDateTime) -> NewLogin {
    NewLogin {
        token_hash: vec![hash; 32],
        user,
        csrf_token: "c".into(),
        created_at: at,
        expires_at: at + Duration::hours(12),
        idle_timeout: Duration::minutes(30),
    }
}

pub async fn sign_ins_are_listed_and_ended_by_their_owner_only(store: &dyn Store) {
    let me = therapist(store, "lister@example.org").await;
    let other = therapist(store, "other-lister@example.org").await;
    store.create_login(login(me, 41, NOW)).await.unwrap();
    store
        .sign_in(login(me, 42, NOW + Duration::minutes(5)), "Firefox on Linux", Some("192.0.2.7"), ev())
        .await
        .unwrap();
    store.create_login(login(other, 43, NOW)).await.unwrap();
    let mine = store.logins_of(me, NOW + Duration::minutes(10)).await.unwrap();
    assert_eq!(mine.len(), 2, "only mine: {mine:?}");
    assert_eq!(mine[0].token_hash, vec![42; 32], "newest first");
    assert_eq!((mine[0].browser.as_deref(), mine[0].address.as_deref()), (Some("Firefox on Linux"), Some("192.0.2.7")));
    assert_eq!((mine[1].browser.as_deref(), mine[1].address.as_deref()), (None, None));
    assert_eq!(mine[1].created_at, NOW);
    // Idle for longer than its timeout: not listed (it no longer works either).
    assert_eq!(store.logins_of(me, NOW + Duration::minutes(34)).await.unwrap().len(), 1);

    assert!(!store.end_login_of(me, &[43; 32]).await.unwrap(), "another user's sign-in is not mine to end");
    assert!(store.login(&[43; 32], NOW).await.unwrap().is_some());
    assert!(store.end_login_of(me, &[41; 32]).await.unwrap());
    assert!(store.login(&[41; 32], NOW + Duration::minutes(1)).await.unwrap().is_none(), "ended at once");
    assert!(store.login(&[42; 32], NOW + Duration::minutes(6)).await.unwrap().is_some(), "the other one stays");
    assert!(!store.end_login_of(me, &[41; 32]).await.unwrap(), "ended once");
}

fn reset(user: UserId, by: UserId, hash: u8, clears: bool) -> NewPasswordReset {
    NewPasswordReset {
        user,
        token_hash: vec![hash; 32],
        created_by: by,
        created_at: NOW,
        expires_at: NOW + Duration::hours(24),
        clears_second_factor: clears,
    }
}

pub async fn a_reset_link_works_once_and_a_new_one_revokes_it(store: &dyn Store) {
    let admin = account(store, "reset-admin@example.org", Role::Administrator).await;
    let user = therapist(store, "forgetful@example.org").await;
    store.create_password_reset(reset(user, admin, 51, false), admin_event("reset-link")).await.unwrap();
    let found = store.password_reset(&[51; 32], NOW + Duration::hours(1)).await.unwrap().unwrap();
    assert_eq!((found.user, found.clears_second_factor), (user, false));
    assert!(store.password_reset(&[51; 32], NOW + Duration::hours(24)).await.unwrap().is_none(), "expired");
    assert!(store.password_reset(&[59; 32], NOW).await.unwrap().is_none(), "unknown");

    // A new link replaces the first.
    store.create_password_reset(reset(user, admin, 52, false), admin_event("reset-link")).await.unwrap();
    assert!(store.password_reset(&[51; 32], NOW).await.unwrap().is_none(), "revoked");
    assert!(!store.use_password_reset(&[51; 32], "new-hash", NOW, admin_event("password-reset")).await.unwrap());
    assert_eq!(store.user(user).await.unwrap().unwrap().password_hash, "h", "a revoked link changes nothing");

    assert!(!store.use_password_reset(&[52; 32], "late", NOW + Duration::hours(25), admin_event("x")).await.unwrap());
    assert!(store.use_password_reset(&[52; 32], "new-hash", NOW, admin_event("password-reset")).await.unwrap());
    assert_eq!(store.user(user).await.unwrap().unwrap().password_hash, "new-hash");
    assert!(!store.use_password_reset(&[52; 32], "again", NOW, admin_event("password-reset")).await.unwrap(), "once");
    assert_eq!(store.user(user).await.unwrap().unwrap().password_hash, "new-hash");

    // A deactivated account's link does nothing.
    store.create_password_reset(reset(user, admin, 53, false), admin_event("reset-link")).await.unwrap();
    store.update_account(user, Role::Therapist, false).await.unwrap();
    assert!(store.password_reset(&[53; 32], NOW).await.unwrap().is_none());
    assert!(!store.use_password_reset(&[53; 32], "x", NOW, admin_event("password-reset")).await.unwrap());
    assert_eq!(store.user(user).await.unwrap().unwrap().password_hash, "new-hash");
    let audited = store.audit_events(10_000).await.unwrap();
    let uses = audited.iter().filter(|e| e.action == "password-reset" && e.object_id == Some(user.0)).count();
    assert_eq!(uses, 1, "only the one use is audited");
}

pub async fn a_reset_link_ends_sign_ins_and_clears_the_second_factor_only_when_chosen(store: &dyn Store) {
    let admin = account(store, "reset-admin2@example.org", Role::Administrator).await;
    for (clears, hash, email) in [(false, 61u8, "keeps-factor@example.org"), (true, 62u8, "loses-factor@example.org")] {
        let user = therapist(store, email).await;
        store.create_login(login(user, hash + 100, NOW)).await.unwrap();
        store.begin_totp(user, &[7; 20], NOW).await.unwrap();
        assert!(store.accept_totp_step(user, 1, true).await.unwrap());
        store.create_password_reset(reset(user, admin, hash, clears), admin_event("reset-link")).await.unwrap();
        assert!(store.use_password_reset(&[hash; 32], "fresh", NOW, admin_event("password-reset")).await.unwrap());
        assert!(store.login(&[hash + 100; 32], NOW).await.unwrap().is_none(), "every sign-in ended");
        assert_eq!(store.totp_factor(user).await.unwrap().is_some(), !clears, "second factor, clears = {clears}");
    }
}

pub async fn clients_move_with_one_audit_entry_each(store: &dyn Store) {
    let admin = account(store, "move-admin@example.org", Role::Administrator).await;
    let (first, session) = session_for(store, "leaving@example.org").await;
    let leaving = store.client(first).await.unwrap().unwrap().therapist;
    let second = store
        .create_client(NewClient { therapist: leaving, pseudonym: "Birch Wren".into(), contact: None }, ev(), NOW)
        .await
        .unwrap();
    let staying = therapist(store, "staying@example.org").await;
    let inactive = therapist(store, "gone@example.org").await;
    store.update_account(inactive, Role::Therapist, false).await.unwrap();
    let supervisor = account(store, "move-sup@example.org", Role::Supervisor).await;
    let event = |at| AuditEvent { at, actor: Some(admin), ..admin_event("client-move") };
    let later = NOW + Duration::hours(1);

    // What the leaving therapist wrote about the session: a reflection, a supervision comment, a question.
    let reflection = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
    let written = crate::conformance::response(None, 20.0);
    store.save_therapist_response(session.id, reflection, written, ev(), NOW).await.unwrap();
    let comment =
        NewReflectionComment { session: session.id, author: leaving, body: "my reaction".into(), created_at: NOW };
    store.add_reflection_comment(comment).await.unwrap();
    store.set_supervision_focus(session.id, Some("why I felt bored"), ev()).await.unwrap();
    assert_eq!(store.responses_of(first).await.unwrap().len(), 1, "shown before the move");

    for refused in [inactive, supervisor, leaving] {
        let r = store.move_clients(leaving, refused, None, event(later)).await;
        assert!(matches!(r, Err(StoreError::Conflict(_))), "{refused:?}: {r:?}");
    }
    assert!(store.sessions_before_move(first).await.unwrap().is_empty(), "never moved");
    let revision = store.client_revisions(&[first]).await.unwrap();
    let moved = store.move_clients(leaving, staying, Some(first), event(later)).await.unwrap();
    assert!(store.client_revisions(&[first]).await.unwrap()[0].1 > revision[0].1, "kept overviews are out of date");
    assert_eq!(moved, vec![first]);
    assert_eq!(store.client(first).await.unwrap().unwrap().therapist, staying);
    assert_eq!(store.client(second).await.unwrap().unwrap().therapist, leaving, "only the one named");
    assert_eq!(store.sessions_before_move(first).await.unwrap(), vec![session.id]);
    // It stays with its author: no read of the moved record returns it.
    assert!(store.responses_of(first).await.unwrap().iter().all(|r| r.rater != Rater::Therapist));
    assert!(store.score_points(&[first]).await.unwrap().iter().all(|p| p.rater != Rater::Therapist));
    assert!(store.reflection_comments(&[session.id]).await.unwrap().is_empty());
    assert_eq!(store.supervision_focus(session.id).await.unwrap(), None);
    assert_eq!(store.sessions(session.episode).await.unwrap().len(), 1, "the session itself moved with the record");
    assert!(
        store.move_clients(leaving, staying, Some(first), event(later)).await.unwrap().is_empty(),
        "not theirs now"
    );

    let rest = store.move_clients(leaving, staying, None, event(later)).await.unwrap();
    assert_eq!(rest, vec![second]);
    assert!(store.clients_of(&[leaving]).await.unwrap().is_empty());
    let audited = store.audit_events(10_000).await.unwrap();
    let mut moves: Vec<i64> =
        audited.iter().filter(|e| e.action == "client-move").filter_map(|e| e.object_id).collect();
    moves.sort_unstable();
    assert_eq!(moves, vec![first.0, second.0], "one entry per client moved");
    assert!(audited.iter().filter(|e| e.action == "client-move").all(|e| e.purpose == "administration"));
    // Each move that moved someone names both accounts (the one that moved nobody names none).
    for (action, therapist) in [("clients-moved-from", leaving), ("clients-moved-to", staying)] {
        let named: Vec<_> = audited.iter().filter(|e| e.action == action).collect();
        assert_eq!(named.len(), 2, "{action}");
        assert!(named.iter().all(|e| e.object_kind == "account" && e.object_id == Some(therapist.0)), "{action}");
    }

    // A session recorded after the move is the new therapist's.
    let episode = store.open_episode(
        NewEpisode {
            client: first,
            therapist: staying,
            started_on: time::macros::date!(2026 - 11 - 29),
            measures: vec!["phq9".into()],
        },
        ev(),
        later,
    );
    let episode = episode.await.unwrap();
    let new_session = store
        .record_session(
            NewSession { episode, held_on: time::macros::date!(2026 - 11 - 30), attended: true },
            ev(),
            later + Duration::hours(1),
        )
        .await
        .unwrap();
    let before = store.sessions_before_move(first).await.unwrap();
    assert!(before.contains(&session.id) && !before.contains(&new_session.id), "{before:?}");
}
