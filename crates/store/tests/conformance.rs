//! Behaviour every `Store` implementation must have. Written against the trait only.

use alliance_core::domain::{AdministrationStatus, Role};
use alliance_core::scoring::{ResponseFlags, RiskFlag, ScaleScore};
use alliance_store::*;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

pub async fn run_all(store: &dyn Store) {
    // First: its last-administrator rules assume no other administrator exists yet.
    crate::accounts::run_all(store).await;
    users_and_supervision(store).await;
    logins_expire_and_can_be_deleted(store).await;
    sessions_are_numbered_per_episode(store).await;
    an_episode_ends_once_and_not_before_it_began(store).await;
    a_link_is_single_use_and_all_or_nothing(store).await;
    expired_links_refuse_submissions(store).await;
    therapist_responses_replace_earlier_ones(store).await;
    settings_are_created_once(store).await;
    racing_submissions_are_accepted_once(store).await;
    a_failing_submission_does_not_take_others_with_it(store).await;
    revisions_move_with_what_an_overview_is_computed_from(store).await;
    audit_events_are_kept_in_order(store).await;
    reflection_comments_form_a_thread(store).await;
    a_listing_names_reflections_without_their_answers(store).await;
    signals_are_seen_per_reader(store).await;
    mail_waits_in_the_outbox_until_sent_or_given_up(store).await;
    crate::link_delivery::a_link_is_sent_once_reminded_once_and_never_after_it_closed(store).await;
    a_session_keeps_what_to_bring_to_supervision(store).await;
    dates_of_care_stay_in_order(store).await;
    crate::audit_conformance::run_all(store).await;
    encrypted_fields_sort_and_match_as_plain_text(store).await;
    crate::practice_input::practice_input_matches_score_points(store).await;
    crate::admin_tasks::run_all(store).await;
    crate::risk::run_all(store).await;
    crate::api_tokens::tokens_are_hashed_expire_are_revoked_and_record_their_use(store).await;
    crate::background::a_client_writes_replaces_and_removes_their_background(store).await;
    crate::transcripts::a_transcript_is_attached_sealed_replaced_listed_and_deleted(store).await;
    crate::boundaries::boundary_events_keep_their_details_and_sealed_note_and_only_shared_ones_reach_supervision(store)
        .await;
    crate::boundaries::a_meeting_keeps_what_was_discussed_and_agreed_and_its_actions_come_back_until_done(store).await;
    pools_report_their_use(store).await;
}

/// The pools a server reports in its metrics: named, and never more open than their most or more idle than open.
async fn pools_report_their_use(store: &dyn Store) {
    store.count_users().await.unwrap();
    let pools = store.pool_use();
    let names: Vec<&str> = pools.iter().map(|p| p.pool).collect();
    assert!(names == ["read", "write"] || names == ["shared"], "{names:?}");
    for p in &pools {
        assert!(p.max >= 1 && p.open <= p.max && p.idle <= p.open, "{p:?}");
    }
    assert!(pools.iter().any(|p| p.open >= 1), "a read was just made: {pools:?}");
}

pub async fn therapist(store: &dyn Store, email: &str) -> UserId {
    store
        .create_user(
            NewUser {
                email: email.into(),
                display_name: "T".into(),
                role: Role::Therapist,
                password_hash: "h".into(),
                must_change_password: false,
            },
            ev(),
            NOW,
        )
        .await
        .unwrap()
}

