//! The boundary log (issue 20, item 1) end to end: recorded in one form from the client or session page, its note
//! shown to the therapist and, when shared, to their supervisor (audited as supervision); the supervisor's page
//! of how crossings accumulate, in words; malformed, oversized and hostile input, and another therapist's client,
//! refused with nothing stored.

use alliance_core::boundaries::{BoundaryKind, Crossing};
use alliance_core::domain::Role;
use alliance_store::{ClientId, UserId};

use crate::app::{TestApp, client_with_link};

fn iso(days_ago: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() - time::Duration::days(days_ago);
    format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}

async fn owner_of(app: &TestApp, email: &str) -> UserId {
    app.store.user_by_email(email).await.unwrap().unwrap().id
}

#[tokio::test]
async fn a_boundary_event_is_recorded_in_one_form_and_shared_ones_reach_the_supervisor_as_prompts() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let sup = app.user("sup@example.org", Role::Supervisor).await;
    app.supervise(sup, ana).await;
    let (me, client, session, _) = client_with_link(&app, "ana@example.org", "Birch Wren").await;
    let path = format!("/clients/{client}/boundaries");

    // From the session page: the link names the session, the form carries it.
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains(&format!("{path}?session={session}")), "the session page links to the form");
    let (status, page) = me.get(&format!("{path}?session={session}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("name=\"session\" value=\"{session}\"")));
    let (ten, three) = (iso(10), iso(3));
    let session_text = session.to_string();
    let overrun = [
        ("kind", "overrun"),
        ("minutes", "25"),
        ("occurred_on", ten.as_str()),
        ("note", "Ran over <b>again</b>"),
        ("supervision", "yes"),
        ("session", session_text.as_str()),
        // Details of another kind are not kept.
        ("gift", "given"),
    ];
    let (status, url, page) = me.post(&path, &overrun).await;
    assert_eq!((status, url.as_str()), (200, path.as_str()), "post-redirect-get to the log");
    assert!(page.contains("Session overrun") && page.contains("25 minutes over"), "the log shows it");
    assert!(page.contains("Ran over &#60;b&#62;again") && !page.contains("<b>again"), "the note, escaped: {page}");
    let second = [("kind", "overrun"), ("minutes", "15"), ("occurred_on", three.as_str()), ("supervision", "yes")];
    assert_eq!(me.post(&path, &second).await.0, 200);
    let private = [
        ("kind", "contact"),
        ("channel", "text"),
        ("initiated_by", "client"),
        ("occurred_on", three.as_str()),
        ("note", "Private thought"),
    ];
    let (status, _, page) = me.post(&path, &private).await;
    assert_eq!(status, 200);
    assert!(page.contains("Text message, begun by the client") && page.contains("Private thought"));
    assert!(page.contains("More lately than before"), "two overruns this quarter, none before: growing");

    let stored = app.store.boundary_events_of(ClientId(client), ana, false).await.unwrap();
    assert_eq!(stored.len(), 3);
    let first = stored.iter().find(|e| e.crossing == Crossing::Overrun { minutes: 25 }).unwrap();
    assert_eq!((first.session.map(|s| s.0), first.shared), (Some(session), true));
    assert_eq!(first.crossing.gift(), None);
    let audit = app.store.audit_events(1000).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "create" && e.object_kind == "boundary-event" && e.object_id == Some(first.id))
    );

    // The supervisor: the shared events with their notes on the client's log, never the private one; audited.
    let s = app.sign_in("sup@example.org").await;
    let (status, page) = s.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Ran over &#60;b&#62;again") && !page.contains("Private thought"));
    assert!(!page.contains("Text message"), "the unshared contact is not listed");
    assert!(!page.contains("name=\"kind\""), "no form for the supervisor");
    let audit = app.store.audit_events(1000).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "read"
        && e.object_kind == "boundary-events"
        && e.object_id == Some(client)
        && e.purpose == "supervision"
        && e.actor == Some(sup)));
    // Across supervisees: per therapist and per client, in words; the list without notes.
    let (status, page) = s.get("/supervision/boundaries").await;
    assert_eq!(status, 200);
    assert!(page.contains("Birch Wren") && page.contains("More lately than before"), "{page}");
    assert!(page.contains("2 (40 min)"), "the latest quarter: two overruns, 40 minutes");
    assert!(!page.contains("Ran over") && !page.contains("Private"), "notes stay on the client's log");
    assert_eq!(s.get("/supervision/boundaries?page=x").await.0, 400);
    assert_eq!(s.post(&path, &second).await.0, 403, "the supervisor records nothing");
    assert_eq!(app.store.boundary_events_of(ClientId(client), ana, false).await.unwrap().len(), 3);

    // Another therapist's supervisor sees nothing of it.
    let other = app.user("other-sup@example.org", Role::Supervisor).await;
    let o = app.sign_in("other-sup@example.org").await;
    assert_eq!(o.get(&path).await.0, 404);
    let (_, page) = o.get("/supervision/boundaries").await;
    assert!(!page.contains("Birch Wren"));
    assert!(app.store.shared_boundary_events(&app.store.supervisees(other).await.unwrap()).await.unwrap().is_empty());
}

