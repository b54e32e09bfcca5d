//! The client as a partner, in every store: goals with their history and the three-open limit, goal ratings and
//! task reports written with a check's answers (all or nothing), the client's page link, event notes, and all of
//! it erased with the client.

use alliance_core::partnership::{
    EventKind, EventNoteText, GoalChange, GoalRating, GoalStatus, GoalText, Obstacle, ProposedBy, TaskDone, TaskText,
};
use alliance_store::*;

use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, instruments, response, session_for};

const NOW: OffsetDateTime = datetime!(2026-12-06 10:00 UTC);

fn goal(text: &str) -> GoalText {
    GoalText::parse(text).unwrap()
}

fn rating(n: &str) -> GoalRating {
    GoalRating::parse(n).unwrap()
}

fn client_audit() -> AuditEvent {
    AuditEvent { actor: None, actor_role: None, action: "client-submitted", object_kind: "session", ..ev() }
}

async fn link_for(store: &dyn Store, session: SessionId, hash: &[u8]) -> LinkView {
    let link =
        NewLink { session, token_hash: hash.to_vec(), expires_at: NOW + Duration::days(3), instruments: instruments() };
    store.create_link(link, ev(), NOW).await.unwrap();
    store.link_by_token(hash, NOW).await.unwrap().unwrap()
}

pub async fn goals_keep_their_history_and_at_most_three_are_open(store: &dyn Store) {
    let (client, session) = session_for(store, "goals@example.org").await;
    let episode = session.episode;
    let therapist = Some(store.client(client).await.unwrap().unwrap().therapist);
    let before = store.audit_events(10_000).await.unwrap().len();
    let add = |text: &'static str, by: ProposedBy| async move {
        store.add_goal(episode, &goal(text), by, None, ev(), NOW).await
    };
    let sleep = add("To sleep through the night", ProposedBy::Therapist).await.unwrap();
    let work = add("To go back to work", ProposedBy::Therapist).await.unwrap();
    let friends = add("To see friends again", ProposedBy::Client).await.unwrap();
    assert!(
        matches!(add("A fourth", ProposedBy::Client).await, Err(StoreError::Conflict(_))),
        "a fourth open goal is refused, also when the client proposes it"
    );
    let goals = store.goals_of(&[episode]).await.unwrap();
    let states: Vec<_> = goals.iter().map(|g| (g.text.as_str(), g.status, g.proposed_by)).collect();
    assert_eq!(
        states,
        vec![
            ("To sleep through the night", GoalStatus::Agreed, ProposedBy::Therapist),
            ("To go back to work", GoalStatus::Agreed, ProposedBy::Therapist),
            ("To see friends again", GoalStatus::Proposed, ProposedBy::Client),
        ]
    );

    let later = NOW + Duration::days(7);
    store.change_goal(friends, GoalChange::Agreed, None, therapist, ev(), later).await.unwrap();
    let reworded = goal("To sleep six hours most nights");
    store.change_goal(sleep, GoalChange::Revised, Some(&reworded), therapist, ev(), later).await.unwrap();
    store.change_goal(work, GoalChange::Achieved, None, therapist, ev(), later).await.unwrap();
    assert!(
        matches!(
            store.change_goal(work, GoalChange::Dropped, None, therapist, ev(), later).await,
            Err(StoreError::Conflict(_))
        ),
        "an achieved goal is closed"
    );
    assert!(matches!(
        store.change_goal(sleep, GoalChange::Agreed, None, therapist, ev(), later).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.change_goal(GoalId(999_999), GoalChange::Dropped, None, therapist, ev(), later).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.change_goal(sleep, GoalChange::Revised, None, therapist, ev(), later).await.is_err());
    // Achieving one opens a place again.
    add("To cook for myself", ProposedBy::Therapist).await.unwrap();

    let sleep_now = store.goal(sleep).await.unwrap().unwrap();
    assert_eq!((sleep_now.text.as_str(), sleep_now.status), ("To sleep six hours most nights", GoalStatus::Agreed));
    assert_eq!(sleep_now.changed_at, later);
    let history = store.goal_history(&[episode]).await.unwrap();
    let of_sleep: Vec<_> =
        history.iter().filter(|h| h.goal == sleep).map(|h| (h.change, h.text.as_deref(), h.at)).collect();
    assert_eq!(
        of_sleep,
        vec![
            (GoalChange::Agreed, Some("To sleep through the night"), NOW),
            (GoalChange::Revised, Some("To sleep six hours most nights"), later),
        ],
        "the earlier wording is kept"
    );
    let of_work: Vec<_> = history.iter().filter(|h| h.goal == work).map(|h| h.change).collect();
    assert_eq!(of_work, vec![GoalChange::Agreed, GoalChange::Achieved]);
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), before + 7, "every change audited once");

    // An ended episode takes no new goal.
    store.end_episode(episode, date!(2026 - 12 - 20), ev()).await.unwrap();
    store.change_goal(friends, GoalChange::Dropped, None, therapist, ev(), later).await.unwrap();
    assert!(matches!(add("Too late", ProposedBy::Therapist).await, Err(StoreError::Conflict(_))));
}