pub async fn session_for(store: &dyn Store, email: &str) -> (ClientId, TherapySession) {
    let t = therapist(store, email).await;
    let client = store
        .create_client(NewClient { therapist: t, pseudonym: "Amber Heron".into(), contact: None }, ev(), NOW)
        .await
        .unwrap();
    let episode = store
        .open_episode(
            NewEpisode {
                client,
                therapist: t,
                started_on: date!(2026 - 11 - 01),
                measures: vec!["phq9".into(), "gad7".into()],
            },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    let session = store
        .record_session(NewSession { episode, held_on: date!(2026 - 11 - 28), attended: true }, ev(), NOW)
        .await
        .unwrap();
    (client, session)
}

pub fn response(admin: Option<AdministrationId>, value: f64) -> NewResponse {
    NewResponse {
        administration: admin,
        answers: crate::answers(&format!("{{\"1\":{value}}}")),
        flags: ResponseFlags { risks: vec![RiskFlag { item: "9".into(), value: 1.0 }], indicators: vec!["x".into()] },
        scores: vec![ScaleScore {
            scale: "total".into(),
            value: Some(value),
            answered: 9,
            missing: 0,
            prorated: false,
            band: Some("mild".into()),
            concern: Some(false),
        }],
    }
}

/// The audit entry the tests' staff writes carry.
pub fn ev() -> AuditEvent {
    AuditEvent {
        at: NOW,
        actor: Some(UserId(1)),
        actor_role: Some(Role::Therapist),
        action: "create",
        object_kind: "test",
        object_id: None,
        purpose: "care",
        address: Some("192.0.2.1".into()),
    }
}

fn submitted() -> AuditEvent {
    AuditEvent {
        at: NOW,
        actor: None,
        actor_role: None,
        action: "client-submitted",
        object_kind: "session",
        object_id: None,
        purpose: "care",
        address: None,
    }
}

pub fn instruments() -> Vec<InstrumentRef> {
    vec![InstrumentRef { id: "relationship-check".into(), version: 1 }, InstrumentRef { id: "phq9".into(), version: 1 }]
}

pub async fn users_and_supervision(store: &dyn Store) {
    let a = therapist(store, "a@example.org").await;
    let dup = store
        .create_user(
            NewUser {
                email: "a@example.org".into(),
                display_name: "X".into(),
                role: Role::Supervisor,
                password_hash: "h".into(),
                must_change_password: false,
            },
            ev(),
            NOW,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "e-mail addresses are unique");
    let s = store
        .create_user(
            NewUser {
                email: "s@example.org".into(),
                display_name: "S".into(),
                role: Role::Supervisor,
                password_hash: "h".into(),
                must_change_password: false,
            },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    store.add_supervision(s, a, ev()).await.unwrap();
    store.add_supervision(s, a, ev()).await.unwrap();
    assert_eq!(store.supervisees(s).await.unwrap(), vec![a]);
    assert_eq!(store.user_by_email("a@example.org").await.unwrap().unwrap().id, a);
    assert!(store.user_by_email("nobody@example.org").await.unwrap().is_none());
    assert!(store.count_users().await.unwrap() >= 2);
}

pub async fn logins_expire_and_can_be_deleted(store: &dyn Store) {
    let user = therapist(store, "login@example.org").await;
    let hash = vec![7u8; 32];
    store
        .create_login(NewLogin {
            token_hash: hash.clone(),
            user,
            csrf_token: "c".into(),
            created_at: NOW,
            expires_at: NOW + Duration::hours(8),
            idle_timeout: Duration::hours(24),
        })
        .await
        .unwrap();
    let (login, found) = store.login(&hash, NOW + Duration::hours(1)).await.unwrap().unwrap();
    assert_eq!((login.user, found.id, login.csrf_token.as_str()), (user, user, "c"));
    assert!(store.login(&hash, NOW + Duration::hours(8)).await.unwrap().is_none(), "expired");
    assert!(store.login(&[8u8; 32], NOW).await.unwrap().is_none(), "unknown");
    store.delete_login(&hash).await.unwrap();
    assert!(store.login(&hash, NOW).await.unwrap().is_none(), "signed out");
}

pub async fn an_episode_ends_once_and_not_before_it_began(store: &dyn Store) {
    let (client, session) = session_for(store, "discharge@example.org").await;
    let episode = store.episode(session.episode).await.unwrap().unwrap();
    let before = episode.started_on.previous_day().unwrap();
    let refused = store.end_episode(episode.id, before, ev()).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "before it began: {refused:?}");
    let entries = store.audit_events(10_000).await.unwrap().len();
    store.end_episode(episode.id, episode.started_on, ev()).await.unwrap();
    assert_eq!(store.episode(episode.id).await.unwrap().unwrap().ended_on, Some(episode.started_on));
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), entries + 1, "audited with the write");
    let again = store.end_episode(episode.id, episode.started_on, ev()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "ended already: {again:?}");
    assert!(matches!(store.end_episode(EpisodeId(987_654), NOW.date(), ev()).await, Err(StoreError::NotFound)));
    assert_eq!(store.current_episodes(&[client]).await.unwrap()[0].ended_on, Some(episode.started_on));
}

