//! A client's check link sent for them (issue 16, item 6): by e-mail through a real SMTP server (aiosmtpd, see
//! `mail.rs`), followed from the received message and answered; one reminder after a day, none after expiry;
//! sent once by two servers; by text message through a webhook this test serves; failures shown to the therapist;
//! and no message says anything clinical or names anyone.

use std::sync::{Arc, Mutex};

use alliance_core::catalog::Catalog;
use alliance_core::domain::Role;
use alliance_store::{ClientId, MailKind, SessionId};
use alliance_web::delivery::{LinkSettings, SmsSettings};
use alliance_web::mail::{MailDelivery, MailSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app::{Session, TestApp, complete_answers, hidden, number_after};
use crate::mail::MailServer;

const PRACTICE: &str = "Harbour Practice <checks@practice.example.org>";

pub fn smtp(port: u16) -> MailSettings {
    MailSettings::parse(&format!("smtp+plain://127.0.0.1:{port}"), PRACTICE).unwrap()
}

/// A therapist's new client with `contact`, an episode and one session: (sign-in, client, session).
pub async fn client_with_session(
    app: &TestApp,
    therapist: &str,
    pseudonym: &str,
    contact: &str,
) -> (Session, i64, i64) {
    app.user(therapist, Role::Therapist).await;
    let me = app.sign_in(therapist).await;
    let fields = [
        ("pseudonym", pseudonym),
        ("contact", contact),
        ("measure", "phq9"),
        ("measure", "gad7"),
        ("started_on", "2026-11-01"),
    ];
    let (status, url, _) = me.post("/clients/new", &fields).await;
    assert_eq!(status, 200);
    let client: i64 = url.trim_start_matches("/clients/").parse().unwrap();
    let session = new_session(&me, client).await;
    (me, client, session)
}

async fn new_session(me: &Session, client: i64) -> i64 {
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let fields = [("held_on", "2026-11-28"), ("attended", "yes")];
    let (status, url, _) = me.post(&format!("/episodes/{episode}/sessions"), &fields).await;
    assert_eq!(status, 200);
    url.trim_start_matches("/sessions/").parse().unwrap()
}

/// The therapist asks for a link sent to the client; returns the session page shown after.
pub async fn send_link(me: &Session, session: i64) -> String {
    let (status, _, page) = me.post(&format!("/sessions/{session}/links"), &[("send", "yes")]).await;
    assert_eq!(status, 200, "{page}");
    page
}

/// The client's link as a message carries it.
fn link_in(message: &str, app: &TestApp) -> String {
    let start = message.find(&format!("{}/c/", app.url)).unwrap_or_else(|| panic!("no link in {message}"));
    message[start..].split_whitespace().next().unwrap().to_owned()
}

/// Nothing in `message` says who the client is, who treats them, what they were asked or what they answered.
async fn assert_nothing_clinical(app: &TestApp, message: &str, client: i64, pseudonym: &str, therapist: &str) {
    let catalog = Catalog::builtin().unwrap();
    let mut words: Vec<String> = vec![pseudonym.into(), therapist.into(), therapist.split('@').next().unwrap().into()];
    words.extend(pseudonym.split(' ').map(str::to_owned));
    for ins in catalog.all() {
        words.extend([ins.name.clone(), ins.short_name.clone()]);
        words.extend(ins.scales.iter().map(|s| s.name.clone()));
    }
    words.extend(["PHQ", "GAD", "WAI", "withdrawal", "/clients/", "/sessions/"].map(str::to_owned));
    for response in app.store.responses_of(ClientId(client)).await.unwrap() {
        for score in &response.scores {
            words.extend(score.band.clone());
            words.extend(score.value.map(|v| format!("score {v}")));
        }
    }
    for word in words {
        assert!(!message.contains(&word), "{word:?} in the message: {message}");
    }
}

async fn answer(link: &str, fields: Vec<(String, String)>) -> reqwest::StatusCode {
    let phone = TestApp::browser();
    let form = phone.get(link).send().await.unwrap().text().await.unwrap();
    let mut fields = fields;
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    phone.post(link).form(&fields).send().await.unwrap().status()
}

#[tokio::test]
async fn a_link_sent_by_email_is_followed_from_the_message_and_answered() {
    let Some(server) = MailServer::start() else { return };
    let app = TestApp::spawn_with(|c| c.mail = Some(smtp(server.port))).await;
    let delivery = MailDelivery::new(app.store.clone(), smtp(server.port), &app.url).unwrap();
    let (me, client, session) = client_with_session(&app, "fern@example.org", "Moss Kestrel", "c1@example.net").await;

    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("send it to the client&#39;s e-mail"), "{page}");
    let page = send_link(&me, session).await;
    assert!(page.contains("/c/"), "the QR code and address are still shown");
    assert!(page.contains("The link is waiting to be sent by e-mail."), "{page}");
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 1);
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("To: c1@example.net"), "{message}");
    assert!(message.contains("Subject: Your check after today's session"), "{message}");
    assert_nothing_clinical(&app, message, client, "Moss Kestrel", "fern@example.org").await;
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("The link was sent by e-mail on "), "{page}");

    // The client follows the link in the message and answers.
    let link = link_in(message, &app);
    assert_eq!(answer(&link, complete_answers("1", "0")).await, 200);
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("Answered by the client."));
    assert_eq!(app.store.responses_of(ClientId(client)).await.unwrap().len(), 3);

    // The next session's message, now that there are answers and scores, still says none of them.
    let next = new_session(&me, client).await;
    send_link(&me, next).await;
    assert_eq!(delivery.deliver_due(time::OffsetDateTime::now_utc()).await.unwrap(), 1);
    let second = server.messages().into_iter().find(|m| !m.contains(&link)).expect("the second message");
    assert_nothing_clinical(&app, &second, client, "Moss Kestrel", "fern@example.org").await;
    let audit = app.store.audit_events(1000).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "send" && e.object_kind == "link").count(), 2, "asked for");
    assert_eq!(audit.iter().filter(|e| e.object_kind == "link-message").count(), 2, "sent");
}

