//! The practice's crisis information (issue 13, item 2): set by an administrator on `/admin/crisis` (malformed,
//! oversized and hostile input refused with a reason), shown to a client whose answers endorse item 9, with its
//! contacts as tappable `tel:` and `https:` links; the built-in honest text until it is set.

use alliance_core::domain::Role;

use crate::app::{TestApp, client_with_link, complete_answers, hidden};

/// The page a client sees after sending answers with item 9 at 1.
async fn answered_at_risk(app: &TestApp, email: &str) -> String {
    app.user(email, Role::Therapist).await;
    let (_, _, _, token) = client_with_link(app, email, "Dune Lark").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "1");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
    done.text().await.unwrap()
}

#[tokio::test]
async fn the_administrator_sets_the_crisis_information_and_a_client_at_risk_sees_it() {
    let app = TestApp::spawn().await;
    // Before anything is set: the built-in text, no promise that the therapist sees it at once.
    let before = answered_at_risk(&app, "ana@example.org").await;
    assert!(before.contains("112 in Europe") && before.contains("not watched around the clock"), "{before}");

    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    let (status, page) = admin.get("/admin/crisis").await;
    assert_eq!(status, 200);
    assert!(page.contains("Not set yet") && page.contains("112 in Europe"), "the default is shown to edit");
    let fields = [
        ("text", "Call the practice line or, out of hours, the Samaritans."),
        (
            "contacts",
            "Samaritans | 116 123\r\nPractice line | +44 (0)20 7946 0000\r\nOnline help | https://example.org/help",
        ),
    ];
    let (status, url, page) = admin.post("/admin/crisis", &fields).await;
    assert_eq!((status, url.as_str()), (200, "/admin/crisis"), "post-redirect-get");
    assert!(!page.contains("Not set yet") && page.contains("Practice line | +44020794600"), "{page}");
    let audit = app.store.audit_events(200).await.unwrap();
    assert!(audit.iter().any(|e| e.object_kind == "crisis-information" && e.purpose == "administration"));

    let after = answered_at_risk(&app, "bo@example.org").await;
    assert!(after.contains("Call the practice line or, out of hours, the Samaritans."), "{after}");
    assert!(after.contains(r#"<a href="tel:116123">Samaritans: 116123</a>"#), "{after}");
    assert!(after.contains(r#"<a href="https://example.org/help">"#), "{after}");

    // A therapist may not change it.
    let therapist = app.sign_in("ana@example.org").await;
    assert_eq!(therapist.get("/admin/crisis").await.0, 403);
    assert_eq!(therapist.post("/admin/crisis", &fields).await.0, 403);
}

#[tokio::test]
async fn malformed_oversized_and_hostile_crisis_information_is_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    let long = "x".repeat(1501);
    let many = "Line | 112\n".repeat(9);
    for (text, contacts, expect) in [
        ("", "", "the crisis text is required"),
        (long.as_str(), "", "longer than 1500"),
        ("Call.", "Evil | javascript:alert(1)", "give a phone number"),
        ("Call.", "Plain | http://example.org", "give a phone number"),
        ("Call.", "Quote | https://a.org/\"onclick=x", "plain https:// address"),
        ("Call.", "no separator here", "name | number or link"),
        ("Call.", many.as_str(), "at most 8"),
        ("Call.", "\u{202E}Help | 112", "not allowed"),
        ("Call\u{0}.", "", "not allowed"),
    ] {
        let (status, _, page) = admin.post("/admin/crisis", &[("text", text), ("contacts", contacts)]).await;
        assert_eq!(status, 400, "{contacts}");
        assert!(page.contains(expect), "{expect}: {page}");
    }
    assert!(app.store.crisis_protocol().await.unwrap().is_none(), "nothing stored");
}