pub async fn sessions_are_numbered_per_episode(store: &dyn Store) {
    let (client, first) = session_for(store, "numbers@example.org").await;
    assert_eq!(first.number, 1);
    assert_eq!(first.client, client);
    let second = store
        .record_session(
            NewSession { episode: first.episode, held_on: date!(2026 - 12 - 05), attended: false },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!((second.number, second.attended), (2, false));
    let all = store.sessions(first.episode).await.unwrap();
    assert_eq!(all.iter().map(|s| s.number).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(store.episode(first.episode).await.unwrap().unwrap().client, client);
    assert!(store.episode(EpisodeId(987_654)).await.unwrap().is_none());
    // A new episode ends the open one and becomes the current episode.
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let again = NewEpisode { client, therapist, started_on: date!(2027 - 01 - 10), measures: vec!["gad7".into()] };
    let second_episode = store.open_episode(again, ev(), NOW).await.unwrap();
    let episodes = store.episodes(client).await.unwrap();
    assert_eq!(episodes.len(), 2);
    assert_eq!(episodes[0].ended_on, Some(date!(2027 - 01 - 10)));
    assert_eq!(episodes[1].ended_on, None);
    let current = store.current_episodes(&[client, ClientId(987_654)]).await.unwrap();
    assert_eq!(current.iter().map(|e| e.id).collect::<Vec<_>>(), vec![second_episode]);
    assert_eq!(current[0].measures, vec!["gad7".to_owned()]);
    let listed = store.sessions_of(&[client, ClientId(987_654)]).await.unwrap();
    assert_eq!(listed, all);
    let user = store.client(client).await.unwrap().unwrap().therapist;
    store.acknowledge(client, "rupture:2", user, ev(), NOW).await.unwrap();
    store.acknowledge(client, "rupture:2", user, ev(), NOW + Duration::hours(1)).await.unwrap();
    let acks = store.acknowledgements(&[client]).await.unwrap();
    assert_eq!(acks.len(), 1, "the first acknowledgement stands");
    assert_eq!((acks[0].key.as_str(), acks[0].user, acks[0].at), ("rupture:2", user, NOW));
    let missing = store
        .record_session(
            NewSession { episode: EpisodeId(999_999), held_on: date!(2026 - 12 - 05), attended: true },
            ev(),
            NOW,
        )
        .await;
    assert!(missing.is_err(), "a session needs an existing episode");
}

pub async fn signals_are_seen_per_reader(store: &dyn Store) {
    let (client, _) = session_for(store, "seen@example.org").await;
    let (other, _) = session_for(store, "seen-other@example.org").await;
    let own = store.client(client).await.unwrap().unwrap().therapist;
    let supervisor = therapist(store, "seen-supervisor@example.org").await;
    let asked = [(client, "3:rupture:2"), (client, "3:risk:2"), (other, "3:rupture:2")];
    assert_eq!(store.seen_by(own, &asked).await.unwrap(), [false, false, false]);
    store.mark_seen(client, &["3:rupture:2".into()], own, NOW).await.unwrap();
    // Marking again (a second look, or two tabs at once) keeps one mark.
    store.mark_seen(client, &["3:rupture:2".into(), "3:risk:2".into()], own, NOW).await.unwrap();
    assert_eq!(store.seen_by(own, &asked).await.unwrap(), [true, true, false], "the same key of another client");
    assert_eq!(store.seen_by(supervisor, &asked).await.unwrap(), [false, false, false], "seen is per reader");
    assert!(store.seen_by(own, &[]).await.unwrap().is_empty());
    store.mark_seen(client, &[], own, NOW).await.unwrap();
}

pub async fn mail_waits_in_the_outbox_until_sent_or_given_up(store: &dyn Store) {
    let to = therapist(store, "mail.box@example.org").await;
    let gone = therapist(store, "mail-gone@example.org").await;
    let secret = "https://alliance.example.org/reset/very-secret-token";
    store.queue_mail(NewMail { to, kind: MailKind::PasswordReset, path: secret.into() }, NOW).await.unwrap();
    let later = NOW + Duration::seconds(1);
    store.queue_mail(NewMail { to, kind: MailKind::Risk, path: "/clients/7".into() }, later).await.unwrap();
    store.queue_mail(NewMail { to: gone, kind: MailKind::Risk, path: "/clients/8".into() }, later).await.unwrap();
    let admin = NewUser {
        email: "mail-admin@example.org".into(),
        display_name: "A".into(),
        role: Role::Administrator,
        password_hash: "h".into(),
        must_change_password: false,
    };
    store.create_user(admin, ev(), NOW).await.unwrap();
    store.update_account(gone, Role::Therapist, false).await.unwrap();
    // Not due before it was queued; then the oldest first, the address and path opened, limited.
    assert!(store.due_mail(NOW - Duration::seconds(1), 10).await.unwrap().is_empty());
    let due = store.due_mail(later, 1).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].to, due[0].kind), (Recipient::Account(to), MailKind::PasswordReset));
    assert_eq!((due[0].address.as_deref(), due[0].channel), (Some("mail.box@example.org"), Channel::Email));
    assert_eq!((due[0].path.as_str(), due[0].attempts), (secret, 0));
    let due = store.due_mail(later, 10).await.unwrap();
    assert_eq!(due.len(), 2, "the inactive account's message is given up, not sent: {due:?}");
    assert_eq!(store.mail_of(gone).await.unwrap(), vec![(MailKind::Risk, false, true)]);
    // A failure backs off; a success ends the row; giving up ends it too.
    store.mail_failed(due[0].id, "421 4.3.0 temporary", Some(later + Duration::minutes(1)), later).await.unwrap();
    store.mail_sent(due[1].id, later).await.unwrap();
    assert!(store.due_mail(later + Duration::seconds(59), 10).await.unwrap().is_empty());
    let retried = store.due_mail(later + Duration::minutes(1), 10).await.unwrap();
    assert_eq!((retried.len(), retried[0].attempts), (1, 1));
    store.mail_failed(retried[0].id, "550 5.1.1 refused", None, later + Duration::minutes(1)).await.unwrap();
    assert!(store.due_mail(later + Duration::days(1), 10).await.unwrap().is_empty());
    assert_eq!(
        store.mail_of(to).await.unwrap(),
        vec![(MailKind::Risk, true, false), (MailKind::PasswordReset, false, true)]
    );
}

