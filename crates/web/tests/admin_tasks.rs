//! An administrator's tasks over HTTP: changing a therapist's supervisor (access follows at once), moving clients
//! to another therapist (the record moves, the previous therapist's private writing does not), with the password
//! asked again and every change audited.

use alliance_core::domain::Role;

use crate::app::{PASSWORD, Session, TestApp, client_with_link, complete_answers, hidden};
use crate::supervision::{NOTE, reflect};

const COMMENT: &str = "SUPERVISION-COMMENT-5512 notice how protective you felt";
const FOCUS: &str = "SUPERVISION-FOCUS-8820 I froze when she mentioned her father";

/// Posts one of the administrator's task forms with the administrator's password.
async fn task(admin: &Session, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut all = fields.to_vec();
    all.push(("password", PASSWORD));
    let (status, _, body) = admin.post(path, &all).await;
    (status, body)
}

/// Answers a session's link as the client would, on a phone.
async fn answer(app: &TestApp, token: &str) {
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
}

async fn audited(app: &TestApp, action: &str) -> Vec<alliance_store::AuditRecord> {
    app.store.audit_events(10_000).await.unwrap().into_iter().filter(|e| e.action == action).collect()
}

#[tokio::test]
async fn a_new_supervisor_gains_the_supervisees_clients_and_the_old_one_loses_them_at_once() {
    let app = TestApp::spawn().await;
    let therapist = app.user("tess@example.org", Role::Therapist).await;
    let old = app.user("olga@example.org", Role::Supervisor).await;
    let new = app.user("nina@example.org", Role::Supervisor).await;
    app.user("root@example.org", Role::Administrator).await;
    app.supervise(old, therapist).await;
    let (tess, client, session, _) = client_with_link(&app, "tess@example.org", "Moss Lark").await;
    reflect(&tess, session, "yes", &["protective"], "3").await;
    let (olga, nina) = (app.sign_in("olga@example.org").await, app.sign_in("nina@example.org").await);
    let admin = app.sign_in("root@example.org").await;
    let client_page = format!("/clients/{client}");
    let session_page = format!("/sessions/{session}");
    assert_eq!(olga.get(&client_page).await.0, 200);
    assert_eq!(nina.get(&client_page).await.0, 404);

    let (t, n) = (therapist.0.to_string(), new.0.to_string());
    // Refused without the password, without the token, and for anyone but an administrator: nothing changes.
    let (status, _, _) = admin.post("/admin/tasks/supervisor", &[("therapist", &t), ("supervisor", &n)]).await;
    assert_eq!(status, 403);
    let (status, _, _) = admin
        .post_raw("/admin/tasks/supervisor", &[("therapist", &t), ("supervisor", &n), ("password", PASSWORD)])
        .await;
    assert_eq!(status, 403, "no anti-forgery token");
    assert_eq!(task(&olga, "/admin/tasks/supervisor", &[("therapist", &t), ("supervisor", &n)]).await.0, 403);
    assert_eq!(olga.get(&client_page).await.0, 200, "nothing changed");

    let (status, body) = task(&admin, "/admin/tasks/supervisor", &[("therapist", &t), ("supervisor", &n)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("tess is now supervised by nina"), "{body}");
    // The old supervisor's very next requests are refused; the new one reads the record and the shared reflection.
    assert_eq!(olga.get(&client_page).await.0, 404);
    assert_eq!(olga.get(&session_page).await.0, 404);
    assert_eq!(olga.get(&format!("/supervision/therapists/{}/clients", therapist.0)).await.0, 404);
    assert!(!olga.get("/supervision").await.1.contains("Moss Lark"));
    assert_eq!(nina.get(&client_page).await.0, 200);
    let (status, page) = nina.get(&session_page).await;
    assert_eq!(status, 200);
    assert!(page.contains("Protective"), "the reflection shared for supervision");
    assert!(!page.contains(NOTE), "never the private note");

    let changes = audited(&app, "supervisor-change").await;
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].purpose.as_str(), changes[0].object_id), ("administration", Some(therapist.0)));

    // Hostile and malformed choices: a supervisor as therapist, a therapist as supervisor, garbage, nothing.
    let s = old.0.to_string();
    for fields in [
        vec![("therapist", s.as_str()), ("supervisor", n.as_str())],
        vec![("therapist", t.as_str()), ("supervisor", t.as_str())],
        vec![("therapist", t.as_str()), ("supervisor", "99999999")],
        vec![("supervisor", n.as_str())],
    ] {
        let (status, body) = task(&admin, "/admin/tasks/supervisor", &fields).await;
        assert_eq!(status, 422, "{fields:?}: {body}");
        assert!(body.contains("Not changed"), "{body}");
    }
    let (status, _) = task(&admin, "/admin/tasks/supervisor", &[("therapist", "1 OR 1=1"), ("supervisor", &n)]).await;
    assert_eq!(status, 400);
    assert_eq!(nina.get(&client_page).await.0, 200, "the refused changes changed nothing");
    // No supervisor at all.
    assert_eq!(task(&admin, "/admin/tasks/supervisor", &[("therapist", &t), ("supervisor", "")]).await.0, 200);
    assert_eq!(nina.get(&client_page).await.0, 404);
}

