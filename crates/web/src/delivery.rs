//! Sending a client their check link (issue 16, item 6): the practice's settings (how long a link lasts, when an
//! unanswered one is reminded), the SMS webhook, and the words of the messages. The messages go through the same
//! outbox and job as staff e-mail (`mail.rs`); they say nothing clinical and name nobody: no pseudonym, no
//! therapist, no questionnaire, no score.

use std::time::Duration as StdDuration;

use time::Duration;

/// How long a client's link works and when an unanswered one is reminded (`--link-expiry-days`,
/// `--link-reminder-days`). The defaults are the project's choice, not taken from research: three days is what
/// links always lasted, and one reminder a day later leaves two days to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSettings {
    pub expires_after: Duration,
    /// `None`: no reminder.
    pub remind_after: Option<Duration>,
}

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings {
            expires_after: alliance_core::domain::DEFAULT_LINK_LIFETIME,
            remind_after: Some(Duration::days(1)),
        }
    }
}

/// The longest a link may be set to last: a check is about one session, and a weekly client's next session
/// comes within a week or two.
pub const MAX_EXPIRY_DAYS: u32 = 14;

impl LinkSettings {
    /// Checks the two settings together: a link lasts 1 to 14 days; a reminder (0: none) comes before it expires.
    pub fn from_days(expiry_days: u32, reminder_days: u32) -> Result<Self, String> {
        if !(1..=MAX_EXPIRY_DAYS).contains(&expiry_days) {
            return Err(format!("a link lasts from 1 to {MAX_EXPIRY_DAYS} days"));
        }
        if reminder_days >= expiry_days {
            return Err("the reminder comes before the link expires (fewer reminder days than expiry days)".into());
        }
        Ok(LinkSettings {
            expires_after: Duration::days(i64::from(expiry_days)),
            remind_after: (reminder_days > 0).then(|| Duration::days(i64::from(reminder_days))),
        })
    }
}

/// Where text messages go: a JSON POST `{"to": "+...", "text": "..."}` to the practice's webhook, with an
/// optional bearer token.
#[derive(Clone)]
pub struct SmsSettings {
    pub url: url::Url,
    pub token: Option<String>,
    /// How long the webhook has to answer.
    pub timeout: StdDuration,
}

impl std::fmt::Debug for SmsSettings {
    // The token never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url.as_str())
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// The longest webhook address or token taken: anything longer is a mistake or an attack on the log.
const MAX_SETTING: usize = 2048;

impl SmsSettings {
    /// Reads `--sms-webhook-url` (https, or http to this machine only) and `--sms-webhook-token`.
    pub fn parse(url: &str, token: Option<&str>) -> Result<Self, String> {
        if url.len() > MAX_SETTING {
            return Err(format!("the SMS webhook URL is longer than {MAX_SETTING} characters"));
        }
        let parsed = url::Url::parse(url.trim()).map_err(|_| "the SMS webhook URL is not a URL (https://...)")?;
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("the SMS webhook URL names no host")?;
        match parsed.scheme() {
            "https" => {}
            "http" if crate::mail::is_loopback(host) => {}
            "http" => return Err("the SMS webhook URL is https:// (http:// only to this machine, localhost)".into()),
            _ => return Err("the SMS webhook URL begins with https://".into()),
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("the SMS webhook URL carries no user or password; give --sms-webhook-token".into());
        }
        let token = match token.map(str::trim) {
            None | Some("") => None,
            Some(t) if t.len() > MAX_SETTING => return Err("the SMS webhook token is too long".into()),
            // A token goes into a header: visible ASCII only, so it cannot add a header of its own.
            Some(t) if !t.bytes().all(|b| b.is_ascii_graphic()) => {
                return Err("the SMS webhook token is letters, digits and punctuation only".into());
            }
            Some(t) => Some(t.to_owned()),
        };
        Ok(SmsSettings { url: parsed, token, timeout: StdDuration::from_secs(10) })
    }
}

/// Sends text messages through the webhook.
pub struct SmsSender {
    settings: SmsSettings,
    http: reqwest::Client,
}

impl SmsSender {
    pub fn new(settings: SmsSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            // A redirect could carry the client's number elsewhere: the webhook answers itself or fails.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| "the SMS webhook's client could not be made")?;
        Ok(SmsSender { settings, http })
    }

