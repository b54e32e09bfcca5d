//! One-time password-reset links: made by an administrator (password asked again), stored only as a hash, used
//! once, within 24 hours, for an active account, under the password policy; using one ends every sign-in.
//! Hostile uses: reused, expired, revoked, tampered, cross-site, weak passwords, a deactivated account.

use alliance_core::domain::Role;
use alliance_store::UserId;
use sha2::{Digest, Sha256};

use crate::accounts::sign_in;
use crate::app::{PASSWORD, Session, TestApp, hidden};

const NEW_PASSWORD: &str = "lantern orchard velvet granite";

/// Makes a reset link for `user` as the administrator and returns it (the page shows it once).
pub(crate) async fn make_link(admin: &Session, user: UserId, clear_second_factor: &str) -> String {
    let id = user.0.to_string();
    let fields = [("user", id.as_str()), ("clear_second_factor", clear_second_factor), ("password", PASSWORD)];
    let (status, _, page) = admin.post("/admin/tasks/reset-link", &fields).await;
    assert_eq!(status, 200, "{page}");
    let start =
        page.find("id=\"reset-link\" value=\"").expect("the link is shown") + "id=\"reset-link\" value=\"".len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn token_of(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}

/// Opens the link's form and posts a new password: (status, body).
pub(crate) async fn use_link(link: &str, new: &str, repeat: &str) -> (u16, String) {
    let browser = TestApp::browser();
    let form = browser.get(link).send().await.unwrap();
    if form.status() != 200 {
        return (form.status().as_u16(), form.text().await.unwrap());
    }
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    let r = browser
        .post(link)
        .form(&[("csrf", csrf.as_str()), ("new_password", new), ("repeat", repeat)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn count(app: &TestApp, action: &str) -> usize {
    app.store.audit_events(10_000).await.unwrap().iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn a_reset_link_sets_a_policy_password_once_and_ends_every_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.user("forgetful@example.org", Role::Therapist).await;
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    let (laptop, phone) = (app.sign_in("forgetful@example.org").await, app.sign_in("forgetful@example.org").await);

    // Only administrators make links, and only with their password.
    let id = user.0.to_string();
    assert_eq!(laptop.post("/admin/tasks/reset-link", &[("user", &id), ("password", PASSWORD)]).await.0, 403);
    assert_eq!(admin.post("/admin/tasks/reset-link", &[("user", &id)]).await.0, 403);
    let (status, _, _) = admin.post_raw("/admin/tasks/reset-link", &[("user", &id), ("password", PASSWORD)]).await;
    assert_eq!(status, 403, "no anti-forgery token");
    for bad in ["abc", "99999999", ""] {
        let (status, _, body) = admin.post("/admin/tasks/reset-link", &[("user", bad), ("password", PASSWORD)]).await;
        assert!(status == 400 || status == 422, "{bad:?}: {status} {body}");
    }
    let fields = [("user", id.as_str()), ("clear_second_factor", "maybe"), ("password", PASSWORD)];
    assert_eq!(admin.post("/admin/tasks/reset-link", &fields).await.0, 400);
    assert_eq!(count(&app, "reset-link").await, 0);

    let link = make_link(&admin, user, "no").await;
    assert!(link.starts_with(&format!("{}/reset/", app.url)), "{link}");
    assert_eq!(count(&app, "reset-link").await, 1);
    // Stored only as its SHA-256 hash (computed here independently): the hash finds it, the token itself does not.
    let token = token_of(&link);
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(app.store.password_reset(&hash, now).await.unwrap().map(|r| r.user), Some(user));
    assert!(app.store.password_reset(token.as_bytes(), now).await.unwrap().is_none());
    // Shown once: the task page does not show it again.
    assert!(!admin.get("/admin/tasks").await.1.contains(token));

    // Tampered: one character changed, cut short, grown, garbage.
    let last = token.chars().last().unwrap();
    let swapped = format!("{}{}", &token[..token.len() - 1], if last == 'A' { 'B' } else { 'A' });
    for forged in [swapped, token[..42].to_owned(), format!("{token}A"), "../../admin".into(), "%00".into()] {
        let (status, body) = use_link(&format!("{}/reset/{forged}", app.url), NEW_PASSWORD, NEW_PASSWORD).await;
        assert!(status == 410 || status == 404, "{forged}: {status}");
        assert!(!body.contains("Set a new password"));
    }

    // Refused new passwords leave the link usable: too short, common, the user's own name, not repeated.
    for (new, repeat) in [
        ("short", "short"),
        ("password1234!", "password1234!"),
        ("forgetful-is-my-name", "forgetful-is-my-name"),
        (NEW_PASSWORD, "something else entirely"),
    ] {
        let (status, body) = use_link(&link, new, repeat).await;
        assert_eq!(status, 422, "{new}: {body}");
        assert!(body.contains("Not set"), "{body}");
    }
    // Cross-site: a post without the form's token, or with another link's.
    let browser = TestApp::browser();
    let r = browser.post(&link).form(&[("new_password", NEW_PASSWORD), ("repeat", NEW_PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = browser
        .post(&link)
        .form(&[("csrf", "x".repeat(43).as_str()), ("new_password", NEW_PASSWORD), ("repeat", NEW_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(laptop.get("/account").await.0, 200, "nothing happened yet");

    let (status, body) = use_link(&link, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Password set"));
    // Every sign-in ended; the new password works, the old one does not.
    for device in [&laptop, &phone] {
        let r = device.browser.get(format!("{}/account", app.url)).send().await.unwrap();
        assert_eq!(r.url().path(), "/login", "the sign-in was ended");
    }
    assert_eq!(sign_in(&TestApp::browser(), &app.url, "forgetful@example.org", NEW_PASSWORD).await.path, "/");
    assert_eq!(sign_in(&TestApp::browser(), &app.url, "forgetful@example.org", PASSWORD).await.status, 401);
    assert_eq!(count(&app, "password-reset").await, 1);

    // Used once.
    let (status, _) = use_link(&link, "another lantern orchard", "another lantern orchard").await;
    assert_eq!(status, 410);
    assert_eq!(count(&app, "password-reset").await, 1);
}

#[tokio::test]
async fn reset_links_expire_are_revoked_by_a_new_one_and_die_with_the_account() {
    let app = TestApp::spawn().await;
    let user = app.user("late@example.org", Role::Therapist).await;
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;

    let expiring = make_link(&admin, user, "no").await;
    app.advance(24 * 3600 + 1);
    assert_eq!(use_link(&expiring, NEW_PASSWORD, NEW_PASSWORD).await.0, 410, "expired after 24 hours");
    app.advance(-(24 * 3600 + 1));

    let first = make_link(&admin, user, "no").await;
    let second = make_link(&admin, user, "no").await;
    assert_eq!(use_link(&first, NEW_PASSWORD, NEW_PASSWORD).await.0, 410, "revoked by the newer link");

    let id = user.0.to_string();
    let fields = [("role", "therapist"), ("active", "no"), ("password", PASSWORD)];
    assert_eq!(admin.post(&format!("/admin/users/{id}"), &fields).await.0, 200);
    assert_eq!(use_link(&second, NEW_PASSWORD, NEW_PASSWORD).await.0, 410, "the account was deactivated");
    assert_eq!(count(&app, "password-reset").await, 0);
    // A deactivated account is not offered a link at all.
    let fields = [("user", id.as_str()), ("password", PASSWORD)];
    assert_eq!(admin.post("/admin/tasks/reset-link", &fields).await.0, 422);
}

#[tokio::test]
async fn the_second_factor_stays_unless_the_administrator_chose_to_remove_it() {
    let app = TestApp::spawn().await;
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    for (email, choice, kept) in [("keeps@example.org", "no", true), ("lost-phone@example.org", "yes", false)] {
        let user = app.user(email, Role::Therapist).await;
        app.store.begin_totp(user, &[9; 20], time::OffsetDateTime::now_utc()).await.unwrap();
        assert!(app.store.accept_totp_step(user, 1, true).await.unwrap());
        let link = make_link(&admin, user, choice).await;
        assert_eq!(use_link(&link, NEW_PASSWORD, NEW_PASSWORD).await.0, 200);
        let factor = app.store.totp_factor(user).await.unwrap();
        assert_eq!(factor.is_some_and(|f| f.enabled), kept, "{email}");
        // Signing in with the new password asks for the code while the factor stays; without it, the account
        // page asks for a new one before anything else.
        let attempt = sign_in(&TestApp::browser(), &app.url, email, NEW_PASSWORD).await;
        assert_eq!(attempt.path, if kept { "/login" } else { "/account" }, "{email}");
    }
    assert_eq!(count(&app, "password-reset-and-second-factor").await, 1);
    assert_eq!(count(&app, "reset-link-and-second-factor").await, 1);
}
