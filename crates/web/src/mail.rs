//! E-mail: the settings (`--smtp-url`, `--mail-from`), what each message says, and the scheduled job that sends
//! what waits in the store's outbox (`alliance_store::Outbox`).
//!
//! Messages carry no clinical content: a risk notice says only that a client needs the therapist, with a link to
//! sign in and see who (docs/ARCHITECTURE.md#e-mail). A message is queued in the store by the request that causes
//! it and sent by this job, so a slow or unreachable mail server never slows a page, and a failed delivery is
//! retried. Nothing about a recipient (address, name) is logged or kept in the outbox's error column.

use std::time::Duration as StdDuration;

use alliance_app::{JobError, ScheduledJob};
use alliance_core::contact::Reach;
use alliance_store::{Channel, MailKind, QueuedMail, Recipient, Store};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::{Duration, OffsetDateTime};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    Tls,
    /// `smtp://`: STARTTLS, required (port 587 by default); a server that does not offer it is refused.
    StartTls,
    /// `smtp+plain://`: no encryption, for a relay on this machine only (port 25 by default).
    Plain,
}

/// Where and how to send e-mail.
#[derive(Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
}

impl std::fmt::Debug for MailSettings {
    // The password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|c| c.0.as_str()))
            .finish_non_exhaustive()
    }
}

impl MailSettings {
    /// Reads `smtps://USER:PASSWORD@HOST[:PORT]`, `smtp://...` (STARTTLS) or `smtp+plain://HOST[:PORT]` (loopback
    /// only) and the sender's address.
    pub fn parse(url: &str, from: &str) -> Result<Self, String> {
        let parsed =
            url::Url::parse(url.trim()).map_err(|_| "the SMTP URL is not a URL (smtps://user:password@host)")?;
        let (security, default_port) = match parsed.scheme() {
            "smtps" => (SmtpSecurity::Tls, 465),
            "smtp" => (SmtpSecurity::StartTls, 587),
            "smtp+plain" => (SmtpSecurity::Plain, 25),
            _ => return Err("the SMTP URL begins with smtps://, smtp:// (STARTTLS) or smtp+plain://".into()),
        };
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("the SMTP URL names no host")?.to_owned();
        if security == SmtpSecurity::Plain && !is_loopback(&host) {
            return Err("smtp+plain:// (no encryption) is only for a mail relay on this machine (localhost)".into());
        }
        if parsed.path().len() > 1 || parsed.query().is_some() || parsed.fragment().is_some() {
            return Err("the SMTP URL has no path, query or fragment".into());
        }
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8().map(|t| t.into_owned());
        let credentials = match (parsed.username(), parsed.password()) {
            ("", None) => None,
            (user, Some(password)) if !user.is_empty() => Some((
                decode(user).map_err(|_| "the SMTP user is not UTF-8")?,
                decode(password).map_err(|_| "the SMTP password is not UTF-8")?,
            )),
            _ => return Err("the SMTP URL names a user and a password, or neither".into()),
        };
        let from: Mailbox = from.trim().parse().map_err(|_| "the sender (--mail-from) is not an e-mail address")?;
        Ok(MailSettings { host, port: parsed.port().unwrap_or(default_port), security, credentials, from })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
        let builder = match self.security {
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&self.host)?,
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&self.host)?,
            SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host),
        };
        let builder = builder.port(self.port).timeout(Some(StdDuration::from_secs(20)));
        Ok(match &self.credentials {
            Some((user, password)) => builder.credentials(Credentials::new(user.clone(), password.clone())),
            None => builder,
        }
        .build())
    }
}

pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Subject and body of a message in the recipient's language; `link` is the full address it points at. No
/// clinical content, no client name.
pub fn words(tr: &alliance_i18n::Tr, kind: MailKind, link: &str) -> (String, String) {
    let (subject, body) = match kind {
        MailKind::Risk => ("mail-risk-subject", "mail-risk-body"),
        MailKind::PasswordChanged => ("mail-password-changed-subject", "mail-password-changed-body"),
        MailKind::PasswordReset => ("mail-password-reset-subject", "mail-password-reset-body"),
        MailKind::CheckLink => ("mail-check-subject", "mail-check-body"),
        MailKind::CheckReminder => ("mail-reminder-subject", "mail-reminder-body"),
    };
    (tr.t(subject), tr.t1(body, "link", link))
}

/// The words a stored language gives; English when none was chosen (a message has no browser to ask).
pub fn recipient_words(language: Option<&str>) -> alliance_i18n::Tr {
    alliance_i18n::Tr::new(language.and_then(alliance_i18n::Lang::parse).unwrap_or_default())
}

