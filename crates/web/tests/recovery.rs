//! Account recovery (issue 15): one-time recovery codes for a lost authenticator, a password an administrator
//! chose replaced at the first sign-in before anything else, and a second factor an administrator removed set up
//! again before anything else.

use alliance_core::domain::Role;
use alliance_store::UserId;

use crate::accounts::{password_step, send_code, totp};
use crate::app::{PASSWORD, Session, TestApp};
use crate::password_reset::{make_link, use_link};

const NEW_PASSWORD: &str = "lantern orchard velvet granite";

async fn count(app: &TestApp, action: &str) -> usize {
    app.store.audit_events(10_000).await.unwrap().iter().filter(|e| e.action == action).count()
}

/// The codes a recovery-codes page shows, in order.
fn codes_on(page: &str) -> Vec<String> {
    page.split("<li><code>").skip(1).filter_map(|rest| rest.split("</code>").next()).map(str::to_owned).collect()
}

/// Sets up and confirms a second factor through the account page; returns the secret and the codes shown.
async fn enrol(app: &TestApp, session: &Session, user: UserId, now: i64) -> (Vec<u8>, Vec<String>) {
    let (status, _, page) = session.post("/account/totp/new", &[("password", PASSWORD)]).await;
    assert_eq!(status, 200, "{page}");
    let secret = app.store.totp_factor(user).await.unwrap().unwrap().secret;
    let (status, _, page) = session.post("/account/totp/confirm", &[("code", &totp(&secret, now / 30))]).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("second factor is on") && page.contains("shown only now"), "{page}");
    (secret, codes_on(&page))
}

async fn send_recovery_code(browser: &reqwest::Client, base: &str, csrf: &str, code: &str) -> (u16, String) {
    let r = browser
        .post(format!("{base}/login/code"))
        .form(&[("csrf", csrf), ("recovery_code", code)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.url().path().to_owned())
}

#[tokio::test]
async fn recovery_codes_are_shown_once_and_each_signs_in_once() {
    let app = TestApp::spawn().await;
    let me = app.user("phoneless@example.org", Role::Therapist).await;
    let now = app.freeze();
    let session = app.sign_in("phoneless@example.org").await;
    let (_, codes) = enrol(&app, &session, me, now).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 10, "distinct");
    assert!(codes.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3), "{codes:?}");
    assert_eq!(app.store.recovery_codes_left(me).await.unwrap(), 10);
    assert_eq!(count(&app, "recovery-codes-made").await, 1);

    // The code step offers the recovery code; one signs in, as typed from paper (upper case, spaces).
    let (browser, csrf) = password_step(&app.url, "phoneless@example.org").await;
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(send_recovery_code(&browser, &app.url, &csrf, &typed).await, (200, "/".into()));
    assert_eq!(count(&app, "recovery-code-used").await, 1);
    // ... once.
    let (again, csrf) = password_step(&app.url, "phoneless@example.org").await;
    assert_eq!(send_recovery_code(&again, &app.url, &csrf, &codes[3]).await.0, 401, "used");
    // Without the password step a code opens nothing.
    let stranger = TestApp::browser();
    let page = stranger.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = crate::app::hidden(&page, "csrf");
    assert_eq!(send_recovery_code(&stranger, &app.url, &csrf, &codes[4]).await.0, 401);
    // Another account's code is nothing on this one.
    let other = app.user("other@example.org", Role::Therapist).await;
    let other_session = app.sign_in("other@example.org").await;
    let (_, other_codes) = enrol(&app, &other_session, other, now + 30).await;
    let (mine, csrf) = password_step(&app.url, "phoneless@example.org").await;
    assert_eq!(send_recovery_code(&mine, &app.url, &csrf, &other_codes[0]).await.0, 401, "another account's");
    assert_eq!(app.store.recovery_codes_left(me).await.unwrap(), 9);

    // The account page counts what is left; new codes need the password and replace every earlier one.
    let (_, page) = session.get("/account").await;
    assert!(page.contains("9 unused recovery code(s) left"), "{page}");
    assert_eq!(session.post("/account/recovery-codes", &[("password", "wrong password")]).await.0, 403);
    let (status, _, page) = session.post("/account/recovery-codes", &[("password", PASSWORD)]).await;
    assert_eq!(status, 200);
    let fresh = codes_on(&page);
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !codes.contains(c)));
    assert!(page.contains("Every earlier recovery code stopped working"));
    let (browser, csrf) = password_step(&app.url, "phoneless@example.org").await;
    assert_eq!(send_recovery_code(&browser, &app.url, &csrf, &codes[5]).await.0, 401, "replaced");
    assert_eq!(send_recovery_code(&browser, &app.url, &csrf, &fresh[0]).await, (200, "/".into()));

    // Wrong, malformed, hostile and oversized codes are refused without an error page.
    let (browser, csrf) = password_step(&app.url, "phoneless@example.org").await;
    let long = "a".repeat(5000);
    let mut statuses = Vec::new();
    for bad in ["abcd-efgh-jkmn-pqrs", "", "123456", "<script>alert(1)</script>", "' OR 1=1 --", long.as_str()] {
        statuses.push(send_recovery_code(&browser, &app.url, &csrf, bad).await.0);
    }
    // Refused, and guessing is slowed by the same growing delay as the app's codes.
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(count(&app, "recovery-code-failed").await >= 2);
    // Turning the second factor off takes its codes with it.
    assert_eq!(session.post("/account/totp/remove", &[("password", PASSWORD)]).await.0, 200);
    assert_eq!(app.store.recovery_codes_left(me).await.unwrap(), 0);
    // And without a second factor there are no codes to make.
    assert_eq!(session.post("/account/recovery-codes", &[("password", PASSWORD)]).await.0, 409);
}

