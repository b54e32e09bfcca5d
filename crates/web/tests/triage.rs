//! The caseload as triage lays it out (docs/TRIAGE.md): one compact entry per client, and one damaged record
//! does not take the rest of the caseload down with it.

use crate::app::TestApp;

/// Issue 14, finding 10: a sealed pseudonym that no longer opens made the whole caseload answer 500.
#[tokio::test]
async fn a_damaged_record_is_marked_and_the_rest_of_the_caseload_shown() {
    let app = TestApp::spawn().await;
    app.user("tria@example.org", alliance_core::domain::Role::Therapist).await;
    let me = app.sign_in("tria@example.org").await;
    for name in ["Ada", "Ben", "Cy"] {
        let (status, _, _) = me.post("/clients/new", &[("pseudonym", name), ("started_on", "2026-11-01")]).await;
        assert_eq!(status, 200, "{name}");
    }
    // Damage Ben's sealed pseudonym: still in the sealed format, but no longer what the key sealed.
    let sql = "UPDATE clients SET pseudonym = substr(pseudonym, 1, length(pseudonym) - 4) || 'AAAA' \
               WHERE id = (SELECT min(id) + 1 FROM clients)";
    let pg = "UPDATE clients SET pseudonym = substr(pseudonym, 1, length(pseudonym) - 4) || 'AAAA' \
              WHERE id = (SELECT min(id) + 1 FROM clients)";
    app.raw_sql(&[sql], &[pg]).await;
    let (status, page) = me.get("/").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Ada") && page.contains("Cy"), "{page}");
    assert!(!page.contains("Ben"), "{page}");
    assert!(page.contains("Record damaged"), "{page}");
}

/// Issue 13, item 1: a signal is new to each reader until the client's page has shown it to them, not for a fixed
/// week; the caseload says so, the client page marks what it shows for the first time.
#[tokio::test]
async fn a_signal_is_new_to_each_reader_until_their_page_shows_it() {
    use crate::app::{TestApp, client_with_link, complete_answers, hidden};
    use alliance_core::domain::Role;
    let app = TestApp::spawn().await;
    let therapist = app.user("seen@example.org", Role::Therapist).await;
    let supervisor = app.user("seen-sup@example.org", Role::Supervisor).await;
    app.supervise(supervisor, therapist).await;
    let (me, client, _, token) = client_with_link(&app, "seen@example.org", "Moss Piper").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "1");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);

    let risk_badge = |page: &str| {
        let at = page.find("Moss Piper").expect("the client's row");
        let row = &page[at..];
        row[..row.find("</li>").unwrap_or(row.len())].to_owned()
    };
    let (_, caseload) = me.get("/").await;
    assert!(risk_badge(&caseload).contains("Risk · new"), "{caseload}");
    let page = format!("/clients/{client}");
    let (_, first) = me.get(&page).await;
    let new_risk = r#"<h3>Risk <span class="badge">critical</span> <span class="badge new">New to you</span>"#;
    assert!(first.contains(new_risk), "{first}");
    let (_, again) = me.get(&page).await;
    assert!(!again.contains("New to you"), "shown once already: {again}");
    let (_, caseload) = me.get("/").await;
    let row = risk_badge(&caseload);
    assert!(row.contains("Risk ·") && !row.contains("Risk · new"), "{row}");
    // Still open (risk needs a person), and still new to the supervisor, who has not looked.
    let sup = app.sign_in("seen-sup@example.org").await;
    let (_, theirs) = sup.get(&page).await;
    assert!(theirs.contains(new_risk), "{theirs}");
    let (_, theirs) = sup.get(&page).await;
    assert!(!theirs.contains("New to you"), "{theirs}");
}
