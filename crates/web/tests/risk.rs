//! Risk as a protocol (issue 13, item 2): a risk signal is acknowledged only with what was done and when; one
//! click is refused; the action is kept and shown on the client page.

use alliance_core::domain::Role;
use alliance_store::{ClientId, RiskActionKind};

use crate::app::{Session, TestApp, client_with_link, complete_answers, hidden};

/// A client of `email` who answered item 9 with 1: the therapist's session, the client id and the risk key.
pub(crate) async fn client_at_risk(app: &TestApp, email: &str) -> (Session, i64, String) {
    app.user(email, Role::Therapist).await;
    let (me, client, _, token) = client_with_link(app, email, "Cedar Wren").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "1");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
    // The client is sent to help that is there now, with numbers, and told nobody watches around the clock.
    let done = done.text().await.unwrap();
    assert!(done.contains("112 in Europe") && done.contains("911"), "{done}");
    assert!(done.contains("not watched around the clock") && !done.contains("may not see"), "{done}");
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let risk = page
        .split(r#"name="signal" value=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .find(|key| key.contains(":risk:"))
        .expect("a risk signal to acknowledge");
    assert!(page.contains("Record and acknowledge") && page.contains(r#"value="not-needed""#), "the risk form");
    (me, client, risk)
}

#[tokio::test]
async fn a_risk_signal_is_not_acknowledged_with_one_click() {
    let app = TestApp::spawn().await;
    let (me, client, risk) = client_at_risk(&app, "ana@example.org").await;
    let path = format!("/clients/{client}/acknowledgements");
    let (status, _, page) = me.post(&path, &[("signal", risk.as_str())]).await;
    assert_eq!(status, 400);
    assert!(page.contains("acknowledged with what was done"), "{page}");
    assert!(app.store.acknowledgements(&[ClientId(client)]).await.unwrap().is_empty());
    assert!(app.store.risk_actions(&[ClientId(client)]).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_incomplete_or_hostile_risk_action_is_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    let (me, client, risk) = client_at_risk(&app, "bo@example.org").await;
    let path = format!("/clients/{client}/acknowledgements");
    let long = "x".repeat(2001);
    for (fields, expect) in [
        (vec![("action", "not-needed"), ("acted_at", "2020-01-01T09:30")], "Say why no action was needed"),
        (vec![("action", "not-needed"), ("acted_at", "2020-01-01T09:30"), ("note", "   ")], "Say why"),
        (vec![("action", "referred"), ("acted_at", "2999-01-01T00:00")], "cannot be in the future"),
        (vec![("action", "referred"), ("acted_at", "yesterday")], "Give the date and time"),
        (vec![("action", "referred")], "Give the date and time"),
        (vec![("action", "prayed"), ("acted_at", "2020-01-01T09:30")], "Choose what was done"),
        (vec![("action", "referred"), ("acted_at", "2020-01-01T09:30"), ("note", "a\u{202E}b")], "not allowed"),
        (vec![("action", "referred"), ("acted_at", "2020-01-01T09:30"), ("note", long.as_str())], "longer than"),
    ] {
        let mut all = vec![("signal", risk.as_str())];
        all.extend(fields.iter().copied());
        let (status, _, page) = me.post(&path, &all).await;
        assert_eq!(status, 400, "{fields:?}");
        assert!(page.contains(expect), "{fields:?}: {page}");
    }
    assert!(app.store.risk_actions(&[ClientId(client)]).await.unwrap().is_empty());
    assert!(app.store.acknowledgements(&[ClientId(client)]).await.unwrap().is_empty());
}

#[tokio::test]
async fn risk_acknowledgement_records_its_action_and_shows_it() {
    let app = TestApp::spawn().await;
    let (me, client, risk) = client_at_risk(&app, "cy@example.org").await;
    let path = format!("/clients/{client}/acknowledgements");
    let fields = [
        ("signal", risk.as_str()),
        ("action", "not-needed"),
        ("acted_at", "2020-01-02T10:15"),
        ("note", "Spoke in session; passive thought, no plan."),
    ];
    let (status, url, page) = me.post(&path, &fields).await;
    assert_eq!((status, url), (200, format!("/clients/{client}")));
    assert!(page.contains("Not needed on 2 Jan 2020, 10:15 UTC (recorded by cy on"), "{page}");
    assert!(page.contains("Spoke in session; passive thought, no plan."));
    assert!(page.contains("Acknowledged by cy on"));
    assert!(!page.contains("Record and acknowledge"), "acknowledged: no form");
    let actions = app.store.risk_actions(&[ClientId(client)]).await.unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!((actions[0].kind, actions[0].key.as_str()), (RiskActionKind::NotNeeded, risk.as_str()));
    assert_eq!(app.store.acknowledgements(&[ClientId(client)]).await.unwrap().len(), 1);
    // Audited, with no clinical content (the note stays out of the log).
    let audit = app.store.audit_events(200).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "acknowledge" && e.object_id == Some(client)));
    assert!(!format!("{audit:?}").contains("passive thought"));
    let (_, caseload) = me.get("/").await;
    assert!(!caseload.contains("Risk ·"), "acknowledged risk leaves the caseload line");
}

/// Issue 13, item 2: the therapist is told on every page, not only on the caseload, until the risk is
/// acknowledged; nobody else is, and the banner names only the client.
#[tokio::test]
async fn every_page_tells_the_therapist_of_an_open_risk_until_it_is_acknowledged() {
    let app = TestApp::spawn().await;
    let (me, client, risk) = client_at_risk(&app, "dee@example.org").await;
    // The header of every staff page loads the banner.
    let (_, account) = me.get("/account").await;
    assert!(account.contains(r#"hx-get="/alerts""#), "the header asks for the banner");
    let (status, banner) = me.get("/alerts").await;
    assert_eq!(status, 200);
    assert!(banner.contains("A client needs you") && banner.contains("Cedar Wren"), "{banner}");
    // The session of `client_with_link` is dated 28 Nov 2026.
    let days = (time::OffsetDateTime::now_utc().date() - time::macros::date!(2026 - 11 - 28)).whole_days();
    let ago = match days {
        0 => "(today)".to_owned(),
        1 => "(yesterday)".to_owned(),
        d => format!("({d} days ago)"),
    };
    assert!(banner.contains(&format!(r#"href="/clients/{client}#attn""#)) && banner.contains(&ago), "{banner}");
    assert!(!banner.contains("item 9") && !banner.contains("PHQ"), "no questionnaire detail: {banner}");
    let audit = app.store.audit_events(50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "list" && e.object_kind == "risk-alerts"), "the read is audited");

    // Another therapist, a supervisor and an administrator are not told (nor may they ask).
    app.user("eve@example.org", Role::Therapist).await;
    let other = app.sign_in("eve@example.org").await;
    let (status, theirs) = other.get("/alerts").await;
    assert_eq!(status, 200);
    assert!(!theirs.contains("Cedar Wren") && !theirs.contains("needs you"), "{theirs}");
    for (email, role) in [("sup@example.org", Role::Supervisor), ("adm@example.org", Role::Administrator)] {
        app.user(email, role).await;
        let s = app.sign_in(email).await;
        assert_eq!(s.get("/alerts").await.0, 403, "{email}");
        assert!(!s.get("/account").await.1.contains(r#"hx-get="/alerts""#), "{email}");
    }

    let fields = [
        ("signal", risk.as_str()),
        ("action", "contacted-client"),
        ("acted_at", "2020-01-02T10:15"),
        ("note", "Called; safety plan in place."),
    ];
    let (status, _, _) = me.post(&format!("/clients/{client}/acknowledgements"), &fields).await;
    assert_eq!(status, 200);
    let (status, banner) = me.get("/alerts").await;
    assert_eq!(status, 200);
    assert!(!banner.contains("needs you") && !banner.contains("Cedar Wren"), "acknowledged: {banner}");
}
