//! Least privilege: own caseload only, supervisors read their supervisees', administrators see no clinical
//! content, and nobody learns whether a record they may not see exists.

use alliance_core::domain::Role;
use alliance_store::AuditEvent;
use time::OffsetDateTime;

use crate::app::{PASSWORD, TestApp, client_with_link};

#[tokio::test]
async fn caseloads_are_private_to_their_therapist_and_supervisor() {
    let app = TestApp::spawn().await;
    let gil = app.user("gil@example.org", Role::Therapist).await;
    app.user("hal@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.user("root@example.org", Role::Administrator).await;
    let audit = AuditEvent::system(OffsetDateTime::now_utc(), "add-supervision", "account", "test");
    app.store.add_supervision(sue, gil, audit).await.unwrap();
    let (_, client, session, _) = client_with_link(&app, "gil@example.org", "Hazel Tern").await;

    let other = app.sign_in("hal@example.org").await;
    let (_, caseload) = other.get("/").await;
    assert!(!caseload.contains("Hazel Tern"));
    assert_eq!(other.get(&format!("/clients/{client}")).await.0, 404);
    assert_eq!(other.get(&format!("/sessions/{session}")).await.0, 404);
    assert_eq!(other.post(&format!("/sessions/{session}/links"), &[]).await.0, 404);
    assert_eq!(other.get(&format!("/clients/{}", client + 1000)).await.0, 404, "unknown looks the same");
    let (status, body) = other.get("/clients/abc%3Cb%3E").await;
    assert_eq!(status, 404, "a malformed id is simply not found");
    assert!(!body.contains("abc"), "the input is not echoed");

    let supervisor = app.sign_in("sue@example.org").await;
    let (_, caseload) = supervisor.get("/").await;
    assert!(caseload.contains("Hazel Tern"));
    let (status, page) = supervisor.get(&format!("/clients/{client}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("viewing this client as a supervisor") && !page.contains("Record a session"));
    assert_eq!(supervisor.post(&format!("/sessions/{session}/links"), &[]).await.0, 403);
    assert_eq!(supervisor.get(&format!("/sessions/{session}/reflection")).await.0, 403);
    assert_eq!(supervisor.get("/clients/new").await.0, 403);

    let admin = app.sign_in("root@example.org").await;
    assert_eq!(admin.get(&format!("/clients/{client}")).await.0, 404);
    let (status, accounts) = admin.get("/").await;
    assert_eq!(status, 200);
    assert!(accounts.contains("Add an account") && !accounts.contains("Hazel Tern"));
    assert_eq!(other.get("/admin/users").await.0, 403);

    let denied = app.store.audit_events(500).await.unwrap();
    assert!(denied.iter().any(|e| e.action == "read-denied"), "refused reads are audited too");
}

#[tokio::test]
async fn signing_in_and_out() {
    let app = TestApp::spawn().await;
    app.user("ivy@example.org", Role::Therapist).await;
    let browser = TestApp::browser();
    let page = browser.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = crate::app::hidden(&page, "csrf");
    for (email, password) in [("ivy@example.org", "wrong password!"), ("nobody@example.org", crate::app::PASSWORD)] {
        let r = browser
            .post(format!("{}/login", app.url))
            .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("is not right"), "the same message for both");
    }
    let r = browser.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(r.url().path(), "/login", "pages need a sign-in");

    let me = app.sign_in("ivy@example.org").await;
    assert_eq!(me.get("/").await.0, 200);
    let (status, url, _) = me.post("/logout", &[]).await;
    assert_eq!((status, url.as_str()), (200, "/login"));
    let r = me.browser.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(r.url().path(), "/login", "the sign-in is gone from the server");
    let failed = app.store.audit_events(100).await.unwrap().iter().filter(|e| e.action == "sign-in-failed").count();
    assert_eq!(failed, 2);
}

#[tokio::test]
async fn administrators_add_accounts() {
    let app = TestApp::spawn().await;
    app.user("root@example.org", Role::Administrator).await;
    let sup = app.user("sup@example.org", Role::Supervisor).await;
    let admin = app.sign_in("root@example.org").await;
    let sup_id = sup.0.to_string();
    let fields = [
        ("name", "New Therapist"),
        ("email", "New@Example.org"),
        ("role", "therapist"),
        ("supervisor", sup_id.as_str()),
        ("initial", "long enough password"),
        ("password", PASSWORD),
    ];
    let (status, url, page) = admin.post("/admin/users", &fields).await;
    assert_eq!((status, url.as_str()), (200, "/admin/users"), "post/redirect/get");
    assert!(page.contains("Added New Therapist."));
    let created = app.store.user_by_email("new@example.org").await.unwrap().unwrap();
    assert_eq!(app.store.supervisees(sup).await.unwrap(), vec![created.id]);
    assert_eq!(admin.post("/admin/users", &fields).await.0, 409, "one account per address");
    let short = [
        ("name", "X"),
        ("email", "x@example.org"),
        ("role", "therapist"),
        ("initial", "short"),
        ("password", PASSWORD),
    ];
    assert_eq!(admin.post("/admin/users", &short).await.0, 422);
    let bad_role = [
        ("name", "X"),
        ("email", "x@example.org"),
        ("role", "god"),
        ("initial", "long enough password"),
        ("password", PASSWORD),
    ];
    assert_eq!(admin.post("/admin/users", &bad_role).await.0, 422);
}
