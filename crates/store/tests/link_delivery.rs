//! A client's link in the outbox: queued once with its audit entry, the contact detail opened only when due, one
//! reminder at most, and nothing sent once the link was answered or expired.

use alliance_store::*;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use crate::conformance::{ev, instruments, response, therapist};

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

async fn link(store: &dyn Store, session: SessionId, byte: u8, at: OffsetDateTime) -> LinkId {
    let new =
        NewLink { session, token_hash: vec![byte; 32], expires_at: at + Duration::days(3), instruments: instruments() };
    store.create_link(new, ev(), at).await.unwrap()
}

fn message(client: ClientId, link: LinkId, channel: Channel) -> NewLinkMessage {
    NewLinkMessage { client, link, channel, path: format!("https://alliance.example.org/c/secret-{}", link.0) }
}

pub async fn a_link_is_sent_once_reminded_once_and_never_after_it_closed(store: &dyn Store) {
    let t = therapist(store, "deliver@example.org").await;
    let contact = Some("ash.wren@example.org".to_owned());
    let client = store.create_client(NewClient { therapist: t, pseudonym: "Ash Wren".into(), contact }, ev(), NOW);
    let client = client.await.unwrap();
    let started_on = date!(2026 - 11 - 01);
    let episode = NewEpisode { client, therapist: t, started_on, measures: vec!["phq9".into()] };
    let episode = store.open_episode(episode, ev(), NOW).await.unwrap();
    let held_on = date!(2026 - 11 - 28);
    let first = store.record_session(NewSession { episode, held_on, attended: true }, ev(), NOW).await.unwrap();
    let a = link(store, first.id, 0xa1, NOW).await;
    let audited = || async { store.audit_events(10_000).await.unwrap() };
    let before = audited().await.len();

    // Queued once, with the therapist's audit entry; a second request for the same link adds nothing.
    assert!(store.queue_link_message(message(client, a, Channel::Email), ev(), NOW).await.unwrap());
    assert!(!store.queue_link_message(message(client, a, Channel::Email), ev(), NOW).await.unwrap());
    assert_eq!(audited().await.len(), before + 1);

    // Due at once, the client's contact opened and the path too; no reminder before the first message was sent.
    let due = store.due_mail(NOW, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].to, due[0].channel, due[0].kind),
        (Recipient::Client(client), Channel::Email, MailKind::CheckLink)
    );
    assert_eq!(due[0].address.as_deref(), Some("ash.wren@example.org"));
    assert_eq!(due[0].path, format!("https://alliance.example.org/c/secret-{}", a.0));
    assert_eq!(store.queue_link_reminders(NOW, NOW + Duration::days(1)).await.unwrap(), 0);
    store.mail_sent(due[0].id, NOW).await.unwrap();
    let sent = audited().await;
    assert_eq!(sent.len(), before + 2, "sending opened the contact: audited");
    assert!(sent.iter().any(|e| e.action == "send" && e.object_kind == "link-message" && e.object_id == Some(a.0)));

    // One reminder for a link made at or before the cut-off and still open, however often the job runs.
    assert_eq!(store.queue_link_reminders(NOW - Duration::seconds(1), NOW + Duration::days(1)).await.unwrap(), 0);
    // Not while the client has asked not to be asked.
    store.set_asking(client, false, crate::conformance::ev(), NOW).await.unwrap();
    assert_eq!(store.queue_link_reminders(NOW, NOW + Duration::days(1)).await.unwrap(), 0, "stopped asking");
    store.set_asking(client, true, crate::conformance::ev(), NOW).await.unwrap();
    assert_eq!(store.queue_link_reminders(NOW, NOW + Duration::days(1)).await.unwrap(), 1);
    assert_eq!(store.queue_link_reminders(NOW, NOW + Duration::days(1)).await.unwrap(), 0, "at most once");
    let due = store.due_mail(NOW + Duration::days(1), 10).await.unwrap();
    assert_eq!((due.len(), due[0].kind), (1, MailKind::CheckReminder));
    assert_eq!(due[0].path, format!("https://alliance.example.org/c/secret-{}", a.0), "the same link");

    // The client answers before the reminder goes: it is dropped, never sent.
    let view = store.link_by_token(&[0xa1; 32], NOW).await.unwrap().unwrap();
    let answers = view.administrations.iter().map(|x| response(Some(x.id), 1.0)).collect();
    let submitted = AuditEvent::system(NOW, "client-submitted", "session", "care");
    store.submit_link(&[0xa1; 32], answers, submitted, NOW + Duration::days(1)).await.unwrap().unwrap();
    assert!(store.due_mail(NOW + Duration::days(1), 10).await.unwrap().is_empty());
    let messages = store.link_messages(first.id).await.unwrap();
    assert_eq!(
        messages.iter().map(|m| (m.kind, m.sent_at.is_some(), m.gave_up_at.is_some())).collect::<Vec<_>>(),
        [(MailKind::CheckLink, true, false), (MailKind::CheckReminder, false, true)]
    );
    assert!(messages[1].last_error.as_deref().is_some_and(|e| e.contains("answered or expired")));

    // A link that expired unanswered gets no reminder, and its waiting message is dropped.
    let second = store.record_session(NewSession { episode, held_on, attended: true }, ev(), NOW).await.unwrap();
    let b = link(store, second.id, 0xb2, NOW).await;
    assert!(store.queue_link_message(message(client, b, Channel::Sms), ev(), NOW).await.unwrap());
    let due = store.due_mail(NOW, 10).await.unwrap();
    assert_eq!((due.len(), due[0].channel), (1, Channel::Sms));
    store.mail_sent(due[0].id, NOW).await.unwrap();
    assert_eq!(store.queue_link_reminders(NOW, NOW + Duration::days(3)).await.unwrap(), 0, "expired");
    assert!(store.due_mail(NOW + Duration::days(3), 10).await.unwrap().is_empty());

    // A failure the sender gave up on is kept with its reason, for the session page.
    let c = link(store, second.id, 0xc3, NOW + Duration::hours(1)).await;
    assert!(store.queue_link_message(message(client, c, Channel::Email), ev(), NOW).await.unwrap());
    let due = store.due_mail(NOW + Duration::hours(1), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    store.mail_failed(due[0].id, "refused by the mail server (reply 550)", None, NOW).await.unwrap();
    let messages = store.link_messages(second.id).await.unwrap();
    let last = messages.last().unwrap();
    assert_eq!((last.link, last.gave_up_at.is_some(), last.attempts), (c, true, 1));
    assert_eq!(last.last_error.as_deref(), Some("refused by the mail server (reply 550)"));

    // Erasing the client erases their messages.
    store.delete_client(client, ev()).await.unwrap();
    assert!(store.link_messages(first.id).await.unwrap().is_empty());
    assert!(store.due_mail(NOW + Duration::days(9), 10).await.unwrap().is_empty());
}