/// The reminder and expiry jobs as a server's scheduler runs them, at the app's (moved) clock.
async fn run_jobs(app: &TestApp, delivery: &MailDelivery, remind_after: time::Duration) -> usize {
    let now = (app.state.clock)();
    let reminders = alliance_app::LinkReminders { store: app.store.clone(), remind_after };
    alliance_app::ScheduledJob::run(&reminders, now).await.unwrap();
    delivery.deliver_due(now).await.unwrap()
}

#[tokio::test]
async fn an_unanswered_link_is_reminded_once_and_never_after_it_expired() {
    let Some(server) = MailServer::start() else { return };
    let links = LinkSettings::from_days(2, 1).unwrap();
    let app = TestApp::spawn_with(|c| {
        c.mail = Some(smtp(server.port));
        c.links = links;
    })
    .await;
    let delivery = MailDelivery::new(app.store.clone(), smtp(server.port), &app.url).unwrap();
    let day = time::Duration::days(1);
    let (me, client, session) = client_with_session(&app, "reed@example.org", "Lark Birch", "c2@example.net").await;
    send_link(&me, session).await;
    assert_eq!(run_jobs(&app, &delivery, day).await, 1, "the link, no reminder yet");

    // A day later: one reminder with the same link, however often the jobs run.
    app.advance(day.whole_seconds() - 60);
    assert_eq!(run_jobs(&app, &delivery, day).await, 0, "not before a day");
    app.advance(61);
    assert_eq!(run_jobs(&app, &delivery, day).await, 1);
    assert_eq!(run_jobs(&app, &delivery, day).await, 0);
    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    let reminder = messages.iter().find(|m| m.contains("Subject: A reminder")).expect("the reminder");
    let first = messages.iter().find(|m| !m.contains("Subject: A reminder")).unwrap();
    assert_eq!(link_in(reminder, &app), link_in(first, &app), "the same link");
    assert_nothing_clinical(&app, reminder, client, "Lark Birch", "reed@example.org").await;
    // A day on, the therapist signs in again.
    let me = app.sign_in("reed@example.org").await;
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("The reminder was sent by e-mail on "), "{page}");

    // Expired after two days (the setting, not the default three): the link is refused, nothing more is sent.
    app.advance(day.whole_seconds());
    let phone = TestApp::browser();
    assert_eq!(phone.get(link_in(first, &app)).send().await.unwrap().status(), 410);
    assert_eq!(run_jobs(&app, &delivery, day).await, 0);

    // A link sent and never reminded because it expired first: reminders off after expiry.
    let me = app.sign_in("reed@example.org").await;
    let next = new_session(&me, client).await;
    send_link(&me, next).await;
    assert_eq!(run_jobs(&app, &delivery, day).await, 1);
    app.advance(2 * day.whole_seconds());
    assert_eq!(run_jobs(&app, &delivery, day).await, 0, "expired before any job ran: no reminder");
    assert_eq!(server.messages().len(), 3);
    let messages = app.store.link_messages(SessionId(next)).await.unwrap();
    assert_eq!(messages.iter().map(|m| m.kind).collect::<Vec<_>>(), [MailKind::CheckLink]);
}