#[tokio::test]
async fn moved_clients_keep_their_record_and_links_but_not_the_previous_therapists_private_writing() {
    let app = TestApp::spawn().await;
    let leaving = app.user("lea@example.org", Role::Therapist).await;
    let staying = app.user("sam@example.org", Role::Therapist).await;
    let lea_sup = app.user("lsup@example.org", Role::Supervisor).await;
    let sam_sup = app.user("ssup@example.org", Role::Supervisor).await;
    let gone = app.user("gone@example.org", Role::Therapist).await;
    app.user("root@example.org", Role::Administrator).await;
    app.supervise(lea_sup, leaving).await;
    app.supervise(sam_sup, staying).await;
    let (lea, first, session, token) = client_with_link(&app, "lea@example.org", "Fern Plover").await;
    answer(&app, &token).await;
    let (_, second, _, open_link) = client_with_link(&app, "lea@example.org", "Rowan Stilt").await;
    reflect(&lea, session, "yes", &["protective", "helpless"], "3").await;
    let lsup = app.sign_in("lsup@example.org").await;
    assert_eq!(lsup.post(&format!("/sessions/{session}/comments"), &[("body", COMMENT)]).await.0, 200);
    assert_eq!(lea.post(&format!("/sessions/{session}/supervision-focus"), &[("focus", FOCUS)]).await.0, 200);
    let (_, before) = lea.get(&format!("/sessions/{session}")).await;
    assert!(before.contains(NOTE) && before.contains(COMMENT) && before.contains(FOCUS), "the fixture shows them");

    let admin = app.sign_in("root@example.org").await;
    let (from, to) = (leaving.0.to_string(), staying.0.to_string());
    // Refused: no password, a supervisor or a deactivated therapist as the new therapist, to oneself, a client
    // number that is not a number. Nothing moves.
    app.store.update_account(gone, Role::Therapist, false).await.unwrap();
    let (status, _, _) = admin.post("/admin/tasks/move-clients", &[("from", &from), ("to", &to)]).await;
    assert_eq!(status, 403);
    for (to, client) in [
        (sam_sup.0.to_string(), ""),
        (gone.0.to_string(), ""),
        (from.clone(), ""),
        (to.clone(), "abc"),
        (to.clone(), "-3"),
    ] {
        let fields = [("from", from.as_str()), ("to", to.as_str()), ("client", client)];
        let (status, body) = task(&admin, "/admin/tasks/move-clients", &fields).await;
        assert_eq!(status, 422, "{fields:?}: {body}");
        assert!(body.contains("Not moved"), "{body}");
    }
    assert_eq!(app.store.clients_of(&[leaving]).await.unwrap().len(), 2, "nothing moved");

    // One client first, then the rest.
    let one = first.to_string();
    let (status, body) =
        task(&admin, "/admin/tasks/move-clients", &[("from", &from), ("to", &to), ("client", &one)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Moved 1 client(s) from lea to sam"), "{body}");
    let (status, body) = task(&admin, "/admin/tasks/move-clients", &[("from", &from), ("to", &to)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Moved 1 client(s)"), "{body}");

    // The new therapist reads the record: the client's own answers and the session.
    let sam = app.sign_in("sam@example.org").await;
    let (status, record) = sam.get(&format!("/clients/{first}")).await;
    assert_eq!(status, 200);
    assert!(record.contains("Fern Plover"));
    let (status, page) = sam.get(&format!("/sessions/{session}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Relationship check"), "the client's answers moved with the record");
    // No link to a reflection that is not theirs to write (following it answered 400).
    assert!(!page.contains(&format!("/sessions/{session}/reflection")), "{page}");
    assert!(page.contains("with the client&#39;s previous therapist"), "{page}");
    for private in [NOTE, COMMENT, FOCUS, "Protective", "Helpless"] {
        assert!(!page.contains(private), "{private} leaked to the new therapist");
        assert!(!record.contains(private), "{private} leaked on the client page");
    }
    assert_eq!(sam.get(&format!("/clients/{second}")).await.0, 200);
    // ... and cannot overwrite the previous therapist's reflection, comment on it or change its question.
    let (status, _, _) = sam.post(&format!("/sessions/{session}/reflection"), &[("goals-1", "1")]).await;
    assert_eq!(status, 400);
    assert_eq!(sam.get(&format!("/sessions/{session}/reflection")).await.0, 400);
    assert_eq!(sam.post(&format!("/sessions/{session}/supervision-focus"), &[("focus", "x")]).await.0, 400);
    // The new therapist's supervisor sees the client but not the previous supervision.
    let ssup = app.sign_in("ssup@example.org").await;
    let (status, page) = ssup.get(&format!("/sessions/{session}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains(COMMENT) && !page.contains("Protective"));
    assert!(!ssup.get("/supervision").await.1.contains("Protective"));

    // The previous therapist and their supervisor no longer reach the clients.
    assert_eq!(lea.get(&format!("/clients/{first}")).await.0, 404);
    assert_eq!(lea.get(&format!("/sessions/{session}")).await.0, 404);
    assert_eq!(lea.get(&format!("/clients/{second}")).await.0, 404);
    assert_eq!(lsup.get(&format!("/clients/{first}")).await.0, 404);

    // The link the other client already has keeps working, and their answers reach the new therapist.
    answer(&app, &open_link).await;
    let answers = app.store.responses_of(alliance_store::ClientId(second)).await.unwrap();
    assert_eq!(answers.len(), 3, "the check, PHQ-9 and GAD-7 arrived in the moved record");
    assert_eq!(sam.get(&format!("/clients/{second}")).await.0, 200);

    let moves = audited(&app, "client-move").await;
    let mut objects: Vec<i64> = moves.iter().filter_map(|e| e.object_id).collect();
    objects.sort_unstable();
    assert_eq!(objects, vec![first, second], "one entry per client moved");
    assert!(moves.iter().all(|e| e.purpose == "administration"));
}

#[tokio::test]
async fn with_a_second_factor_every_task_needs_a_fresh_code_too() {
    let app = TestApp::spawn().await;
    let root = app.user("root@example.org", Role::Administrator).await;
    let therapist = app.user("tia@example.org", Role::Therapist).await;
    let other = app.user("uma@example.org", Role::Therapist).await;
    let sup = app.user("vic@example.org", Role::Supervisor).await;
    let secret = [5u8; 20];
    app.store.begin_totp(root, &secret, time::OffsetDateTime::now_utc()).await.unwrap();
    assert!(app.store.accept_totp_step(root, 1, true).await.unwrap());
    // Signing in with a second factor goes through the code page; the task forms are what is tested here, so the
    // sign-in is made while the factor is briefly off.
    app.store.remove_totp(root).await.unwrap();
    let admin = app.sign_in("root@example.org").await;
    app.store.begin_totp(root, &secret, time::OffsetDateTime::now_utc()).await.unwrap();
    assert!(app.store.accept_totp_step(root, 1, true).await.unwrap());

    let (t, o, s) = (therapist.0.to_string(), other.0.to_string(), sup.0.to_string());
    let tasks: [(&str, Vec<(&str, &str)>); 3] = [
        ("/admin/tasks/supervisor", vec![("therapist", &t), ("supervisor", &s)]),
        ("/admin/tasks/move-clients", vec![("from", &o), ("to", &t)]),
        ("/admin/tasks/reset-link", vec![("user", &t)]),
    ];
    for (path, fields) in &tasks {
        let (status, body) = task(&admin, path, fields).await;
        assert_eq!(status, 403, "{path} without the code: {body}");
        let mut wrong = fields.clone();
        wrong.push(("code", "000000"));
        assert_eq!(task(&admin, path, &wrong).await.0, 403, "{path} with a wrong code");
    }
    assert!(app.store.supervisors_of(therapist).await.unwrap().is_empty(), "nothing changed");
    // A fresh code, one per task (a code works once).
    // The app's clock stands still, so the three steps stay within the accepted window.
    let now = app.freeze() / 30;
    for (step, (path, fields)) in (now - 1..).zip(&tasks) {
        let code = crate::accounts::totp(&secret, step);
        let mut with_code = fields.clone();
        with_code.push(("code", &code));
        let (status, body) = task(&admin, path, &with_code).await;
        // Moving: the therapist has no clients, which the page says; it got past the identity check.
        assert!(status == 200 || body.contains("has no clients to move"), "{path}: {status} {body}");
    }
    assert_eq!(app.store.supervisors_of(therapist).await.unwrap(), vec![sup]);
}
