//! Clinical support (issue 18) on both engines: barrier-check requests, repair attempts with sealed notes, and
//! how episodes ended.

use alliance_store::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, response, session_for};

const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

pub async fn a_barrier_request_stands_until_a_barrier_check_is_answered(store: &dyn Store) {
    let (client, session) = session_for(store, "barriers@example.org").await;
    let episode = session.episode;
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let open = |requests: &[BarrierRequest]| requests.iter().filter(|r| r.withdrawn_at.is_none()).count();
    store.request_barrier_check(episode, BarrierReason::NotOnTrack, therapist, ev(), NOW).await.unwrap();
    store.request_barrier_check(episode, BarrierReason::Therapist, therapist, ev(), NOW).await.unwrap();
    let requests = store.barrier_requests(&[episode]).await.unwrap();
    assert_eq!(requests.len(), 1, "an open request stands: no second one");
    assert_eq!((requests[0].reason, requests[0].requested_by), (BarrierReason::NotOnTrack, Some(therapist)));
    assert_eq!(store.open_barrier_request(episode).await.unwrap().map(|r| r.id), Some(requests[0].id));

    // The client answers a link that asks the barrier check: a later request is a new one.
    let hash = [31u8; 32];
    let barrier = InstrumentRef { id: "barrier-check".into(), version: 1 };
    let link = NewLink {
        session: session.id,
        token_hash: hash.to_vec(),
        expires_at: NOW + Duration::days(3),
        instruments: vec![barrier],
    };
    store.create_link(link, ev(), NOW).await.unwrap();
    let view = store.link_by_token(&hash, NOW).await.unwrap().unwrap();
    let answers = view.administrations.iter().map(|a| response(Some(a.id), 4.0)).collect();
    let later = NOW + Duration::hours(1);
    store.submit_check(&hash, answers, CheckExtras::default(), ev(), later).await.unwrap().unwrap();
    assert_eq!(store.open_barrier_request(episode).await.unwrap(), None, "answered: it no longer stands");
    store.request_barrier_check(episode, BarrierReason::Therapist, therapist, ev(), later).await.unwrap();
    assert_eq!(store.barrier_requests(&[episode]).await.unwrap().len(), 2, "answered: a new request goes in");

    let before = store.audit_events(10_000).await.unwrap().len();
    store.withdraw_barrier_check(episode, ev(), later).await.unwrap();
    let requests = store.barrier_requests(&[episode]).await.unwrap();
    assert_eq!(open(&requests), 0);
    assert_eq!(store.open_barrier_request(episode).await.unwrap(), None, "withdrawn");
    assert_eq!(requests[1].withdrawn_at, Some(later));
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), before + 1, "audited");
}

pub async fn repair_attempts_keep_their_sealed_note_and_go_with_the_client(store: &dyn Store) {
    let (client, session) = session_for(store, "repair@example.org").await;
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let attempt = NewRepairAttempt {
        episode: session.episode,
        rupture_session: 3,
        tried_session: 4,
        strategy: "metacommunicate".into(),
        note: Some("Named the silence after the homework question".into()),
    };
    store.record_repair_attempt(&attempt, therapist, ev(), NOW).await.unwrap();
    let plain = NewRepairAttempt { strategy: "adjust-task".into(), note: None, tried_session: 5, ..attempt.clone() };
    store.record_repair_attempt(&plain, therapist, ev(), NOW + Duration::minutes(1)).await.unwrap();
    let attempts = store.repair_attempts(&[client]).await.unwrap();
    let seen: Vec<_> = attempts
        .iter()
        .map(|a| (a.client, a.rupture_session, a.tried_session, a.strategy.as_str(), a.note.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![(client, 3, 4, "metacommunicate", attempt.note.clone()), (client, 3, 5, "adjust-task", None),]
    );
    assert_eq!(attempts[0].recorded_by, Some(therapist));
    let research = store.all_repair_attempts().await.unwrap();
    assert_eq!(research.len(), 2);
    assert!(research.iter().all(|a| a.note.is_none()), "the research listing carries no notes");

    store.set_end_reason(session.episode, EndReason::Completed, ev()).await.unwrap();
    store.set_end_reason(session.episode, EndReason::DroppedOut, ev()).await.unwrap();
    assert_eq!(store.end_reasons(&[session.episode]).await.unwrap(), vec![(session.episode, EndReason::DroppedOut)]);
    assert!(store.ended_episodes().await.unwrap().is_empty(), "an episode still open is not an ended one");
    store.end_episode(session.episode, time::macros::date!(2026 - 12 - 01), ev()).await.unwrap();
    assert_eq!(store.ended_episodes().await.unwrap(), vec![(session.episode, client, EndReason::DroppedOut)]);
    store.request_barrier_check(session.episode, BarrierReason::Therapist, therapist, ev(), NOW).await.unwrap();

    store.delete_client(client, AuditEvent { action: "delete", object_kind: "client", ..ev() }).await.unwrap();
    assert!(store.repair_attempts(&[client]).await.unwrap().is_empty());
    assert!(store.all_repair_attempts().await.unwrap().is_empty());
    assert!(store.end_reasons(&[session.episode]).await.unwrap().is_empty());
    assert!(store.barrier_requests(&[session.episode]).await.unwrap().is_empty());
}

/// An imported response (issue 19, item 5) is stored once per session and instrument, completed when it was
/// given, with its answers and scores as a check's; a second import of it stores nothing and says so.
pub async fn an_imported_response_is_stored_once(store: &dyn Store) {
    let (client, session) = session_for(store, "import@example.org").await;
    let given = datetime!(2026-01-05 12:00 UTC);
    let phq9 = || InstrumentRef { id: "phq9".into(), version: 1 };
    let first = store.import_client_response(session.id, phq9(), response(None, 12.0), ev(), given).await.unwrap();
    assert!(first.is_some());
    let again = store.import_client_response(session.id, phq9(), response(None, 20.0), ev(), given).await.unwrap();
    assert_eq!(again, None, "the session has its PHQ-9 already");
    let stored = store.responses_of(client).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].submitted_at, stored[0].rater), (given, Rater::Client));
    assert_eq!(stored[0].scores[0].value, Some(12.0), "the first import's score, not the second's");
    let points = store.score_points(&[client]).await.unwrap();
    assert!(points.iter().any(|p| p.instrument == "phq9" && p.value == Some(12.0)), "read like any check");
    // Another instrument at the same session is a response of its own.
    let gad7 = InstrumentRef { id: "gad7".into(), version: 1 };
    assert!(store.import_client_response(session.id, gad7, response(None, 5.0), ev(), given).await.unwrap().is_some());
    let audited = store.audit_events(1000).await.unwrap();
    assert!(audited.iter().any(|e| e.object_id == first.map(|a| a.0)), "the import is audited, naming the response");
}