#[tokio::test]
async fn two_servers_send_a_link_and_its_reminder_once() {
    let Some(server) = MailServer::start() else { return };
    let app = TestApp::spawn_with(|c| c.mail = Some(smtp(server.port))).await;
    let other = app.second_store().await;
    let (me, _, session) = client_with_session(&app, "sedge@example.org", "Wren Alder", "c3@example.net").await;
    send_link(&me, session).await;
    let day = time::Duration::days(1);
    let scheduler = |store: Arc<dyn alliance_store::Store>| {
        alliance_app::Scheduler::new(store.clone(), app.state.clock.clone())
            .with(MailDelivery::new(store.clone(), smtp(server.port), &app.url).unwrap())
            .with(alliance_app::LinkReminders { store, remind_after: day })
    };
    let (a, b) = (scheduler(app.store.clone()), scheduler(other));
    let now = (app.state.clock)();
    for at in [now, now + time::Duration::minutes(1), now + day, now + day + time::Duration::minutes(5)] {
        tokio::join!(a.run_due(at), b.run_due(at));
    }
    let messages = server.messages();
    assert_eq!(messages.iter().filter(|m| m.contains("Subject: Your check after")).count(), 1, "{messages:?}");
    assert_eq!(messages.iter().filter(|m| m.contains("Subject: A reminder")).count(), 1, "{messages:?}");
}

/// A webhook on a loopback port: answers each POST with `status` (or never, when `None`) and keeps the requests.
struct Webhook {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Webhook {
    async fn start(status: Option<u16>) -> Webhook {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let kept = requests.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let kept = kept.clone();
                tokio::spawn(async move {
                    let request = read_request(&mut socket).await;
                    kept.lock().unwrap().push(request);
                    let Some(status) = status else {
                        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                        return;
                    };
                    let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        });
        Webhook { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// Headers and body of one HTTP request (the body by its content-length).
async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.unwrap();
        bytes.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&bytes).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                .map_or(0, |v| v.parse::<usize>().unwrap());
            if bytes.len() >= end + 4 + length {
                return text;
            }
        }
        if n == 0 {
            return text;
        }
    }
}

fn sms_settings(webhook: &Webhook) -> SmsSettings {
    let mut settings = SmsSettings::parse(&webhook.url, Some("hook-token-123")).unwrap();
    settings.timeout = std::time::Duration::from_secs(1);
    settings
}

#[tokio::test]
async fn a_link_goes_by_text_message_through_the_webhook() {
    let webhook = Webhook::start(Some(200)).await;
    let sms = sms_settings(&webhook);
    let app = TestApp::spawn_with(|c| c.sms = Some(sms.clone())).await;
    let delivery = MailDelivery::for_config(app.store.clone(), &app.state.config).unwrap().unwrap();
    let (me, client, session) = client_with_session(&app, "heath@example.org", "Rook Hazel", "+44 7700-900 123").await;
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("send it to the client&#39;s phone (text message)"), "{page}");
    send_link(&me, session).await;
    assert_eq!(delivery.deliver_due((app.state.clock)()).await.unwrap(), 1);
    let requests = webhook.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(request.starts_with("POST /sms HTTP/1.1\r\n"), "{request}");
    assert!(request.to_ascii_lowercase().contains("authorization: bearer hook-token-123"), "{request}");
    let body: serde_json::Value = serde_json::from_str(request.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["to"], "+447700900123");
    let text = body["text"].as_str().unwrap();
    assert_nothing_clinical(&app, text, client, "Rook Hazel", "heath@example.org").await;
    let link = link_in(text, &app);
    assert_eq!(answer(&link, complete_answers("0", "0")).await, 200, "the link in the text works");
    assert_eq!(body.as_object().unwrap().len(), 2, "only the number and the text: {body}");
}

#[tokio::test]
async fn a_failing_webhook_is_retried_then_given_up_and_the_therapist_sees_why() {
    for (status, why) in
        [(Some(500), "the SMS gateway failed (HTTP 500)"), (None, "the SMS gateway did not answer in time")]
    {
        let webhook = Webhook::start(status).await;
        let sms = sms_settings(&webhook);
        let app = TestApp::spawn_with(|c| c.sms = Some(sms.clone())).await;
        let delivery = MailDelivery::for_config(app.store.clone(), &app.state.config).unwrap().unwrap();
        let (me, _, session) = client_with_session(&app, "ash@example.org", "Teal Rowan", "+15550100199").await;
        send_link(&me, session).await;
        let now = (app.state.clock)();
        assert_eq!(delivery.deliver_due(now).await.unwrap(), 0);
        let (_, page) = me.get(&format!("/sessions/{session}")).await;
        assert!(page.contains(&format!("not delivered yet (attempts: 1; trying again): {why}.")), "{page}");
        assert_eq!(delivery.deliver_due(now + time::Duration::minutes(1)).await.unwrap(), 0);
        assert_eq!(webhook.requests().len(), 2, "tried again after the back-off");
        // The link expires before anything gets through: dropped, and said so.
        app.advance(3 * 86_400);
        assert_eq!(delivery.deliver_due((app.state.clock)()).await.unwrap(), 0);
        let me = app.sign_in("ash@example.org").await;
        let (_, page) = me.get(&format!("/sessions/{session}")).await;
        assert!(
            page.contains(
                "The text message could not be delivered: the link was answered or expired before it was sent."
            ),
            "{page}"
        );
        assert!(!page.contains("15550100199"), "the number is not shown back");
    }
}