pub async fn a_check_carries_goal_ratings_and_task_reports_all_or_nothing(store: &dyn Store) {
    let (client, first) = session_for(store, "ratings@example.org").await;
    let episode = first.episode;
    let sleep = store.add_goal(episode, &goal("Sleep"), ProposedBy::Therapist, None, ev(), NOW).await.unwrap();
    let work = store.add_goal(episode, &goal("Work"), ProposedBy::Therapist, None, ev(), NOW).await.unwrap();
    let walk = store.add_task(first.id, &TaskText::parse("Walk twice").unwrap(), None, ev(), NOW).await.unwrap();
    let second = store
        .record_session(NewSession { episode, held_on: date!(2026 - 12 - 05), attended: true }, ev(), NOW)
        .await
        .unwrap();
    let view = link_for(store, second.id, &[7u8; 32]).await;
    let answers: Vec<_> = view.administrations.iter().map(|a| response(Some(a.id), 4.0)).collect();

    // A goal of another client's episode: refused, and nothing of the check is stored.
    let (_, elsewhere) = session_for(store, "elsewhere@example.org").await;
    let foreign =
        store.add_goal(elsewhere.episode, &goal("Theirs"), ProposedBy::Therapist, None, ev(), NOW).await.unwrap();
    let forged = CheckExtras {
        goal_ratings: vec![(sleep, rating("3")), (foreign, rating("9"))],
        task_reports: vec![],
        consent: None,
    };
    let refused = store.submit_check(&[7u8; 32], answers.clone(), forged, client_audit(), NOW).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    assert_eq!(store.link_by_token(&[7u8; 32], NOW).await.unwrap().unwrap().state, LinkState::Open);
    assert!(store.goal_ratings(&[episode, elsewhere.episode]).await.unwrap().is_empty());
    assert!(store.responses_of(client).await.unwrap().is_empty());
    let twice = CheckExtras {
        goal_ratings: vec![(sleep, rating("3")), (sleep, rating("4"))],
        task_reports: vec![],
        consent: None,
    };
    assert!(store.submit_check(&[7u8; 32], answers.clone(), twice, client_audit(), NOW).await.is_err());
    let foreign_task =
        store.add_task(elsewhere.id, &TaskText::parse("Theirs").unwrap(), None, ev(), NOW).await.unwrap();
    let report = |task, done| NewTaskReport { task, done, obstacle: None };
    let forged =
        CheckExtras { goal_ratings: vec![], task_reports: vec![report(foreign_task, TaskDone::Yes)], consent: None };
    assert!(matches!(
        store.submit_check(&[7u8; 32], answers.clone(), forged, client_audit(), NOW).await,
        Err(StoreError::Conflict(_))
    ));

    let at = NOW + Duration::hours(1);
    let extras = CheckExtras {
        goal_ratings: vec![(sleep, rating("3")), (work, rating("10"))],
        task_reports: vec![NewTaskReport {
            task: walk,
            done: TaskDone::Partly,
            obstacle: Some(Obstacle::parse("Rain all week").unwrap().as_str().to_owned()),
        }],
        consent: None,
    };
    store.submit_check(&[7u8; 32], answers.clone(), extras, client_audit(), at).await.unwrap().unwrap();
    let ratings: Vec<_> =
        store.goal_ratings(&[episode]).await.unwrap().iter().map(|r| (r.goal, r.session, r.rating.value())).collect();
    assert_eq!(ratings, vec![(sleep, second.id, 3), (work, second.id, 10)]);
    assert_eq!(store.responses_of(client).await.unwrap().len(), 2, "with the questionnaires");
    let tasks = store.tasks_of(&[episode]).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].text.as_str(), tasks[0].session), ("Walk twice", first.id));
    assert_eq!(
        tasks[0].report,
        Some(TaskReport {
            session: second.id,
            done: TaskDone::Partly,
            obstacle: Some("Rain all week".into()),
            reported_at: at
        })
    );

    // The next session's check rates again; the task's first report stands.
    let third = store
        .record_session(NewSession { episode, held_on: date!(2026 - 12 - 12), attended: true }, ev(), NOW)
        .await
        .unwrap();
    let again = link_for(store, third.id, &[8u8; 32]).await;
    let answers: Vec<_> = again.administrations.iter().map(|a| response(Some(a.id), 2.0)).collect();
    let extras = CheckExtras {
        goal_ratings: vec![(sleep, rating("5"))],
        task_reports: vec![report(walk, TaskDone::No)],
        consent: None,
    };
    store.submit_check(&[8u8; 32], answers, extras, client_audit(), at).await.unwrap().unwrap();
    assert_eq!(store.goal_ratings(&[episode]).await.unwrap().len(), 3);
    assert_eq!(store.tasks_of(&[episode]).await.unwrap()[0].report.as_ref().unwrap().done, TaskDone::Partly);

    // A used link takes nothing more.
    let late = CheckExtras { goal_ratings: vec![(work, rating("1"))], task_reports: vec![], consent: None };
    assert_eq!(store.submit_check(&[7u8; 32], vec![], late, client_audit(), at).await.unwrap(), Err(LinkState::Used));
    assert_eq!(store.goal_ratings(&[episode]).await.unwrap().len(), 3);
}

