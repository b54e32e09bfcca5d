//! Local time (issue 13): "today" is the practice's date, not UTC's, and every time is shown on the reader's
//! clock, the practice's zone unless they chose their own.

use alliance_core::domain::Role;
use alliance_web::LocalZone;
use time::macros::datetime;

use crate::app::{TestApp, number_after};

#[tokio::test]
async fn today_is_the_local_date_and_times_are_shown_on_the_readers_clock() {
    let app = TestApp::spawn_with(|c| c.time_zone = LocalZone::parse("Pacific/Auckland").unwrap()).await;
    // 20:00 UTC on 5 December is 09:00 on Sunday 6 December in Auckland (NZDT, UTC+13).
    let stands_at = app.freeze();
    app.advance(datetime!(2026-12-05 20:00 UTC).unix_timestamp() - stands_at);
    let me_id = app.user("kauri@example.org", Role::Therapist).await;
    let me = app.sign_in("kauri@example.org").await;

    let (_, form) = me.get("/clients/new").await;
    assert!(form.contains(r#"value="2026-12-06""#), "the local date is the default: {form}");
    let started = [("pseudonym", "Rata Tui"), ("measure", "phq9"), ("started_on", "2026-12-06")];
    let (status, url, page) = me.post("/clients/new", &started).await;
    assert_eq!(status, 200, "6 December is today in Auckland, not the future: {page}");
    let (_, page) = me.get(&url).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let end = format!("/episodes/{episode}/end");
    let (_, account) = me.get("/account").await;
    assert!(account.contains("shown in Pacific/Auckland: it is now 6 Dec 2026, 09:00 NZDT"), "{account}");
    assert!(account.contains("The practice&#39;s (Pacific/Auckland)"), "{account}");

    // The therapist works from Berlin: their own clock and their own today.
    let (status, url, account) = me.post("/account/time-zone", &[("time_zone", "Europe/Berlin")]).await;
    assert_eq!((status, url.as_str()), (200, "/account"), "post-redirect-get");
    assert!(account.contains("it is now 5 Dec 2026, 21:00 CET"), "{account}");
    assert!(account.contains("<option selected>Europe/Berlin</option>"), "{account}");
    assert!(account.contains("5 Dec 2026, 21:00 CET"), "the sign-ins list on the same clock: {account}");
    let (_, form) = me.get("/clients/new").await;
    assert!(form.contains(r#"value="2026-12-05""#), "Berlin's date: {form}");
    let (status, _, page) = me.post(&end, &[("ended_on", "2026-12-06")]).await;
    assert_eq!(status, 400, "6 December has not begun in Berlin");
    assert!(page.contains("cannot end in the future"), "{page}");
    assert_eq!(app.store.user(me_id).await.unwrap().unwrap().time_zone.as_deref(), Some("Europe/Berlin"));

    // Hostile or unknown names change nothing.
    let long = "Europe/".repeat(500);
    for bad in ["Mars/Olympus", "Europe/Berlin\u{202E}", "../../../etc/localtime", long.as_str(), "UTC\0"] {
        let (status, _, page) = me.post("/account/time-zone", &[("time_zone", bad)]).await;
        assert_eq!(status, 422, "{bad:?}");
        assert!(page.contains("Not changed"), "{page}");
    }
    assert_eq!(app.store.user(me_id).await.unwrap().unwrap().time_zone.as_deref(), Some("Europe/Berlin"));

    // Empty goes back to the practice's zone; every change is in the audit log.
    let (status, _, account) = me.post("/account/time-zone", &[("time_zone", "")]).await;
    assert_eq!(status, 200);
    assert!(account.contains("shown in Pacific/Auckland"), "{account}");
    assert_eq!(app.store.user(me_id).await.unwrap().unwrap().time_zone, None);
    let (status, _, page) = me.post(&end, &[("ended_on", "2026-12-06")]).await;
    assert_eq!(status, 200, "today in Auckland: {page}");
    let filter = alliance_store::AuditFilter { action: Some("time-zone".into()), ..Default::default() };
    assert_eq!(app.store.search_audit(&filter, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_risk_action_time_is_read_on_the_readers_clock() {
    let app = TestApp::spawn_with(|c| c.time_zone = LocalZone::parse("America/New_York").unwrap()).await;
    let (me, client, risk) = crate::risk::client_at_risk(&app, "ny@example.org").await;
    let fields = [("signal", risk.as_str()), ("action", "contacted-client"), ("acted_at", "2026-11-30T09:15")];
    let (status, _, page) = me.post(&format!("/clients/{client}/acknowledgements"), &fields).await;
    assert_eq!(status, 200, "{page}");
    let actions = app.store.risk_actions(&[alliance_store::ClientId(client)]).await.unwrap();
    // 09:15 in New York in November (EST, UTC-5) is 14:15 UTC.
    assert_eq!(actions[0].acted_at, datetime!(2026-11-30 14:15 UTC));
    assert!(page.contains("Contacted the client on 30 Nov 2026, 09:15 EST"), "{page}");
}