#[tokio::test]
async fn a_mail_server_that_cannot_be_reached_leaves_a_reason_on_the_session_page() {
    // A port nobody listens on: the connection is refused. After 24 hours the message is given up on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(|c| {
        c.mail = Some(smtp(port));
        c.links = LinkSettings::from_days(3, 0).unwrap();
    })
    .await;
    let delivery = MailDelivery::new(app.store.clone(), smtp(port), &app.url).unwrap();
    let (me, _, session) = client_with_session(&app, "oak@example.org", "Elm Finch", "c4@example.net").await;
    send_link(&me, session).await;
    assert_eq!(delivery.deliver_due((app.state.clock)()).await.unwrap(), 0);
    app.advance(25 * 3600);
    assert_eq!(delivery.deliver_due((app.state.clock)()).await.unwrap(), 0);
    let me = app.sign_in("oak@example.org").await;
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("The e-mail could not be delivered: not sent within 24 hours."), "{page}");
    assert!(!page.contains("c4@example.net"), "the address is not shown back");
}

/// An SMTP server that refuses every recipient, quoting the address in its reply as real servers do.
const REFUSING: &str = "class Handler:\n    async def handle_RCPT(self, server, session, envelope, address, options):\n        \
                        return '550 5.1.1 <' + address + '>: no such mailbox'\n";

#[tokio::test]
async fn a_mail_server_that_refuses_the_address_is_given_up_on_at_once_and_the_therapist_sees_why() {
    let Some(server) = MailServer::start_with(Some(REFUSING)) else { return };
    let app = TestApp::spawn_with(|c| c.mail = Some(smtp(server.port))).await;
    let delivery = MailDelivery::new(app.store.clone(), smtp(server.port), &app.url).unwrap();
    let (me, _, session) = client_with_session(&app, "yew@example.org", "Pine Dove", "c5@example.net").await;
    send_link(&me, session).await;
    assert_eq!(delivery.deliver_due((app.state.clock)()).await.unwrap(), 0);
    let (_, page) = me.get(&format!("/sessions/{session}")).await;
    assert!(page.contains("The e-mail could not be delivered: refused by the mail server (reply 550)."), "{page}");
    assert!(!page.contains("c5@example.net") && !page.contains("no such mailbox"), "the server's words stay out");
    let kept = app.store.link_messages(SessionId(session)).await.unwrap();
    assert_eq!((kept.len(), kept[0].attempts, kept[0].gave_up_at.is_some()), (1, 1, true), "not retried");
    assert!(app.store.due_mail((app.state.clock)() + time::Duration::hours(2), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_contact_that_is_not_an_address_or_a_number_offers_no_sending() {
    let app = TestApp::spawn_with(|c| c.mail = Some(smtp(9))).await;
    for (n, contact) in ["call after 6", "07700 900123", "moss@"].into_iter().enumerate() {
        let therapist = format!("t{n}@example.org");
        let (me, _, session) = client_with_session(&app, &therapist, "Sky Linnet", contact).await;
        let (_, page) = me.get(&format!("/sessions/{session}")).await;
        assert!(!page.contains("send it to the client"), "{contact}: {page}");
        let (status, _, page) = me.post(&format!("/sessions/{session}/links"), &[("send", "yes")]).await;
        assert_eq!(status, 400, "{contact}");
        assert!(page.contains("The link cannot be sent"), "{page}");
        let (_, page) = me.get(&format!("/sessions/{session}")).await;
        assert!(page.contains("No link created yet."), "nothing made: {page}");
    }
    // A phone number while this server sends no text messages.
    let (me, _, session) = client_with_session(&app, "nosms@example.org", "Sky Linnet", "+44 7700 900123").await;
    let (status, _, _) = me.post(&format!("/sessions/{session}/links"), &[("send", "yes")]).await;
    assert_eq!(status, 400);
}