pub async fn the_client_page_link_is_reissued_and_revoked(store: &dyn Store) {
    let (client, _) = session_for(store, "page@example.org").await;
    assert_eq!(store.client_page(client).await.unwrap(), None);
    let audit = AuditEvent { action: "issue", object_kind: "client-page", ..ev() };
    assert!(store.issue_client_page(client, None, 1, &[1u8; 32], audit.clone(), NOW).await.unwrap());
    assert!(
        !store.issue_client_page(client, None, 1, &[2u8; 32], audit.clone(), NOW).await.unwrap(),
        "a second first issue loses"
    );
    let page = store.client_page_by_token(&[1u8; 32]).await.unwrap().unwrap();
    assert_eq!((page.client, page.generation, page.active, page.hide_alliance), (client, 1, true, false));

    let later = NOW + Duration::days(1);
    assert!(store.issue_client_page(client, Some(1), 2, &[3u8; 32], audit.clone(), later).await.unwrap());
    assert!(!store.issue_client_page(client, Some(1), 2, &[4u8; 32], audit.clone(), later).await.unwrap(), "stale");
    assert_eq!(store.client_page_by_token(&[1u8; 32]).await.unwrap(), None, "the earlier link stops working");
    assert_eq!(store.client_page_by_token(&[3u8; 32]).await.unwrap().unwrap().generation, 2);

    store.set_hide_alliance(client, true, audit.clone(), later).await.unwrap();
    store.revoke_client_page(client, audit.clone(), later).await.unwrap();
    assert_eq!(store.client_page_by_token(&[3u8; 32]).await.unwrap(), None);
    let page = store.client_page(client).await.unwrap().unwrap();
    assert_eq!((page.active, page.hide_alliance, page.generation), (false, true, 2), "revoking keeps the setting");

    // Hiding before any link keeps the setting for the first one.
    let (other, _) = session_for(store, "page-hidden@example.org").await;
    store.set_hide_alliance(other, true, audit.clone(), NOW).await.unwrap();
    let page = store.client_page(other).await.unwrap().unwrap();
    assert_eq!((page.active, page.hide_alliance, page.generation), (false, true, 0));
    assert!(store.issue_client_page(other, Some(0), 1, &[5u8; 32], audit, NOW).await.unwrap());
    assert!(store.client_page_by_token(&[5u8; 32]).await.unwrap().unwrap().hide_alliance);
}