pub async fn a_link_is_single_use_and_all_or_nothing(store: &dyn Store) {
    let (client, session) = session_for(store, "link@example.org").await;
    let hash = vec![1u8; 32];
    let expires = NOW + Duration::hours(72);
    store
        .create_link(
            NewLink { session: session.id, token_hash: hash.clone(), expires_at: expires, instruments: instruments() },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    let view = store.link_by_token(&hash, NOW).await.unwrap().unwrap();
    assert_eq!(view.state, LinkState::Open);
    assert_eq!(view.administrations.len(), 2);
    assert_eq!(view.administrations[0].instrument.id, "relationship-check");
    assert!(view.administrations.iter().all(|a| a.status == AdministrationStatus::Open));

    // A response aimed at an administration of another link is refused and nothing is stored.
    let foreign =
        store.submit_link(&hash, vec![response(Some(AdministrationId(987_654)), 3.0)], submitted(), NOW).await;
    assert!(matches!(foreign, Err(StoreError::Conflict(_))));
    assert_eq!(store.link_by_token(&hash, NOW).await.unwrap().unwrap().state, LinkState::Open, "rolled back");
    assert!(store.responses_of(client).await.unwrap().is_empty());

    let answers: Vec<_> = view.administrations.iter().map(|a| response(Some(a.id), 4.0)).collect();
    let done =
        store.submit_link(&hash, answers.clone(), submitted(), NOW + Duration::minutes(5)).await.unwrap().unwrap();
    assert_eq!(done.session, session.id);
    assert_eq!(store.submit_link(&hash, answers, submitted(), NOW).await.unwrap(), Err(LinkState::Used));
    assert_eq!(store.link_by_token(&hash, NOW).await.unwrap().unwrap().state, LinkState::Used);
    assert!(matches!(store.submit_link(&[2u8; 32], vec![], submitted(), NOW).await, Err(StoreError::NotFound)));

    let stored = store.responses_of(client).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].scores[0].value, Some(4.0));
    assert_eq!(stored[0].flags.risks[0].item, "9");
    assert!(stored[0].flags.has("x"));
    assert_eq!(store.episodes(client).await.unwrap()[0].measures, vec!["phq9".to_owned(), "gad7".to_owned()]);
    assert_eq!(stored[0].rater, Rater::Client);
    let points = store.score_points(&[client]).await.unwrap();
    assert_eq!(points.len(), 2);
    assert!(points.iter().all(|p| !p.flags.risks.is_empty() && p.session_number == 1));
    let again =
        NewLink { session: session.id, token_hash: vec![12u8; 32], expires_at: expires, instruments: instruments() };
    assert!(
        matches!(store.create_link(again, ev(), NOW).await, Err(StoreError::Conflict(_))),
        "answered sessions take no new link"
    );
    let summary = store.links_for_session(session.id).await.unwrap();
    assert_eq!(summary.len(), 1);
    assert!(summary[0].used_at.is_some());
    assert_eq!(summary[0].instruments, vec!["relationship-check".to_owned(), "phq9".to_owned()], "in the order asked");
}

pub async fn expired_links_refuse_submissions(store: &dyn Store) {
    let (client, session) = session_for(store, "expired@example.org").await;
    let hash = vec![3u8; 32];
    let expires = NOW + Duration::hours(1);
    store
        .create_link(
            NewLink { session: session.id, token_hash: hash.clone(), expires_at: expires, instruments: instruments() },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    let view = store.link_by_token(&hash, expires).await.unwrap().unwrap();
    assert_eq!(view.state, LinkState::Expired);
    assert!(view.administrations.iter().all(|a| a.status == AdministrationStatus::Expired));
    let answers = view.administrations.iter().map(|a| response(Some(a.id), 1.0)).collect();
    assert_eq!(store.submit_link(&hash, answers, submitted(), expires).await.unwrap(), Err(LinkState::Expired));
    assert!(store.responses_of(client).await.unwrap().is_empty());
}

pub async fn therapist_responses_replace_earlier_ones(store: &dyn Store) {
    let (client, session) = session_for(store, "reflect@example.org").await;
    let instrument = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
    store.save_therapist_response(session.id, instrument.clone(), response(None, 20.0), ev(), NOW).await.unwrap();
    store.save_therapist_response(session.id, instrument, response(None, 25.0), ev(), NOW).await.unwrap();
    let stored = store.responses_of(client).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].rater, stored[0].scores[0].value), (Rater::Therapist, Some(25.0)));
}

pub async fn settings_are_created_once(store: &dyn Store) {
    let first = store.setting_or_insert("secret", b"one").await.unwrap();
    let second = store.setting_or_insert("secret", b"two").await.unwrap();
    assert_eq!((first.as_slice(), second.as_slice()), (b"one".as_slice(), b"one".as_slice()));
}