    /// Posts one message. The error names the class of failure and the HTTP status only, never the number.
    pub async fn send(&self, to: &str, text: &str) -> Result<(), crate::mail::Failure> {
        use crate::mail::Failure;
        let body = serde_json::json!({ "to": to, "text": text }).to_string();
        let mut request = self
            .http
            .post(self.settings.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(token) = &self.settings.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| {
            Failure::retry(if e.is_timeout() {
                "the SMS gateway did not answer in time"
            } else {
                "the SMS gateway could not be reached"
            })
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let code = status.as_u16();
        // 408 and 429 ask to try later; other 4xx refuse this message for good.
        if status.is_client_error() && code != 408 && code != 429 {
            Err(Failure::permanent(&format!("refused by the SMS gateway (HTTP {code})")))
        } else {
            Err(Failure::retry(&format!("the SMS gateway failed (HTTP {code})")))
        }
    }
}

/// A client's text message in their language: short, nothing clinical, nobody named.
pub fn sms_words(tr: &alliance_i18n::Tr, reminder: bool, link: &str) -> String {
    tr.t1(if reminder { "sms-reminder" } else { "sms-check" }, "link", link)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn link_settings_are_checked_together() {
        assert_eq!(LinkSettings::from_days(3, 1).unwrap(), LinkSettings::default());
        assert_eq!(LinkSettings::from_days(2, 0).unwrap().remind_after, None);
        for (expiry, reminder, says) in
            [(0, 0, "from 1 to 14"), (15, 1, "from 1 to 14"), (3, 3, "before the link expires"), (2, 9, "before")]
        {
            let why = LinkSettings::from_days(expiry, reminder).unwrap_err();
            assert!(why.contains(says), "{expiry} {reminder}: {why}");
        }
    }

    #[test]
    fn webhook_settings_are_read_or_refused_with_a_reason() {
        let s = SmsSettings::parse("https://sms.example.org/send", Some("abc.DEF-123")).unwrap();
        assert_eq!((s.url.as_str(), s.token.as_deref()), ("https://sms.example.org/send", Some("abc.DEF-123")));
        assert!(!format!("{s:?}").contains("abc.DEF"), "the token stays out of Debug");
        assert!(SmsSettings::parse("http://127.0.0.1:9000/sms", None).unwrap().token.is_none());
        assert!(SmsSettings::parse("http://localhost/sms", Some("")).is_ok());
        let long = format!("https://sms.example.org/{}", "a".repeat(3000));
        for (url, token, says) in [
            ("http://sms.example.org/send", None, "only to this machine"),
            ("ftp://sms.example.org/send", None, "begins with https://"),
            ("https://user:pw@sms.example.org/", None, "no user or password"),
            ("sms.example.org", None, "not a URL"),
            (long.as_str(), None, "longer than"),
            ("https://sms.example.org/", Some("abc\r\nX-Evil: 1"), "letters, digits and punctuation"),
            ("https://sms.example.org/", Some("two words"), "letters, digits and punctuation"),
        ] {
            let why = SmsSettings::parse(url, token).unwrap_err();
            assert!(why.contains(says), "{url} {token:?}: {why}");
        }
    }

    #[test]
    fn a_clients_message_says_nothing_clinical_in_any_language() {
        use alliance_i18n::{Lang, Tr};
        use alliance_store::MailKind;
        // Each language's words for what must not be in a client's message.
        let clinical: [(Lang, &[&str]); 3] = [
            (Lang::En, &["PHQ", "GAD", "WAI", "score", "depress", "anxi", "risk", "alliance", "Alliance"]),
            (Lang::Es, &["PHQ", "GAD", "puntuaci", "depres", "ansi", "riesgo", "alianza", "Alliance"]),
            (Lang::Ar, &["PHQ", "GAD", "نتيجة", "اكتئاب", "قلق", "خطر", "تحالف", "Alliance"]),
        ];
        for (lang, words_not_to_use) in clinical {
            let tr = Tr::new(lang);
            for (reminder, kind) in [(false, MailKind::CheckLink), (true, MailKind::CheckReminder)] {
                let (subject, body) = crate::mail::words(&tr, kind, "https://a.example.org/c/t");
                let sms = sms_words(&tr, reminder, "https://a.example.org/c/t");
                for text in [subject.as_str(), body.as_str(), sms.as_str()] {
                    for word in words_not_to_use {
                        assert!(!text.contains(word), "{word} in {text}");
                    }
                }
                assert!(body.contains("https://a.example.org/c/t") && sms.contains("https://a.example.org/c/t"));
            }
        }
    }
}
