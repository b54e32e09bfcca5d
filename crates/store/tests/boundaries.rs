//! The boundary log and supervision meetings (issue 20, items 1 and 4) in every store: notes, what was agreed and
//! agreed actions sealed; shared events only to the supervisor's reading; every write audited naming its row; a
//! meeting's items and actions, and the client's events, go with the client.

use alliance_core::boundaries::{BoundaryKind, Channel, Crossing, GiftDirection, Initiator};
use alliance_core::domain::Role;
use alliance_store::*;
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::conformance::{ev, session_for, therapist};

const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

fn event(client: ClientId, crossing: Crossing, on: time::Date, note: Option<&str>, shared: bool) -> NewBoundaryEvent {
    NewBoundaryEvent { client, session: None, crossing, occurred_on: on, note: note.map(Into::into), shared }
}

fn audit(action: &'static str) -> AuditEvent {
    AuditEvent { action, object_kind: "boundary-event", ..ev() }
}

pub async fn boundary_events_keep_their_details_and_sealed_note_and_only_shared_ones_reach_supervision(
    store: &dyn Store,
) {
    let (client, session) = session_for(store, "boundary-t@example.org").await;
    let owner = store.user_by_email("boundary-t@example.org").await.unwrap().unwrap().id;
    let other = therapist(store, "boundary-other@example.org").await;
    let overrun = Crossing::Overrun { minutes: 25 };
    let contact = Crossing::Contact { channel: Channel::TextMessage, initiated_by: Initiator::Client };
    let note = "Texted at night; 'urgent' — رسالة";
    let first = NewBoundaryEvent {
        session: Some(session.id),
        ..event(client, overrun, date!(2026 - 11 - 28), Some(note), true)
    };
    let a = store.record_boundary_event(&first, owner, audit("boundary-record"), NOW).await.unwrap();
    let b = store
        .record_boundary_event(&event(client, contact, date!(2026 - 12 - 01), None, false), owner, audit("x"), NOW)
        .await
        .unwrap();
    let gift = Crossing::Gift { direction: GiftDirection::Received };
    let c = store
        .record_boundary_event(&event(client, gift, date!(2026 - 10 - 01), Some("a book"), true), owner, ev(), NOW)
        .await
        .unwrap();

    // The therapist's own reading: all, newest first, with notes and details as recorded.
    let mine = store.boundary_events_of(client, owner, false).await.unwrap();
    assert_eq!(mine.iter().map(|e| e.id).collect::<Vec<_>>(), vec![b, a, c]);
    assert_eq!((mine[1].crossing, mine[1].session, mine[1].note.as_deref()), (overrun, Some(session.id), Some(note)));
    assert_eq!((mine[0].crossing, mine[0].note.as_deref(), mine[0].shared), (contact, None, false));
    assert_eq!((mine[2].crossing.kind(), mine[2].recorded_at, mine[2].therapist), (BoundaryKind::Gift, NOW, owner));
    let shared = store.boundary_events_of(client, owner, true).await.unwrap();
    assert_eq!(shared.iter().map(|e| e.id).collect::<Vec<_>>(), vec![a, c]);
    assert!(store.boundary_events_of(client, other, false).await.unwrap().is_empty(), "recorded by the owner only");

    // The supervisor's list: shared only, with the pseudonym, without notes; notes read apart.
    let listed = store.shared_boundary_events(&[owner, other]).await.unwrap();
    assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), vec![a, c]);
    assert!(listed.iter().all(|e| e.note.is_none() && e.pseudonym == "Amber Heron"));
    assert!(store.shared_boundary_events(&[other]).await.unwrap().is_empty());
    assert!(store.shared_boundary_events(&[]).await.unwrap().is_empty());
    let mut notes = store.boundary_notes(&[a, b, c]).await.unwrap();
    notes.sort();
    assert_eq!(notes, vec![(a, note.to_owned()), (c, "a book".to_owned())]);

    // Audited in the same transaction, naming the event.
    let log = store.audit_events(1000).await.unwrap();
    let entry = log.iter().find(|e| e.action == "boundary-record").unwrap();
    assert_eq!((entry.object_id, entry.object_kind.as_str()), (Some(a), "boundary-event"));

    // A client that does not exist stores nothing.
    let before = store.audit_events(10_000).await.unwrap().len();
    let ghost = event(ClientId(987_654), overrun, date!(2026 - 12 - 01), Some("x"), true);
    assert!(store.record_boundary_event(&ghost, owner, ev(), NOW).await.is_err());
    assert_eq!(store.audit_events(10_000).await.unwrap().len(), before, "a refused event audits nothing");
}

