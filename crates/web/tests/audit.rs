//! The administrator's audit log page and break-glass access to one client.

use alliance_core::domain::Role;
use alliance_store::{AuditEvent, AuditFilter, audit};
use time::OffsetDateTime;

use crate::app::{PASSWORD, TestApp, client_with_link};

const REASON: &str = "Therapist on leave; the GP asked about risk today";

#[tokio::test]
async fn break_glass_gives_one_admin_an_hour_of_audited_reading_that_the_therapist_sees() {
    let app = TestApp::spawn().await;
    app.user("gil@example.org", Role::Therapist).await;
    let root = app.user("root@example.org", Role::Administrator).await;
    app.user("other@example.org", Role::Administrator).await;
    let (therapist, client, session, _) = client_with_link(&app, "gil@example.org", "Hazel Tern").await;
    let page = format!("/clients/{client}");
    let admin = app.sign_in("root@example.org").await;
    assert_eq!(admin.get(&page).await.0, 404, "no clinical content by default");
    let (status, form) = admin.get("/admin/break-glass").await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"reason\""));
    assert_eq!(therapist.get("/admin/break-glass").await.0, 403);
    assert_eq!(
        therapist.post("/admin/break-glass", &[("client", &client.to_string()), ("reason", REASON)]).await.0,
        403
    );

    // The reason is required, 10 to 500 characters of text; the client must exist.
    let id = client.to_string();
    let long = "x".repeat(501);
    for (client_field, reason, says) in [
        (id.as_str(), "", "at least 10 characters"),
        (id.as_str(), "   short   ", "at least 10 characters"),
        (id.as_str(), long.as_str(), "at most 500"),
        (id.as_str(), "a reason \u{7} with a bell", "plain text"),
        // The one text policy: no text-direction overrides either (a reason that reads differently than it is).
        (id.as_str(), "emergency \u{202E}reversed reason", "plain text"),
        ("abc", REASON, "Client number"),
        ("-3", REASON, "Client number"),
        ("99999999999999999999999", REASON, "Client number"),
        ("987654", REASON, "no client with that number"),
    ] {
        let (status, _, body) = admin
            .post("/admin/break-glass", &[("client", client_field), ("reason", reason), ("password", PASSWORD)])
            .await;
        assert_eq!(status, 422, "{client_field} {reason:?}");
        assert!(body.contains(says), "{says}: {body}");
    }
    assert_eq!(admin.get(&page).await.0, 404, "a refused request grants nothing");

    let (status, url, body) =
        admin.post("/admin/break-glass", &[("client", &id), ("reason", REASON), ("password", PASSWORD)]).await;
    assert_eq!((status, url.as_str()), (200, page.as_str()));
    assert!(body.contains("Hazel Tern") && body.contains("Break-glass access"));
    assert!(!body.contains("Record a session"), "read only");
    assert_eq!(admin.get(&format!("/sessions/{session}")).await.0, 200);
    assert_eq!(admin.post(&format!("/clients/{client}/episodes"), &[("started_on", "2026-12-01")]).await.0, 403);
    assert_eq!(admin.post(&format!("/sessions/{session}/links"), &[]).await.0, 403, "never write access");
    let other = app.sign_in("other@example.org").await;
    assert_eq!(other.get(&page).await.0, 404, "the grant is for one administrator");

    // The audit log says break-glass, and the reason stays out of it.
    let filter = AuditFilter { object_kind: Some("client".into()), object_id: Some(client), ..Default::default() };
    let entries = app.store.search_audit(&filter, 100).await.unwrap();
    let reads: Vec<_> = entries.iter().filter(|e| e.actor == Some(root)).collect();
    assert!(reads.iter().any(|e| e.action == "break-glass" && e.purpose == "break-glass"));
    assert!(reads.iter().any(|e| e.action == "read" && e.purpose == "break-glass"));
    assert!(reads.iter().all(|e| e.purpose == "break-glass" || e.action == "read-denied"));
    for e in app.store.audit_events(10_000).await.unwrap() {
        let text = format!("{} {} {} {:?}", e.action, e.object_kind, e.purpose, e.address);
        assert!(!text.contains("GP asked"), "no free text in the audit log");
    }

    // The therapist sees who read the record, when and why, until they acknowledge it.
    let (_, caseload) = therapist.get("/").await;
    assert!(caseload.contains("Read by administrator root") && caseload.contains(REASON), "{caseload}");
    let (_, client_page) = therapist.get(&page).await;
    assert!(client_page.contains("Read by administrator root on") && client_page.contains(REASON));
    let acknowledge = format!("/clients/{client}/break-glass/acknowledge");
    assert!(client_page.contains(&acknowledge));
    assert_eq!(admin.post(&acknowledge, &[]).await.0, 403, "only the therapist acknowledges");
    let (status, url, _) = therapist.post(&acknowledge, &[]).await;
    assert_eq!((status, url.as_str()), (200, page.as_str()));
    assert!(!therapist.get("/").await.1.contains("Read by administrator"), "acknowledged: off the caseload");
    let (_, client_page) = therapist.get(&page).await;
    assert!(client_page.contains(REASON) && !client_page.contains(&acknowledge), "still listed on the client");

    // An hour later the record is closed again. (The administrator keeps using the sign-in, which would otherwise
    // end after 30 idle minutes and hide the answer behind the sign-in page.)
    for _ in 0..2 {
        app.advance(29 * 60);
        let (status, body) = admin.get(&page).await;
        assert!(status == 200 && !body.contains("name=\"password\""), "still open, and still signed in");
    }
    app.advance(60);
    let (status, body) = admin.get(&page).await;
    assert!(status == 200 && !body.contains("name=\"password\""), "59 minutes: still open");
    app.advance(60);
    assert_eq!(admin.get(&page).await.0, 404);
    assert_eq!(audit::verify_chain(app.store.as_ref()).await.unwrap().broken, None);
}