pub async fn audit_events_are_kept_in_order(store: &dyn Store) {
    for (i, action) in ["read", "write"].into_iter().enumerate() {
        store
            .audit(AuditEvent {
                at: NOW + Duration::seconds(i as i64),
                actor: Some(UserId(1)),
                actor_role: Some(Role::Therapist),
                action,
                object_kind: "client",
                object_id: Some(42),
                purpose: "care",
                address: Some("127.0.0.1".into()),
            })
            .await
            .unwrap();
    }
    let events = store.audit_events(2).await.unwrap();
    assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["write", "read"]);
    assert_eq!(events[0].actor_role.as_deref(), Some("therapist"));
    // Several at once (a page of reads): all kept, in the order given.
    let many: Vec<AuditEvent> = (0..30)
        .map(|i| AuditEvent { object_id: Some(1000 + i), action: "read", object_kind: "reflection", ..ev() })
        .collect();
    store.audit_all(many).await.unwrap();
    let events = store.audit_events(30).await.unwrap();
    let ids: Vec<i64> = events.iter().rev().filter_map(|e| e.object_id).collect();
    assert_eq!(ids, (1000..1030).collect::<Vec<_>>());
    store.audit_all(Vec::new()).await.unwrap();
}

pub async fn racing_submissions_are_accepted_once(store: &dyn Store) {
    let (client, session) = session_for(store, "race@example.org").await;
    let hash = vec![9u8; 32];
    let expires = NOW + Duration::hours(1);
    let link =
        NewLink { session: session.id, token_hash: hash.clone(), expires_at: expires, instruments: instruments() };
    store.create_link(link, ev(), NOW).await.unwrap();
    let view = store.link_by_token(&hash, NOW).await.unwrap().unwrap();
    let answers: Vec<_> = view.administrations.iter().map(|a| response(Some(a.id), 2.0)).collect();
    let (a, b, c) = tokio::join!(
        store.submit_link(&hash, answers.clone(), submitted(), NOW),
        store.submit_link(&hash, answers.clone(), submitted(), NOW),
        store.submit_link(&hash, answers, submitted(), NOW)
    );
    let wins = [a, b, c].into_iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    assert_eq!(wins, 1);
    let audited = store.audit_events(1000).await.unwrap();
    let for_session = audited.iter().filter(|e| e.action == "client-submitted" && e.object_id == Some(session.id.0));
    assert_eq!(for_session.count(), 1, "the winning submission is audited in its own transaction, losers not at all");
    // A second link for an unanswered session retires the first.
    let (_, other) = session_for(store, "race2@example.org").await;
    let first =
        NewLink { session: other.id, token_hash: vec![10u8; 32], expires_at: expires, instruments: instruments() };
    store.create_link(first, ev(), NOW).await.unwrap();
    let second =
        NewLink { session: other.id, token_hash: vec![11u8; 32], expires_at: expires, instruments: instruments() };
    store.create_link(second, ev(), NOW).await.unwrap();
    assert_eq!(store.link_by_token(&[10u8; 32], NOW).await.unwrap().unwrap().state, LinkState::Expired);
    assert_eq!(store.link_by_token(&[11u8; 32], NOW).await.unwrap().unwrap().state, LinkState::Open);
    assert_eq!(store.responses_of(client).await.unwrap().len(), 2);
}