/// Queues a message when the server sends e-mail (`--smtp-url`); without it, nothing. A failure to queue is
/// logged and not passed on: the action that caused the message has happened and is not undone by it (a risk
/// notice's banner stays in Alliance until the risk is acknowledged).
pub async fn queue(state: &crate::AppState, to: alliance_store::UserId, kind: MailKind, path: String) {
    if state.config.mail.is_none() {
        return;
    }
    let mail = alliance_store::NewMail { to, kind, path };
    if let Err(e) = state.store.queue_mail(mail, state.now()).await {
        tracing::error!(kind = kind.as_str(), error = %e, "an e-mail could not be queued");
    }
}

/// How long a message is tried before it is given up on: a day-old risk notice is no longer news (the banner in
/// Alliance remains until the risk is acknowledged), and a reset link lasts 24 hours.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);
/// The wait before the n-th retry: one minute, doubling, at most an hour.
fn backoff(attempts: u32) -> Duration {
    Duration::minutes(1i64 << attempts.min(6)).min(Duration::hours(1))
}

/// The scheduled job that sends what is due, under the practice-wide lease (one server sends): e-mail over SMTP,
/// and clients' text messages through the SMS webhook when one is set.
pub struct MailDelivery {
    store: std::sync::Arc<dyn Store>,
    smtp: Option<(MailSettings, AsyncSmtpTransport<Tokio1Executor>)>,
    sms: Option<crate::delivery::SmsSender>,
    public_url: String,
}

impl MailDelivery {
    pub fn new(store: std::sync::Arc<dyn Store>, settings: MailSettings, public_url: &str) -> Result<Self, String> {
        let transport = settings.transport().map_err(|e| format!("the mail server's settings: {e}"))?;
        let public_url = public_url.trim_end_matches('/').to_owned();
        Ok(Self { store, smtp: Some((settings, transport)), sms: None, public_url })
    }

    /// The job for a server's settings: `None` when it sends neither e-mail nor text messages.
    pub fn for_config(store: std::sync::Arc<dyn Store>, config: &crate::Config) -> Result<Option<Self>, String> {
        let mut delivery = match (&config.mail, &config.sms) {
            (None, None) => return Ok(None),
            (Some(mail), _) => Self::new(store, mail.clone(), &config.public_url)?,
            (None, Some(_)) => {
                let public_url = config.public_url.trim_end_matches('/').to_owned();
                Self { store, smtp: None, sms: None, public_url }
            }
        };
        if let Some(sms) = &config.sms {
            delivery = delivery.with_sms(sms.clone())?;
        }
        Ok(Some(delivery))
    }

    /// Sends clients' text messages through this webhook too.
    pub fn with_sms(mut self, settings: crate::delivery::SmsSettings) -> Result<Self, String> {
        self.sms = Some(crate::delivery::SmsSender::new(settings)?);
        Ok(self)
    }