/// Rows of the audit table in a page.
fn rows(html: &str) -> Vec<i64> {
    html.split("<tr><td>").skip(1).map(|r| r.split('<').next().unwrap().parse().unwrap()).collect()
}

#[tokio::test]
async fn administrators_filter_and_page_the_log_and_hostile_filters_get_a_clear_400() {
    let app = TestApp::spawn().await;
    app.user("gil@example.org", Role::Therapist).await;
    app.user("root@example.org", Role::Administrator).await;
    let (therapist, client, _, _) = client_with_link(&app, "gil@example.org", "Hazel Tern").await;
    assert_eq!(therapist.get("/admin/audit").await.0, 403);
    for i in 0..120 {
        let event = AuditEvent::system(OffsetDateTime::now_utc(), "batch-read", "practice", "test");
        app.store.audit(AuditEvent { object_id: Some(i), ..event }).await.unwrap();
    }
    let admin = app.sign_in("root@example.org").await;
    let head = app.store.audit_head().await.unwrap().seq;

    // Newest first, 50 a page, each page continuing below the last; together exactly the entries there were.
    let (status, first) = admin.get("/admin/audit").await;
    assert_eq!(status, 200);
    // Checked after the page recorded its own reading: one more entry than before.
    assert!(first.contains(&format!("Chain intact up to entry {} (", head + 1)), "{first}");
    let mut seen = rows(&first);
    assert_eq!(seen.len(), 50);
    assert_eq!(seen[0], head);
    let mut page = first;
    let mut views = 1;
    while let Some(link) = page.split("href=\"/admin/audit?").nth(1) {
        let query = link.split('"').next().unwrap().replace("&amp;", "&");
        page = admin.get(&format!("/admin/audit?{query}")).await.1;
        seen.extend(rows(&page));
        views += 1;
    }
    assert_eq!(seen, (1..=head).rev().collect::<Vec<_>>());
    let looked = AuditFilter { object_kind: Some("audit-log".into()), ..Default::default() };
    let looked = app.store.search_audit(&looked, 100).await.unwrap();
    assert_eq!(looked.len(), views, "every look at the log is itself logged");
    assert_eq!(views, 3);

    // Filters.
    let (status, body) = admin.get(&format!("/admin/audit?action=create&kind=client&object={client}")).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&body).len(), 1);
    assert!(body.contains(&format!("<td>client {client}</td>")) && body.contains("gil (#"));
    let today = time::OffsetDateTime::now_utc().date();
    let (_, body) = admin.get(&format!("/admin/audit?kind=practice&from={today}&to={today}")).await;
    assert_eq!(rows(&body).len(), 50);
    let (_, body) = admin.get("/admin/audit?kind=practice&from=2000-01-01&to=2000-12-31").await;
    assert!(rows(&body).is_empty() && body.contains("No entries match"));

    // Hostile or malformed filters: a clear 400, nothing else.
    let long = "a".repeat(65);
    let huge = "9".repeat(20_000);
    for (query, says) in [
        ("from=2026-13-45", "date like"),
        ("to=yesterday", "date like"),
        ("from=2026-11-28&to=2026-11-01", "must not be after"),
        ("action=x%27%20OR%20%271%27%3D%271", "lowercase letters"),
        ("kind=client%3B%20DROP%20TABLE%20audit_events", "lowercase letters"),
        ("action=%00", "lowercase letters"),
        ("action=%FF%FE", "lowercase letters"),
        (&format!("action={long}"), "too long"),
        (&format!("actor={huge}"), "too long"),
        ("actor=-1", "positive whole number"),
        ("actor=abc", "positive whole number"),
        ("actor=99999999999999999999", "positive whole number"),
        ("before=0", "positive whole number"),
        ("object=5", "object kind"),
        ("action=read&action=write", "given twice"),
        ("sort=seq", "Unknown filter"),
    ] {
        let (status, body) = admin.get(&format!("/admin/audit?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(body.contains(says), "{query}: {body}");
    }
    let (status, body) = admin.get("/admin/audit").await;
    assert_eq!(status, 200);
    assert!(body.contains("Chain intact up to entry"));

    // The page checks what was appended since its last intact check at once: an entry changed among them breaks
    // the chain there.
    let checked = app.store.audit_head().await.unwrap().seq;
    for i in 0..3 {
        let event = AuditEvent::system(OffsetDateTime::now_utc(), "batch-read", "practice", "test");
        app.store.audit(AuditEvent { object_id: Some(1000 + i), ..event }).await.unwrap();
    }
    let changed = checked + 2;
    let change = format!("UPDATE audit_events SET action = 'list' WHERE seq = {changed}");
    app.raw_sql(
        &["DROP TRIGGER audit_events_no_update", &change],
        &["ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", &change],
    )
    .await;
    let (status, body) = admin.get("/admin/audit").await;
    assert_eq!(status, 200);
    let says = format!("Chain broken: entry {changed} was changed. Entries 1 to {} are intact.", changed - 1);
    assert!(body.contains(&says), "{body}");
}

/// The audit page checks every entry once an hour and only new entries in between: a change to an old entry alone
/// is found by the next full check, not by every view.
#[tokio::test]
async fn the_audit_page_checks_new_entries_at_each_view_and_everything_hourly() {
    let app = TestApp::spawn().await;
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    let (status, body) = admin.get("/admin/audit").await;
    assert_eq!(status, 200);
    assert!(body.contains("Chain intact up to entry"), "{body}");

    // One old entry changed without re-hashing anything: the views within the hour read only newer entries.
    let change = "UPDATE audit_events SET action = 'list' WHERE seq = 3";
    app.raw_sql(
        &["DROP TRIGGER audit_events_no_update", change],
        &["ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", change],
    )
    .await;
    let (_, body) = admin.get("/admin/audit").await;
    assert!(body.contains("Chain intact up to entry"), "checked since the last view only: {body}");
    assert!(audit::verify_chain(app.store.as_ref()).await.unwrap().broken.is_some(), "a full check finds it");

    app.advance(61 * 60);
    let admin = app.sign_in("root@example.org").await;
    let (status, body) = admin.get("/admin/audit").await;
    assert_eq!(status, 200);
    assert!(body.contains("Chain broken: entry 3 was changed. Entries 1 to 2 are intact."), "{body}");
    // A broken chain is not remembered as checked: the next view says so again.
    let (_, body) = admin.get("/admin/audit").await;
    assert!(body.contains("Chain broken: entry 3 was changed."), "{body}");
}

/// Issue 13: the administrator finds the number break-glass asks for, and nothing clinical; only administrators,
/// every search audited as break-glass, hostile searches refused with a clear 400.
#[tokio::test]
async fn the_client_lookup_gives_the_number_and_therapist_and_nothing_clinical() {
    let app = TestApp::spawn().await;
    app.user("gil@example.org", Role::Therapist).await;
    let root = app.user("root@example.org", Role::Administrator).await;
    let (therapist, client, _, _) = client_with_link(&app, "gil@example.org", "Hazel Tern").await;
    let admin = app.sign_in("root@example.org").await;
    assert_eq!(therapist.get("/admin/client-lookup?find=haz").await.0, 403);
    let (status, page) = admin.get("/admin/client-lookup").await;
    assert!(status == 200 && !page.contains("Hazel Tern"), "nothing listed without a search");
    let (status, page) = admin.get("/admin/client-lookup?find=hAZ").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("<td>{client}</td><td>Hazel Tern</td>")), "{page}");
    for clinical in ["PHQ", "GAD", "/clients/", "/sessions/"] {
        assert!(!page.contains(clinical), "{clinical} on the lookup page");
    }
    assert!(admin.get("/admin/client-lookup?find=nobody-here").await.1.contains("No client matches."));
    let long = format!("/admin/client-lookup?find={}", "x".repeat(81));
    for hostile in [long.as_str(), "/admin/client-lookup?find=a%00b", "/admin/client-lookup?find=ab%01"] {
        let (status, body) = admin.get(hostile).await;
        assert_eq!(status, 400, "{hostile}: {body}");
    }
    let (_, escaped) = admin.get("/admin/client-lookup?find=%3Cscript%3E").await;
    assert!(!escaped.contains("<script>"));
    let entries = app.store.audit_events(10_000).await.unwrap();
    let lookups: Vec<_> = entries.iter().filter(|e| e.action == "lookup" && e.actor == Some(root)).collect();
    assert!(lookups.len() >= 3 && lookups.iter().all(|e| e.purpose == "break-glass"));
}
