//! Risk as a protocol, in every store: an action on a risk signal is kept with its acknowledgement, the note
//! sealed, every action listed in order, and all of it erased with the client.

use alliance_store::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, session_for};

const NOW: OffsetDateTime = datetime!(2026-11-29 10:00 UTC);

pub async fn run_all(store: &dyn Store) {
    a_risk_action_is_kept_with_its_acknowledgement(store).await;
    the_crisis_information_is_replaced_as_a_whole(store).await;
}

async fn the_crisis_information_is_replaced_as_a_whole(store: &dyn Store) {
    use alliance_core::crisis::CrisisProtocol;
    assert_eq!(store.crisis_protocol().await.unwrap(), None, "none until an administrator sets it");
    let first = CrisisProtocol::parse("Call us.", "A | 112\nB | https://example.org/b").unwrap();
    let audit = AuditEvent { action: "write", object_kind: "crisis-information", ..ev() };
    let before = store.audit_events(10_000).await.unwrap().len();
    store.set_crisis_protocol(&first, UserId(1), audit.clone(), NOW).await.unwrap();
    assert_eq!(store.crisis_protocol().await.unwrap().as_ref(), Some(&first));
    let second = CrisisProtocol::parse("Call the line.", "C | 999").unwrap();
    store.set_crisis_protocol(&second, UserId(1), audit, NOW).await.unwrap();
    assert_eq!(store.crisis_protocol().await.unwrap(), Some(second), "earlier contacts are gone");
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), before + 2);
}

async fn a_risk_action_is_kept_with_its_acknowledgement(store: &dyn Store) {
    let (client, _) = session_for(store, "risk@example.org").await;
    let therapist = store.client(client).await.unwrap().unwrap().therapist;
    let before = store.audit_events(10_000).await.unwrap().len();
    let first = NewRiskAction {
        kind: RiskActionKind::ContactedClient,
        note: String::new(),
        acted_at: NOW - Duration::hours(2),
    };
    let audit = AuditEvent { action: "acknowledge", object_kind: "signal", object_id: Some(client.0), ..ev() };
    store.acknowledge_risk(client, "1:risk:1", therapist, &first, audit.clone(), NOW).await.unwrap();
    let second =
        NewRiskAction { kind: RiskActionKind::NotNeeded, note: "Reviewed together; no plan.".into(), acted_at: NOW };
    let later = NOW + Duration::minutes(5);
    store.acknowledge_risk(client, "1:risk:1", therapist, &second, audit, later).await.unwrap();

    let acks = store.acknowledgements(&[client]).await.unwrap();
    assert_eq!(acks.len(), 1, "the first acknowledgement stands");
    assert_eq!(acks[0].at, NOW);
    let actions = store.risk_actions(&[client]).await.unwrap();
    let kinds: Vec<_> = actions.iter().map(|a| (a.kind, a.note.as_str(), a.acted_at, a.recorded_at)).collect();
    assert_eq!(
        kinds,
        vec![
            (RiskActionKind::ContactedClient, "", NOW - Duration::hours(2), NOW),
            (RiskActionKind::NotNeeded, "Reviewed together; no plan.", NOW, later),
        ]
    );
    assert!(actions.iter().all(|a| a.user == therapist && a.key == "1:risk:1"));
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), before + 2, "each action audited");
    assert!(store.risk_actions(&[ClientId(client.0 + 1000)]).await.unwrap().is_empty());

    store.delete_client(client, ev()).await.unwrap();
    assert!(store.risk_actions(&[client]).await.unwrap().is_empty(), "erased with the client");
}
