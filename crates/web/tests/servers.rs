//! Two app servers on one database: sign-ins, anti-forgery secrets and single-use links hold across them.

use alliance_core::domain::Role;
use alliance_store::ClientId;

use crate::app::{TestApp, client_with_link, complete_answers, hidden};

#[tokio::test]
async fn the_same_link_sent_to_two_servers_at_once_is_accepted_once() {
    let app = TestApp::spawn().await;
    let other = app.second_server().await;
    app.user("two@example.org", Role::Therapist).await;
    let (me, client, _, token) = client_with_link(&app, "two@example.org", "Rowan Teal").await;

    // A sign-in made on one server works on the other: sessions live in the database.
    let r = me.browser.get(format!("{other}/")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/"));

    // The form comes from one server and is posted to both at the same moment.
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let a = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send();
        let b = phone.post(format!("{other}/c/{token}")).form(&fields).send();
        let (a, b) = tokio::join!(a, b);
        statuses.extend([a.unwrap().status().as_u16(), b.unwrap().status().as_u16()]);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    assert_eq!(stored.len(), 3, "one relationship check, one PHQ-9, one GAD-7: accepted exactly once");
    let audit = app.store.audit_events(1000).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "client-submitted").count(), 1);
}

/// Overviews are kept between requests (see the application crate's `overview_cache`): a change made through another
/// server must show at once on the server that keeps them.
#[tokio::test]
async fn kept_overviews_follow_changes_made_on_another_server() {
    let app = TestApp::spawn().await;
    let other = app.second_server().await;
    app.user("kept@example.org", Role::Therapist).await;
    let (me, client, session, token) = client_with_link(&app, "kept@example.org", "Ash Wren").await;
    let page = format!("/clients/{client}");
    let rupture_signal = "<h3>Rupture ";
    let (status, before) = me.get(&page).await;
    assert_eq!(status, 200);
    assert!(!before.contains(rupture_signal), "no answers yet");
    let (_, caseload_before) = me.get("/").await;
    assert!(!caseload_before.contains(">16<"), "no PHQ-9 score yet");

    // The client answers through the other server: a rupture reported, PHQ-9 total 16.
    let phone = TestApp::browser();
    let form = phone.get(format!("{other}/c/{token}")).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let r = phone.post(format!("{other}/c/{token}")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let (_, after) = me.get(&page).await;
    assert!(after.contains(rupture_signal), "the first server shows the new answers");
    let (_, caseload_after) = me.get("/").await;
    assert!(caseload_after.contains("16"), "the caseload shows the new PHQ-9 total");
    assert_ne!(caseload_before, caseload_after);

    // A session recorded later shows too (its revision moved).
    let _ = session;
    let episode = crate::app::number_after(&after, "action=\"/episodes/");
    let (status, _, _) = me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-29")]).await;
    assert_eq!(status, 200);
    let (_, with_second) = me.get(&page).await;
    assert!(with_second.contains("29 Nov 2026") || with_second.contains("2026-11-29"), "the new session is listed");
}