/// Many submissions at once, which both engines commit in batches: each is stored exactly once with every score,
/// one that fails (whether the store sees it before writing or only part-way through) is refused alone, leaving
/// its link open, and a link sent twice at once is claimed once.
pub async fn a_failing_submission_does_not_take_others_with_it(store: &dyn Store) {
    let expires = NOW + Duration::hours(1);
    let mut links = Vec::new();
    for n in 0..12u8 {
        let (client, session) = session_for(store, &format!("batch{n}@example.org")).await;
        let hash = vec![100 + n; 32];
        let link =
            NewLink { session: session.id, token_hash: hash.clone(), expires_at: expires, instruments: instruments() };
        store.create_link(link, ev(), NOW).await.unwrap();
        let view = store.link_by_token(&hash, NOW).await.unwrap().unwrap();
        links.push((client, session, hash, view));
    }
    // 5: an answer aimed at another link's administration, which the store can check before writing; 9: a scale
    // scored twice, which only the database's key refuses, part-way through writing.
    let (misaimed, twice_scored) = (5, 9);
    let bad = [misaimed, twice_scored];
    let answers_for = |n: usize, view: &LinkView| -> Vec<NewResponse> {
        if n == misaimed {
            // The first answer is fine, the second aimed at another link's administration: the claim and the
            // first answer are written before the fault shows.
            vec![response(Some(view.administrations[0].id), 1.0), response(Some(AdministrationId(987_654)), 1.0)]
        } else if n == twice_scored {
            let mut second = response(Some(view.administrations[1].id), 1.0);
            second.scores.push(second.scores[0].clone());
            vec![response(Some(view.administrations[0].id), 1.0), second]
        } else {
            view.administrations.iter().map(|a| response(Some(a.id), f64::from(n as u8))).collect()
        }
    };
    // And the first link sent twice at once: it is claimed once.
    let (first_hash, first_view) = (&links[0].2, &links[0].3);
    // Lone audit entries (page views) go into the same batches; one of them is malformed.
    let viewed = |n: usize| AuditEvent {
        action: "viewed-in-batch",
        address: Some(if n == 3 { "ünicode".into() } else { format!("192.0.2.{n}") }),
        ..ev()
    };
    let (outcomes, again, views) = futures_util::future::join3(
        futures_util::future::join_all(
            links
                .iter()
                .enumerate()
                .map(|(n, (_, _, hash, view))| store.submit_link(hash, answers_for(n, view), submitted(), NOW)),
        ),
        store.submit_link(first_hash, answers_for(0, first_view), submitted(), NOW),
        futures_util::future::join_all((0..6).map(|n| store.audit(viewed(n)))),
    )
    .await;
    for (n, view) in views.iter().enumerate() {
        match n {
            3 => assert!(matches!(view, Err(StoreError::Conflict(_))), "{view:?}"),
            _ => assert!(view.is_ok(), "{view:?}"),
        }
    }
    let mut outcomes = outcomes;
    match (&outcomes[0], again) {
        (Ok(Ok(_)), Ok(Err(LinkState::Used))) => {}
        (Ok(Err(LinkState::Used)), Ok(Ok(won))) => outcomes[0] = Ok(Ok(won)),
        (first, again) => panic!("the link sent twice: {first:?} and {again:?}"),
    }
    for (n, ((client, session, hash, _), outcome)) in links.iter().zip(outcomes).enumerate() {
        let stored = store.responses_of(*client).await.unwrap();
        if bad.contains(&n) {
            assert!(matches!(outcome, Err(StoreError::Conflict(_))), "{outcome:?}");
            assert!(stored.is_empty(), "nothing of the refused submission is kept");
            assert_eq!(store.link_by_token(hash, NOW).await.unwrap().unwrap().state, LinkState::Open);
        } else {
            assert_eq!(outcome.unwrap().unwrap().session, session.id);
            assert_eq!(stored.len(), 2, "submission {n}");
            assert!(stored.iter().all(|r| r.scores.len() == 1 && r.scores[0].value == Some(f64::from(n as u8))));
            assert_eq!(store.link_by_token(hash, NOW).await.unwrap().unwrap().state, LinkState::Used);
        }
    }
    let audited = store.audit_events(1000).await.unwrap();
    let sessions: Vec<i64> = links.iter().map(|(_, s, _, _)| s.id.0).collect();
    let submitted = audited
        .iter()
        .filter(|e| e.action == "client-submitted" && e.object_id.is_some_and(|id| sessions.contains(&id)))
        .count();
    assert_eq!(submitted, links.len() - bad.len(), "one audit entry per stored submission");
    let views = audited.iter().filter(|e| e.action == "viewed-in-batch").count();
    assert_eq!(views, 5, "every well-formed lone entry is appended, the malformed one alone refused");
    let chain = alliance_store::audit::verify_chain(store).await.unwrap();
    assert_eq!(chain.broken, None, "the batch's entries extend the chain");
    assert_eq!(chain.verified, u64::try_from(store.audit_head().await.unwrap().seq).unwrap());
}

/// The revision an app server keeps computed overviews under moves with every write that changes them, and
/// only for the client concerned.
pub async fn revisions_move_with_what_an_overview_is_computed_from(store: &dyn Store) {
    let (client, session) = session_for(store, "revision@example.org").await;
    let (bystander, _) = session_for(store, "other-revision@example.org").await;
    let revision = |c: ClientId| async move {
        let found = store.client_revisions(&[c, ClientId(987_654)]).await.unwrap();
        assert_eq!(found.len(), 1, "unknown clients are left out");
        found[0].1
    };
    let (mut last, other) = (revision(client).await, revision(bystander).await);
    let mut moved = |now: i64, what: &str| {
        assert!(now > last, "{what} moves the revision");
        last = now;
    };
    let hash = vec![78u8; 32];
    let link = NewLink {
        session: session.id,
        token_hash: hash.clone(),
        expires_at: NOW + Duration::hours(1),
        instruments: instruments(),
    };
    store.create_link(link, ev(), NOW).await.unwrap();
    let view = store.link_by_token(&hash, NOW).await.unwrap().unwrap();
    let answers = view.administrations.iter().map(|a| response(Some(a.id), 3.0)).collect();
    store.submit_link(&hash, answers, submitted(), NOW).await.unwrap().unwrap();
    moved(revision(client).await, "a client's answers");
    let instrument = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
    store.save_therapist_response(session.id, instrument.clone(), response(None, 20.0), ev(), NOW).await.unwrap();
    moved(revision(client).await, "a reflection");
    store.save_therapist_response(session.id, instrument, response(None, 21.0), ev(), NOW).await.unwrap();
    moved(revision(client).await, "a replaced reflection");
    let next = NewSession { episode: session.episode, held_on: date!(2026 - 11 - 20), attended: false };
    store.record_session(next, ev(), NOW).await.unwrap();
    moved(revision(client).await, "a new session");
    store.end_episode(session.episode, date!(2026 - 11 - 21), ev()).await.unwrap();
    moved(revision(client).await, "ending the episode");
    assert_eq!(revision(bystander).await, other, "another client's revision stays");
}