    /// Sends every message due at `now` (at most 50 a round); returns how many were sent.
    pub async fn deliver_due(&self, now: OffsetDateTime) -> Result<usize, JobError> {
        let mut sent = 0;
        for mail in self.store.due_mail(now, 50).await? {
            if now - mail.created_at > GIVE_UP_AFTER {
                self.store.mail_failed(mail.id, "not sent within 24 hours", None, now).await?;
                continue;
            }
            match self.send(&mail).await {
                Ok(()) => {
                    self.store.mail_sent(mail.id, now).await?;
                    sent += 1;
                }
                Err(failure) => {
                    let retry = (!failure.permanent).then(|| now + backoff(mail.attempts));
                    let channel = mail.channel.as_str();
                    tracing::warn!(kind = mail.kind.as_str(), channel, reason = %failure.reason, "message not delivered");
                    self.store.mail_failed(mail.id, &failure.reason, retry, now).await?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(&self, mail: &QueuedMail) -> Result<(), Failure> {
        let link = match mail.kind {
            // A reset link and a client's link are stored whole (they hold a token); the others are paths here.
            MailKind::PasswordReset | MailKind::CheckLink | MailKind::CheckReminder => mail.path.clone(),
            MailKind::Risk | MailKind::PasswordChanged => format!("{}{}", self.public_url, mail.path),
        };
        let reminder = mail.kind == MailKind::CheckReminder;
        let address = match mail.to {
            Recipient::Account(_) => mail.address.clone().unwrap_or_default(),
            // The contact is read again at each attempt: the therapist may have changed it since.
            Recipient::Client(_) => match (mail.channel, mail.address.as_deref().and_then(Reach::parse)) {
                (Channel::Email, Some(Reach::Email(address))) => address,
                (Channel::Sms, Some(Reach::Phone(number))) => {
                    let sms = self.sms.as_ref().ok_or(Failure::permanent("text messages are not set up"))?;
                    let tr = recipient_words(mail.language.as_deref());
                    return sms.send(&number, &crate::delivery::sms_words(&tr, reminder, &link)).await;
                }
                (Channel::Email, _) => return Err(Failure::permanent("the client's contact is not an e-mail address")),
                (Channel::Sms, _) => return Err(Failure::permanent("the client's contact is not a phone number")),
            },
        };
        let (settings, transport) = self.smtp.as_ref().ok_or(Failure::permanent("e-mail is not set up"))?;
        let (subject, body) = words(&recipient_words(mail.language.as_deref()), mail.kind, &link);
        let to: Mailbox = address.parse().map_err(|_| Failure::permanent("the address is not valid"))?;
        let message = Message::builder()
            .from(settings.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|_| Failure::permanent("the message could not be built"))?;
        transport.send(message).await.map(|_| ()).map_err(|e| Failure::of(&e))
    }
}

/// Why a message was not sent, in words that name nobody: the server's reply code, or the kind of failure.
#[derive(Debug)]
pub struct Failure {
    permanent: bool,
    reason: String,
}

impl Failure {
    pub(crate) fn permanent(reason: &str) -> Self {
        Failure { permanent: true, reason: reason.to_owned() }
    }

    /// A failure worth trying again later.
    pub(crate) fn retry(reason: &str) -> Self {
        Failure { permanent: false, reason: reason.to_owned() }
    }

    fn of(e: &lettre::transport::smtp::Error) -> Self {
        // The error's text can quote the server, which may repeat the address: keep only the code and class.
        let code = e.status().map(|c| format!(" (reply {c})")).unwrap_or_default();
        let class = if e.is_permanent() {
            "refused by the mail server"
        } else if e.is_transient() {
            "deferred by the mail server"
        } else if e.is_timeout() {
            "the mail server did not answer in time"
        } else if e.is_tls() {
            "no secure connection to the mail server"
        } else {
            "the mail server could not be reached"
        };
        Failure { permanent: e.is_permanent(), reason: format!("{class}{code}") }
    }
}

#[async_trait::async_trait]
impl ScheduledJob for MailDelivery {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn every(&self) -> Duration {
        Duration::seconds(15)
    }

    async fn run(&self, now: OffsetDateTime) -> Result<(), JobError> {
        // A failed round is logged and the lease given back: a failed job keeps its lease for the scheduler's two
        // hours, and a risk notice must not wait that long because the database hiccuped once.
        if let Err(e) = self.deliver_due(now).await {
            tracing::error!(error = %alliance_app::with_causes(e.as_ref()), "an e-mail round failed; retried in 15 s");
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_read_or_refused_with_a_reason() {
        let s =
            MailSettings::parse("smtps://alliance%40practice.org:p%40ss%20word@mail.example.org", "a@b.org").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("mail.example.org", 465, SmtpSecurity::Tls));
        assert_eq!(s.credentials, Some(("alliance@practice.org".into(), "p@ss word".into())));
        assert!(!format!("{s:?}").contains("p@ss"), "the password stays out of Debug");
        let s = MailSettings::parse("smtp://mail.example.org:2525", "Alliance <a@b.org>").unwrap();
        assert_eq!((s.port, s.security, s.credentials), (2525, SmtpSecurity::StartTls, None));
        assert_eq!(MailSettings::parse("smtp+plain://127.0.0.1", "a@b.org").unwrap().port, 25);
        for (url, from, says) in [
            ("smtp+plain://mail.example.org", "a@b.org", "only for a mail relay on this machine"),
            ("http://mail.example.org", "a@b.org", "begins with smtps://"),
            ("smtps://user@mail.example.org", "a@b.org", "a user and a password, or neither"),
            ("smtps://mail.example.org/inbox", "a@b.org", "no path"),
            ("not a url", "a@b.org", "not a URL"),
            ("smtps://mail.example.org", "nobody", "not an e-mail address"),
            ("smtps://mail.example.org", "a@b.org\r\nBcc: x@y.org", "not an e-mail address"),
        ] {
            let why = MailSettings::parse(url, from).unwrap_err();
            assert!(why.contains(says), "{url} {from}: {why}");
        }
    }

    #[test]
    fn a_risk_notice_says_only_that_a_client_needs_the_therapist() {
        let (subject, body) = words(&alliance_i18n::Tr::default(), MailKind::Risk, "https://alliance.example.org/");
        assert!(subject.contains("a client needs you") && body.contains("https://alliance.example.org/"));
        for clinical in ["PHQ", "item 9", "score", "suicid", "self-harm", "harm", "risk"] {
            assert!(!body.contains(clinical), "{clinical}");
        }
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        let waits: Vec<i64> = (0..9).map(|n| backoff(n).whole_minutes()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
