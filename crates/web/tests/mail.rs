//! E-mail through a real SMTP server (aiosmtpd, which `.ci/run` installs; set `ALLIANCE_TEST_PYTHON` to a Python
//! that has it): the therapist told at once that a client needs them, with no clinical content (issue 13, item 2);
//! a password change told to the account's owner and a reset link sent (issue 14, finding 5); an unreachable
//! server leaves the message waiting for a retry. Without aiosmtpd the test says it was skipped and passes, as the
//! PostgreSQL tests do without a server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alliance_core::domain::Role;
use alliance_store::MailKind;
use alliance_web::mail::{MailDelivery, MailSettings};

use crate::app::{PASSWORD, TestApp, client_with_link, complete_answers, hidden};

/// An aiosmtpd server on a free loopback port, keeping every message it accepts as a file in a maildir.
pub struct MailServer {
    child: Child,
    pub port: u16,
    maildir: tempfile::TempDir,
}

impl MailServer {
    pub fn start() -> Option<MailServer> {
        Self::start_with(None)
    }

    /// A server whose handler is the class `Handler` of the Python `module` given (its source), instead of a
    /// maildir: e.g. one that refuses every recipient.
    pub fn start_with(handler: Option<&str>) -> Option<MailServer> {
        let python = std::env::var("ALLIANCE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let has_it = Command::new(&python).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status();
        if !has_it.is_ok_and(|s| s.success()) {
            eprintln!("skipped: no aiosmtpd for {python} (pip install aiosmtpd, or set ALLIANCE_TEST_PYTHON)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let mut command = Command::new(&python);
        command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c"]);
        match handler {
            None => command.arg("aiosmtpd.handlers.Mailbox").arg(maildir.path().join("box")),
            Some(source) => {
                std::fs::write(maildir.path().join("test_handler.py"), source).unwrap();
                command.arg("test_handler.Handler").env("PYTHONPATH", maildir.path())
            }
        };
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(MailServer { child, port, maildir })
    }

    /// Every message received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let new: PathBuf = self.maildir.path().join("box").join("new");
        let mut files: Vec<_> =
            std::fs::read_dir(&new).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.sort();
        files.iter().map(|f: &PathBuf| std::fs::read_to_string(Path::new(f)).unwrap()).collect()
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn settings(port: u16) -> MailSettings {
    MailSettings::parse(&format!("smtp+plain://127.0.0.1:{port}"), "Alliance <alliance@practice.example.org>").unwrap()
}

#[tokio::test]
async fn the_therapist_is_told_at_once_and_nothing_clinical_is_written() {
    let Some(server) = MailServer::start() else { return };
    let app = TestApp::spawn_with(|c| c.mail = Some(settings(server.port))).await;
    let delivery = MailDelivery::new(app.store.clone(), settings(server.port), &app.url).unwrap();
    let therapist = app.user("wren.therapist@example.org", Role::Therapist).await;

    // A client answers item 9: the notice is queued with the submission and sent by the next round of the job.
    let (me, _, _, token) = client_with_link(&app, "wren.therapist@example.org", "Cedar Wren").await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("1", "2");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    assert_eq!(phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap().status(), 200);
    assert_eq!(app.store.mail_of(therapist).await.unwrap(), vec![(MailKind::Risk, false, false)]);
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let notice = &messages[0];
    assert!(
        notice.contains("To: wren.therapist@example.org") && notice.contains("Subject: Alliance: a client needs you")
    );
    assert!(notice.contains(&format!("{}/", app.url)), "a link to sign in: {notice}");
    for clinical in ["Cedar Wren", "PHQ", "item 9", "harm", "risk", "/clients/"] {
        assert!(!notice.contains(clinical), "{clinical} in the e-mail: {notice}");
    }
    assert_eq!(app.store.mail_of(therapist).await.unwrap(), vec![(MailKind::Risk, true, false)]);
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 0, "sent once");

    // The owner of an account is told of a password change.
    let strong = "violet harbour crane 58 tiles";
    let fields = [("password", PASSWORD), ("new_password", strong), ("repeat", strong)];
    assert_eq!(me.post("/account/password", &fields).await.0, 200);
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 1);
    // A maildir's file names do not keep the order of arrival: each message is found by its subject.
    let with_subject = |subject: &str| server.messages().into_iter().find(|m| m.contains(subject));
    let changed = with_subject("Subject: Alliance: your password was changed").expect("the password notice");
    assert!(!changed.contains(strong));

    // An administrator's reset link goes to the account's address.
    app.user("root@example.org", Role::Administrator).await;
    let admin = app.sign_in("root@example.org").await;
    let id = therapist.0.to_string();
    let fields = [("user", id.as_str()), ("clear_second_factor", "no"), ("password", PASSWORD)];
    let (status, _, page) = admin.post("/admin/tasks/reset-link", &fields).await;
    assert_eq!(status, 200);
    assert!(page.contains("It was also sent to the account"), "{page}");
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 1);
    let reset = with_subject("Subject: Alliance: set a new password").expect("the reset link");
    assert!(reset.contains("/reset/"), "{reset}");
    assert_eq!(server.messages().len(), 3);
}

#[tokio::test]
async fn an_unreachable_mail_server_leaves_the_message_for_a_retry() {
    // A port nobody listens on: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(|c| c.mail = Some(settings(port))).await;
    let delivery = MailDelivery::new(app.store.clone(), settings(port), &app.url).unwrap();
    let user = app.user("ivy@example.org", Role::Therapist).await;
    let me = app.sign_in("ivy@example.org").await;
    let strong = "violet harbour crane 58 tiles";
    let fields = [("password", PASSWORD), ("new_password", strong), ("repeat", strong)];
    assert_eq!(me.post("/account/password", &fields).await.0, 200, "the change does not wait for the mail server");
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(delivery.deliver_due(now).await.unwrap(), 0);
    assert_eq!(app.store.mail_of(user).await.unwrap(), vec![(MailKind::PasswordChanged, false, false)], "kept");
    assert!(app.store.due_mail(now, 10).await.unwrap().is_empty(), "not before the back-off");
    let retried = app.store.due_mail(now + time::Duration::minutes(1), 10).await.unwrap();
    assert_eq!((retried.len(), retried[0].attempts), (1, 1));
    // A day later it is given up on: a stale notice helps nobody.
    assert_eq!(delivery.deliver_due(now + time::Duration::hours(25)).await.unwrap(), 0);
    assert_eq!(app.store.mail_of(user).await.unwrap(), vec![(MailKind::PasswordChanged, false, true)]);
}

#[tokio::test]
async fn without_a_mail_server_nothing_is_queued() {
    let app = TestApp::spawn().await;
    let user = app.user("nomail@example.org", Role::Therapist).await;
    let me = app.sign_in("nomail@example.org").await;
    let strong = "violet harbour crane 58 tiles";
    let fields = [("password", PASSWORD), ("new_password", strong), ("repeat", strong)];
    assert_eq!(me.post("/account/password", &fields).await.0, 200);
    assert!(app.store.mail_of(user).await.unwrap().is_empty());
}