pub async fn event_notes_and_the_partnership_go_with_the_client(store: &dyn Store) {
    let (client, session) = session_for(store, "notes@example.org").await;
    let note = |on, kind, t: &str| NewEventNote { on, kind, text: EventNoteText::parse(t).unwrap() };
    let medication = note(date!(2026 - 11 - 20), EventKind::Medication, "Sertraline 50 mg");
    store.add_event_note(client, &medication, None, ev(), NOW).await.unwrap();
    let moved = note(date!(2026 - 11 - 02), EventKind::LifeEvent, "Moved house");
    store.add_event_note(client, &moved, None, ev(), NOW).await.unwrap();
    let notes: Vec<_> =
        store.event_notes(&[client]).await.unwrap().into_iter().map(|n| (n.on, n.kind, n.text)).collect();
    assert_eq!(
        notes,
        vec![
            (date!(2026 - 11 - 02), EventKind::LifeEvent, "Moved house".to_owned()),
            (date!(2026 - 11 - 20), EventKind::Medication, "Sertraline 50 mg".to_owned()),
        ],
        "by date"
    );

    let g = store.add_goal(session.episode, &goal("Sleep"), ProposedBy::Therapist, None, ev(), NOW).await.unwrap();
    let t = store.add_task(session.id, &TaskText::parse("Walk").unwrap(), None, ev(), NOW).await.unwrap();
    let view = link_for(store, session.id, &[9u8; 32]).await;
    let answers: Vec<_> = view.administrations.iter().map(|a| response(Some(a.id), 4.0)).collect();
    let extras = CheckExtras {
        goal_ratings: vec![(g, rating("6"))],
        task_reports: vec![NewTaskReport { task: t, done: TaskDone::Yes, obstacle: Some("Nothing".into()) }],
        consent: Some(NewConsent { version: 1, research: true }),
    };
    store.submit_check(&[9u8; 32], answers, extras, client_audit(), NOW).await.unwrap().unwrap();
    store.issue_client_page(client, None, 1, &[6u8; 32], ev(), NOW).await.unwrap();
    store.set_asking(client, false, ev(), NOW).await.unwrap();
    assert_eq!(store.consents_of(&[client]).await.unwrap().len(), 1);
    store.set_episode_schedule(session.episode, "phq9=every:2", ev()).await.unwrap();
    store.set_episode_schedule(session.episode, "phq9=every:3", ev()).await.unwrap();
    assert_eq!(
        store.episode_schedules(&[session.episode]).await.unwrap(),
        vec![(session.episode, "phq9=every:3".to_owned())],
        "the later schedule replaces the earlier"
    );

    store.delete_client(client, AuditEvent { action: "delete", object_kind: "client", ..ev() }).await.unwrap();
    assert!(store.event_notes(&[client]).await.unwrap().is_empty());
    assert!(store.goals_of(&[session.episode]).await.unwrap().is_empty());
    assert!(store.goal_history(&[session.episode]).await.unwrap().is_empty());
    assert!(store.goal_ratings(&[session.episode]).await.unwrap().is_empty());
    assert!(store.tasks_of(&[session.episode]).await.unwrap().is_empty());
    assert_eq!(store.client_page_by_token(&[6u8; 32]).await.unwrap(), None);
    assert!(store.consents_of(&[client]).await.unwrap().is_empty());
    assert!(store.stopped_asking(&[client]).await.unwrap().is_empty());
    assert!(store.episode_schedules(&[session.episode]).await.unwrap().is_empty());
}