pub async fn a_meeting_keeps_what_was_discussed_and_agreed_and_its_actions_come_back_until_done(store: &dyn Store) {
    let (client, session) = session_for(store, "meeting-t@example.org").await;
    let t = store.user_by_email("meeting-t@example.org").await.unwrap().unwrap().id;
    let other = therapist(store, "meeting-other@example.org").await;
    let supervisor = store
        .create_user(
            NewUser {
                email: "meeting-s@example.org".into(),
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
    store.add_supervision(supervisor, t, ev()).await.unwrap();
    let crossing = Crossing::Other(BoundaryKind::SelfDisclosure);
    let shared = event(client, crossing, date!(2026 - 12 - 01), Some("n"), true);
    let boundary = store.record_boundary_event(&shared, t, ev(), NOW).await.unwrap();

    let meeting = |held_on, agreed: Option<&str>, actions: Vec<(ClientId, String)>| NewMeeting {
        supervisor,
        therapist: t,
        held_on,
        agreed: agreed.map(Into::into),
        items: vec![
            NewMeetingItem { client, session: None, boundary_event: None },
            NewMeetingItem { client, session: Some(session.id), boundary_event: None },
            NewMeetingItem { client, session: None, boundary_event: Some(boundary) },
        ],
        actions,
    };
    let record = AuditEvent { action: "meeting-record", object_kind: "supervision-meeting", ..ev() };
    let first = store
        .record_meeting(
            &meeting(
                date!(2026 - 12 - 02),
                Some("Talk about the ending — خاتمة"),
                vec![(client, "Name the overruns with the client".into()), (client, "Agree a fixed end time".into())],
            ),
            record.clone(),
            NOW,
        )
        .await
        .unwrap();
    let second = store.record_meeting(&meeting(date!(2026 - 12 - 06), None, vec![]), ev(), NOW).await.unwrap();
    let entry = store.audit_events(1000).await.unwrap().into_iter().find(|e| e.action == "meeting-record").unwrap();
    assert_eq!(entry.object_id, Some(first));

    // Paged, newest first, the same for the supervisor and the therapist.
    let (total, page) = store.meetings(MeetingsOf::Supervisor(supervisor), 0, 1).await.unwrap();
    assert_eq!((total, page.iter().map(|m| m.id).collect::<Vec<_>>()), (2, vec![second]));
    let (total, page) = store.meetings(MeetingsOf::Therapist(t), 1, 1).await.unwrap();
    assert_eq!((total, page.len()), (2, 1));
    let m = &page[0];
    assert_eq!(
        (m.id, m.held_on, m.agreed.as_deref()),
        (first, date!(2026 - 12 - 02), Some("Talk about the ending — خاتمة"))
    );
    assert_eq!(m.items.len(), 3);
    assert!(m.items.iter().all(|i| i.client == client && i.pseudonym == "Amber Heron"));
    assert!(m.items.iter().any(|i| i.session == Some(session.id) && i.session_number == Some(session.number)));
    assert!(m.items.iter().any(|i| i.boundary_event == Some(boundary)
        && i.boundary_kind == Some(BoundaryKind::SelfDisclosure)
        && i.boundary_on == Some(date!(2026 - 12 - 01))));
    assert_eq!(
        m.actions.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
        vec!["Name the overruns with the client", "Agree a fixed end time"]
    );
    assert_eq!(store.meetings(MeetingsOf::Therapist(other), 0, 10).await.unwrap(), (0, vec![]));
    assert_eq!(store.meetings(MeetingsOf::Supervisor(supervisor), 5, 10).await.unwrap().1, vec![]);

    // Open actions come back for the therapist and that client until marked done, by that therapist only.
    let open = store.open_actions(client, t).await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!((open[0].held_on, open[0].pseudonym.as_str()), (date!(2026 - 12 - 02), "Amber Heron"));
    assert!(store.open_actions(client, other).await.unwrap().is_empty());
    let done = AuditEvent { action: "action-done", object_kind: "supervision-action", ..ev() };
    assert!(!store.mark_action_done(open[0].id, client, other, done.clone(), NOW).await.unwrap());
    assert!(!store.mark_action_done(open[0].id, ClientId(987_654), t, done.clone(), NOW).await.unwrap());
    assert!(store.mark_action_done(open[0].id, client, t, done.clone(), NOW).await.unwrap());
    assert!(!store.mark_action_done(open[0].id, client, t, done.clone(), NOW).await.unwrap(), "done once");
    assert_eq!(store.open_actions(client, t).await.unwrap().iter().map(|a| a.id).collect::<Vec<_>>(), vec![open[1].id]);
    let marked = store.audit_events(1000).await.unwrap().into_iter().filter(|e| e.action == "action-done").count();
    assert_eq!(marked, 1, "only the marking that happened is audited");
    let (_, all) = store.meetings(MeetingsOf::Therapist(t), 0, 10).await.unwrap();
    assert_eq!(all[1].actions[0].done_at, Some(NOW));

    // Erasing the client takes their events, the meetings' items about them and the actions; the meetings stay.
    store.delete_client(client, AuditEvent { action: "delete", object_kind: "client", ..ev() }).await.unwrap();
    assert!(store.boundary_events_of(client, t, false).await.unwrap().is_empty());
    assert!(store.shared_boundary_events(&[t]).await.unwrap().is_empty());
    assert!(store.boundary_notes(&[boundary]).await.unwrap().is_empty());
    assert!(store.open_actions(client, t).await.unwrap().is_empty());
    let (total, all) = store.meetings(MeetingsOf::Therapist(t), 0, 10).await.unwrap();
    assert_eq!(total, 2);
    assert!(all.iter().all(|m| m.items.is_empty() && m.actions.is_empty()));
}