#[tokio::test]
async fn malformed_oversized_and_hostile_boundary_events_and_another_therapists_client_store_nothing() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("bo@example.org", Role::Therapist).await;
    let (me, client, _, _) = client_with_link(&app, "ana@example.org", "Aspen Kite").await;
    let (bo, _, bos_session, _) = client_with_link(&app, "bo@example.org", "Other Client").await;
    let ana = owner_of(&app, "ana@example.org").await;
    let path = format!("/clients/{client}/boundaries");
    let today = iso(0);
    let long = "x".repeat(2001);
    let bos = bos_session.to_string();
    let t = today.as_str();
    let hostile: Vec<Vec<(&str, &str)>> = vec![
        vec![("occurred_on", t)],
        vec![("kind", "violation"), ("occurred_on", t)],
        vec![("kind", "OVERRUN"), ("minutes", "5"), ("occurred_on", t)],
        vec![("kind", "overrun"), ("occurred_on", t)],
        vec![("kind", "overrun"), ("minutes", "0"), ("occurred_on", t)],
        vec![("kind", "overrun"), ("minutes", "601"), ("occurred_on", t)],
        vec![("kind", "overrun"), ("minutes", "1e3"), ("occurred_on", t)],
        vec![("kind", "overrun"), ("minutes", "-5"), ("occurred_on", t)],
        vec![("kind", "contact"), ("channel", "fax"), ("initiated_by", "client"), ("occurred_on", t)],
        vec![("kind", "contact"), ("channel", "phone"), ("occurred_on", t)],
        vec![("kind", "gift"), ("gift", "stolen"), ("occurred_on", t)],
        vec![("kind", "other")],
        vec![("kind", "other"), ("occurred_on", "2026-13-01")],
        vec![("kind", "other"), ("occurred_on", "3026-01-01")],
        vec![("kind", "other"), ("occurred_on", "'; DROP TABLE boundary_events; --")],
        vec![("kind", "other"), ("occurred_on", t), ("note", long.as_str())],
        vec![("kind", "other"), ("occurred_on", t), ("note", "a\u{202e}b")],
        vec![("kind", "other"), ("occurred_on", t), ("note", "a\u{0}b")],
        vec![("kind", "other"), ("occurred_on", t), ("supervision", "maybe")],
        vec![("kind", "other"), ("occurred_on", t), ("session", "abc")],
        vec![("kind", "other"), ("occurred_on", t), ("session", bos.as_str())],
        vec![("kind", "other"), ("kind", "gift"), ("occurred_on", t)],
        vec![("kind", "<script>alert(1)</script>"), ("occurred_on", t)],
    ];
    for fields in &hostile {
        let (status, _, body) = me.post(&path, fields).await;
        assert_eq!(status, 400, "{fields:?}");
        assert!(!body.contains("<script>alert") && !body.contains("panicked"), "{fields:?}");
    }
    assert_eq!(me.get(&format!("{path}?session={bos}")).await.0, 400, "another client's session");
    assert_eq!(me.get(&format!("{path}?evil=1")).await.0, 400);
    // Another therapist's client: not found, nothing stored, the refusal audited.
    let good = [("kind", "physical-contact"), ("occurred_on", t), ("note", "n")];
    assert_eq!(bo.post(&path, &good).await.0, 404);
    assert_eq!(bo.get(&path).await.0, 404);
    assert!(app.store.boundary_events_of(ClientId(client), ana, false).await.unwrap().is_empty(), "nothing stored");
    let bo_id = owner_of(&app, "bo@example.org").await;
    assert!(app.store.boundary_events_of(ClientId(client), bo_id, false).await.unwrap().is_empty());
    let audit = app.store.audit_events(1000).await.unwrap();
    assert!(!audit.iter().any(|e| e.object_kind == "boundary-event"), "a refused event audits no creation");
    assert!(audit.iter().any(|e| e.action == "read-denied" && e.object_id == Some(client)));
    // The same good form from the owner is stored: the refusals above were about their input.
    assert_eq!(me.post(&path, &good).await.0, 200);
    let stored = app.store.boundary_events_of(ClientId(client), ana, false).await.unwrap();
    assert_eq!(stored.iter().map(|e| e.crossing.kind()).collect::<Vec<_>>(), vec![BoundaryKind::PhysicalContact]);
}