#[tokio::test]
async fn a_password_an_administrator_chose_is_replaced_before_anything_else() {
    let app = TestApp::spawn().await;
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    let fields = [
        ("name", "New Colleague"),
        ("email", "new@example.org"),
        ("role", "therapist"),
        ("initial", "an initial password for today"),
        ("password", PASSWORD),
    ];
    let (status, _, page) = admin.post("/admin/users", &fields).await;
    assert_eq!(status, 200, "{page}");
    let user = app.store.user_by_email("new@example.org").await.unwrap().unwrap();
    assert!(user.must_change_password, "an administrator's password is to be replaced");

    // Signed in with it, every page leads to the account page, which says why.
    let browser = TestApp::browser();
    let attempt =
        crate::accounts::sign_in(&browser, &app.url, "new@example.org", "an initial password for today").await;
    assert_eq!((attempt.status, attempt.path.as_str()), (200, "/account"));
    assert!(attempt.body.contains("choose your own password"), "{}", attempt.body);
    let csrf = crate::app::hidden(&attempt.body, "csrf");
    let session = Session { browser, csrf, url: app.url.clone() };
    for path in ["/", "/clients/new", "/patterns"] {
        let r = session.browser.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.url().path()), (200, "/account"), "{path}");
    }
    let (status, url, _) =
        session.post("/clients/new", &[("pseudonym", "Kept Out"), ("started_on", "2026-12-01")]).await;
    assert_eq!((status, url.as_str()), (200, "/account"), "a post is not carried out either");
    assert!(app.store.clients_of(&[user.id]).await.unwrap().is_empty());

    // Choosing a password (the one given is needed) ends the step.
    let change =
        [("password", "an initial password for today"), ("new_password", NEW_PASSWORD), ("repeat", NEW_PASSWORD)];
    let (status, _, page) = session.post("/account/password", &change).await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("choose your own password"));
    assert!(!app.store.user(user.id).await.unwrap().unwrap().must_change_password);
    let r = session.browser.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/"));
}

#[tokio::test]
async fn a_second_factor_an_administrator_removed_is_set_up_again_before_anything_else() {
    let app = TestApp::spawn().await;
    let user = app.user("lost-phone@example.org", Role::Therapist).await;
    app.user("root@example.org", Role::Administrator).await;
    let now = app.freeze();
    let own = app.sign_in("lost-phone@example.org").await;
    let (_, codes) = enrol(&app, &own, user, now).await;

    // The administrator's link (password asked again) that also removes the second factor.
    let admin = app.sign_in("root@example.org").await;
    let link = make_link(&admin, user, "yes").await;
    assert_eq!(use_link(&link, NEW_PASSWORD, NEW_PASSWORD).await.0, 200);
    assert!(app.store.totp_factor(user).await.unwrap().is_none());
    assert_eq!(app.store.recovery_codes_left(user).await.unwrap(), 0, "the codes went with the factor");
    let stored = app.store.user(user).await.unwrap().unwrap();
    assert!(stored.must_enrol_second_factor && !stored.must_change_password, "{stored:?}");
    drop(codes);

    // Signing in asks no code, and leads to setting up a new factor before anything else.
    let browser = TestApp::browser();
    let attempt = crate::accounts::sign_in(&browser, &app.url, "lost-phone@example.org", NEW_PASSWORD).await;
    assert_eq!((attempt.status, attempt.path.as_str()), (200, "/account"));
    assert!(attempt.body.contains("set up your second factor again"), "{}", attempt.body);
    let csrf = crate::app::hidden(&attempt.body, "csrf");
    let session = Session { browser, csrf, url: app.url.clone() };
    let r = session.browser.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(r.url().path(), "/account");
    let (status, _, _) = session.post("/account/totp/new", &[("password", NEW_PASSWORD)]).await;
    assert_eq!(status, 200);
    let secret = app.store.totp_factor(user).await.unwrap().unwrap().secret;
    let (status, _, page) = session.post("/account/totp/confirm", &[("code", &totp(&secret, now / 30 + 1))]).await;
    assert_eq!(status, 200);
    assert_eq!(codes_on(&page).len(), 10, "new recovery codes come with the new factor");
    assert!(!app.store.user(user).await.unwrap().unwrap().must_enrol_second_factor);
    let r = session.browser.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!(r.url().path(), "/");

    // A link that keeps the second factor asks for nothing new.
    let keep = make_link(&admin, user, "no").await;
    assert_eq!(use_link(&keep, "granite velvet orchard lantern", "granite velvet orchard lantern").await.0, 200);
    let stored = app.store.user(user).await.unwrap().unwrap();
    assert!(!stored.must_enrol_second_factor && !stored.must_change_password);
    app.advance(60);
    let (browser, csrf) =
        password_step_with(&app.url, "lost-phone@example.org", "granite velvet orchard lantern").await;
    assert_eq!(send_code(&browser, &app.url, &csrf, &totp(&secret, (now + 60) / 30)).await, (200, "/".into()));
}

/// The password step with a given password (`password_step` uses the test password).
async fn password_step_with(base: &str, email: &str, password: &str) -> (reqwest::Client, String) {
    let browser = TestApp::browser();
    let a = crate::accounts::sign_in(&browser, base, email, password).await;
    assert!(a.body.contains("name=\"code\""), "the code is asked for");
    let csrf = crate::app::hidden(&a.body, "csrf");
    (browser, csrf)
}