pub async fn reflection_comments_form_a_thread(store: &dyn Store) {
    let (_, session) = session_for(store, "thread@example.org").await;
    let (_, other) = session_for(store, "other-thread@example.org").await;
    let supervisor = store
        .create_user(
            NewUser {
                email: "sup-thread@example.org".into(),
                display_name: "Sam Super".into(),
                role: Role::Supervisor,
                password_hash: "h".into(),
                must_change_password: false,
            },
            ev(),
            NOW,
        )
        .await
        .unwrap();
    let therapist = store.user_by_email("thread@example.org").await.unwrap().unwrap().id;
    assert!(store.reflection_comments(&[session.id]).await.unwrap().is_empty());
    assert!(store.reflection_comments(&[]).await.unwrap().is_empty());
    let comment = |author, body: &str, at| NewReflectionComment {
        session: session.id,
        author,
        body: body.into(),
        created_at: at,
    };
    // Written out of order: the thread is read back oldest first.
    let later =
        store.add_reflection_comment(comment(therapist, "Thank you — I'll try that.", NOW + Duration::minutes(5)));
    let later = later.await.unwrap();
    let first = store.add_reflection_comment(comment(supervisor, "What did the silence <b>feel</b> like?", NOW));
    let first = first.await.unwrap();
    assert_ne!(first, later);
    store
        .add_reflection_comment(NewReflectionComment { session: other.id, ..comment(supervisor, "elsewhere", NOW) })
        .await
        .unwrap();
    let thread = store.reflection_comments(&[session.id]).await.unwrap();
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[0].id, first);
    assert_eq!(thread[0].body, "What did the silence <b>feel</b> like?", "stored as written");
    assert_eq!(
        (thread[0].author, thread[0].author_name.as_str(), thread[0].author_role),
        (supervisor, "Sam Super", Role::Supervisor)
    );
    assert_eq!(thread[0].created_at, NOW);
    assert_eq!((thread[1].author, thread[1].author_role), (therapist, Role::Therapist));
    assert_eq!(thread[1].body, "Thank you — I'll try that.");
    assert!(thread.iter().all(|c| c.session == session.id));
    assert_eq!(store.reflection_comments(&[session.id, other.id]).await.unwrap().len(), 3);
    let missing = store
        .add_reflection_comment(NewReflectionComment {
            session: SessionId(session.id.0 + 10_000),
            ..comment(supervisor, "x", NOW)
        })
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    assert_eq!(store.reflection_comments(&[session.id, other.id]).await.unwrap().len(), 3, "nothing stored");
}

/// Names, pseudonyms and addresses are stored encrypted; lists still come in byte order of the plain text and
/// sign-in finds an address whatever its case or surrounding spaces.
pub async fn encrypted_fields_sort_and_match_as_plain_text(store: &dyn Store) {
    let mut ids = Vec::new();
    for (email, name) in
        [("sort-b@example.org", "zeta"), ("Sort-A@Example.org", "Zeta"), ("sort-c@example.org", "alpha")]
    {
        let user = NewUser {
            email: email.into(),
            display_name: name.into(),
            role: Role::Researcher,
            password_hash: "h".into(),
            must_change_password: false,
        };
        ids.push(store.create_user(user, ev(), NOW).await.unwrap());
    }
    let researchers: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Researcher)
        .map(|u| u.display_name)
        .collect();
    assert_eq!(researchers, ["Zeta", "alpha", "zeta"]);
    assert_eq!(store.user_by_email("  sort-a@EXAMPLE.org ").await.unwrap().unwrap().email, "Sort-A@Example.org");
    let taken = NewUser {
        email: "SORT-B@example.org".into(),
        display_name: "x".into(),
        role: Role::Researcher,
        password_hash: "h".into(),
        must_change_password: false,
    };
    assert!(
        matches!(store.create_user(taken, ev(), NOW).await, Err(StoreError::Conflict(_))),
        "one account per address"
    );

    let t = therapist(store, "sorting@example.org").await;
    for pseudonym in ["beta", "Beta", "alpha", "beta"] {
        store
            .create_client(NewClient { therapist: t, pseudonym: pseudonym.into(), contact: None }, ev(), NOW)
            .await
            .unwrap();
    }
    let clients = store.clients_of(&[t]).await.unwrap();
    let names: Vec<&str> = clients.iter().map(|c| c.pseudonym.as_str()).collect();
    assert_eq!(names, ["Beta", "alpha", "beta", "beta"]);
    assert!(clients[2].id < clients[3].id, "equal pseudonyms by id");
}