pub async fn consent_is_kept_with_its_version_and_a_stop_can_be_undone(store: &dyn Store) {
    let (client, session) = session_for(store, "consent@example.org").await;
    let view = link_for(store, session.id, &[10u8; 32]).await;
    let answers: Vec<_> = view.administrations.iter().map(|a| response(Some(a.id), 4.0)).collect();
    let extras = CheckExtras { consent: Some(NewConsent { version: 1, research: false }), ..CheckExtras::default() };
    store.submit_check(&[10u8; 32], answers, extras, client_audit(), NOW).await.unwrap().unwrap();
    let later = NOW + Duration::days(2);
    let before = store.audit_events(10_000).await.unwrap().len();
    store.record_consent(client, NewConsent { version: 2, research: true }, ev(), later).await.unwrap();
    let consents: Vec<_> =
        store.consents_of(&[client]).await.unwrap().iter().map(|c| (c.version, c.research, c.given_at)).collect();
    assert_eq!(consents, vec![(1, false, NOW), (2, true, later)], "every consent kept, the latest last");
    let research = store.research_id(alliance_store::ResearchKind::Client, client.0);
    assert!(research.starts_with('C') && research.len() == 17, "{research}");
    assert_eq!(research, store.research_id(alliance_store::ResearchKind::Client, client.0), "stable");
    assert_ne!(research[1..], store.research_id(alliance_store::ResearchKind::Episode, client.0)[1..]);

    assert!(store.stopped_asking(&[client]).await.unwrap().is_empty());
    store.set_asking(client, false, ev(), later).await.unwrap();
    store.set_asking(client, false, ev(), later + Duration::days(1)).await.unwrap();
    assert_eq!(store.stopped_asking(&[client]).await.unwrap(), vec![(client, later)], "the first stop's date stands");
    store.set_asking(client, true, ev(), later).await.unwrap();
    assert!(store.stopped_asking(&[client]).await.unwrap().is_empty());
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), before + 4, "each change audited");
}

pub async fn a_kiosk_code_opens_its_link_once_and_before_it_expires(store: &dyn Store) {
    let (client, session) = session_for(store, "kiosk@example.org").await;
    let kiosk = store.create_kiosk("Waiting room", &[20u8; 32], ev(), NOW).await.unwrap();
    assert_eq!(store.kiosk_by_token(&[20u8; 32]).await.unwrap().map(|k| k.name), Some("Waiting room".to_owned()));
    let view = link_for(store, session.id, &[21u8; 32]).await;
    let expires = NOW + Duration::minutes(15);
    store.add_kiosk_code(view.id, b"code-hash", "the-link-token", expires, ev(), NOW).await.unwrap();
    assert_eq!(store.use_kiosk_code(b"other", kiosk, NOW).await.unwrap(), None, "unknown");
    assert_eq!(store.use_kiosk_code(b"code-hash", kiosk, expires).await.unwrap(), None, "expired at its end");
    assert_eq!(
        store.use_kiosk_code(b"code-hash", kiosk, NOW + Duration::minutes(1)).await.unwrap().as_deref(),
        Some("the-link-token")
    );
    assert_eq!(store.use_kiosk_code(b"code-hash", kiosk, NOW + Duration::minutes(2)).await.unwrap(), None, "once");

    store.revoke_kiosk(kiosk, ev(), NOW).await.unwrap();
    assert_eq!(store.kiosk_by_token(&[20u8; 32]).await.unwrap(), None, "a revoked kiosk opens nothing");
    assert!(matches!(store.revoke_kiosk(kiosk, ev(), NOW).await, Err(StoreError::NotFound)));
    assert!(store.kiosks().await.unwrap()[0].revoked_at.is_some());

    let second = link_for(store, session.id, &[22u8; 32]).await;
    store.add_kiosk_code(second.id, b"second", "t2", expires, ev(), NOW).await.unwrap();
    store.delete_client(client, AuditEvent { action: "delete", object_kind: "client", ..ev() }).await.unwrap();
    assert_eq!(store.use_kiosk_code(b"second", kiosk, NOW).await.unwrap(), None, "erased with the client");
}