pub async fn a_session_keeps_what_to_bring_to_supervision(store: &dyn Store) {
    let (_, session) = session_for(store, "focus@example.org").await;
    let (_, other) = session_for(store, "other-focus@example.org").await;
    assert_eq!(store.supervision_focus(session.id).await.unwrap(), None, "nothing written yet");
    let focus = "Ich weiß nicht, ob ich zu schnell auf Lösungen gedrängt habe — 'quotes' & <tags>";
    let audit = AuditEvent { action: "supervision-focus", object_kind: "session", ..ev() };
    store.set_supervision_focus(session.id, Some(focus), audit.clone()).await.unwrap();
    assert_eq!(store.supervision_focus(session.id).await.unwrap().as_deref(), Some(focus));
    assert_eq!(store.supervision_focus(other.id).await.unwrap(), None, "another session's stays empty");
    let entry = store.audit_events(1).await.unwrap().remove(0);
    assert_eq!((entry.action.as_str(), entry.object_id), ("supervision-focus", Some(session.id.0)));
    store.set_supervision_focus(session.id, None, audit.clone()).await.unwrap();
    assert_eq!(store.supervision_focus(session.id).await.unwrap(), None, "cleared");
    let missing = SessionId(session.id.0 + 1_000_000);
    assert!(matches!(store.set_supervision_focus(missing, Some("x"), audit).await, Err(StoreError::NotFound)));
    assert_eq!(store.supervision_focus(missing).await.unwrap(), None);
}

pub async fn dates_of_care_stay_in_order(store: &dyn Store) {
    let (client, session) = session_for(store, "order@example.org").await;
    let started = date!(2026 - 11 - 01);
    let before = NewSession { episode: session.episode, held_on: started - Duration::days(1), attended: true };
    assert!(matches!(store.record_session(before, ev(), NOW).await, Err(StoreError::Conflict(_))));
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let early = NewEpisode { client, therapist, started_on: started - Duration::days(1), measures: vec![] };
    assert!(matches!(store.open_episode(early, ev(), NOW).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.sessions(session.episode).await.unwrap().len(), 1, "nothing recorded");
    assert_eq!(store.episodes(client).await.unwrap()[0].ended_on, None, "the current episode still open");
    // On the first day of the episode, and a new episode starting the day the current one began: both taken.
    let first_day = NewSession { episode: session.episode, held_on: started, attended: true };
    assert_eq!(store.record_session(first_day, ev(), NOW).await.unwrap().number, 2);
    let same_day = NewEpisode { client, therapist, started_on: started, measures: vec![] };
    store.open_episode(same_day, ev(), NOW).await.unwrap();
    assert_eq!(store.episodes(client).await.unwrap().len(), 2);
}

/// A listing of therapist reflections carries what a page chooses by (session, date, flags, comment count) and
/// leaves out other instruments, client answers and other clients; the chosen rows are then read whole by id.
pub async fn a_listing_names_reflections_without_their_answers(store: &dyn Store) {
    let (client, session) = session_for(store, "listing@example.org").await;
    let (other, other_session) = session_for(store, "listing-other@example.org").await;
    let reflection = InstrumentRef { id: "therapist-reflection".into(), version: 1 };
    let mut shared = response(None, 21.0);
    shared.flags.indicators = vec!["supervision".into()];
    let id = store.save_therapist_response(session.id, reflection.clone(), shared, ev(), NOW).await.unwrap();
    let other_id = store
        .save_therapist_response(other_session.id, reflection.clone(), response(None, 9.0), ev(), NOW)
        .await
        .unwrap();
    let another_instrument = InstrumentRef { id: "srs-structure".into(), version: 1 };
    store.save_therapist_response(session.id, another_instrument, response(None, 3.0), ev(), NOW).await.unwrap();
    store
        .add_reflection_comment(NewReflectionComment {
            session: session.id,
            author: store.user_by_email("listing@example.org").await.unwrap().unwrap().id,
            body: "a comment".into(),
            created_at: NOW,
        })
        .await
        .unwrap();

    let listed = store.therapist_listing(&[client], "therapist-reflection").await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let row = &listed[0];
    assert_eq!((row.administration, row.session, row.client), (id, session.id, client));
    assert_eq!((row.session_number, row.held_on), (session.number, session.held_on));
    assert!(row.flags.has("supervision"), "flags opened: {:?}", row.flags);
    assert_eq!(row.comments, 1);
    let both = store.therapist_listing(&[client, other], "therapist-reflection").await.unwrap();
    let counts: Vec<(ClientId, usize)> = both.iter().map(|r| (r.client, r.comments)).collect();
    assert_eq!(counts, vec![(client, 1), (other, 0)]);
    assert!(store.therapist_listing(&[], "therapist-reflection").await.unwrap().is_empty());
    assert!(store.therapist_listing(&[client], "phq9").await.unwrap().is_empty(), "no client answers");

    let read = store.responses_by_id(&[other_id, id]).await.unwrap();
    let whole = store.responses_of(client).await.unwrap();
    let from_client = whole.iter().find(|r| r.administration == id).unwrap();
    assert_eq!(read.iter().find(|r| r.administration == id), Some(from_client), "the same response as responses_of");
    assert_eq!(read.len(), 2);
    assert!(store.responses_by_id(&[]).await.unwrap().is_empty());
    assert!(store.responses_by_id(&[AdministrationId(id.0 + 100_000)]).await.unwrap().is_empty());
}
