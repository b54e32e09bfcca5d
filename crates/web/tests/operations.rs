//! What an operator relies on: readiness, metrics without personal data, security headers.

use alliance_core::domain::Role;

use crate::app::{TestApp, client_with_link};

#[tokio::test]
async fn readiness_metrics_and_headers() {
    let app = TestApp::spawn().await;
    app.user("op@example.org", Role::Therapist).await;
    let (_, _, _, token) = client_with_link(&app, "op@example.org", "Ochre Owl").await;
    let phone = TestApp::browser();
    assert_eq!(phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().status(), 200);

    let ready = phone.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let headers = ready.headers();
    let id = headers["x-request-id"].to_str().unwrap();
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "a request id to quote: {id}");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(!headers.contains_key("strict-transport-security"), "HSTS only when served over TLS");

    let metrics = phone.get(format!("{}/metrics", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"route="/c/{token}",status="200""#), "{metrics}");
    assert!(metrics.contains(r#"route="/clients/new""#));
    assert!(!metrics.contains(&token), "tokens never reach the metrics");
    assert!(!metrics.contains("Ochre Owl"));
}

/// A scheduled job that always fails, under the backup job's name.
struct FailingBackup;

#[async_trait::async_trait]
impl alliance_app::ScheduledJob for FailingBackup {
    fn name(&self) -> &'static str {
        "backup"
    }

    fn every(&self) -> time::Duration {
        time::Duration::hours(1)
    }

    fn scope(&self) -> alliance_app::JobScope {
        alliance_app::JobScope::Server
    }

    async fn run(&self, _now: time::OffsetDateTime) -> Result<(), alliance_app::JobError> {
        Err("the backup disk is full".into())
    }
}

fn metric<'a>(metrics: &'a str, series: &str) -> &'a str {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {series} in:\n{metrics}"))
}

/// What an operator alerts on: sign-in failures and throttling, submissions, jobs, pools, open signals, the
/// release; and `/readyz` turns 503 once scheduled backups fail twice in a row.
#[tokio::test]
async fn metrics_an_operator_alerts_on() {
    let app = TestApp::spawn().await;
    let (_me, _client, _risk) = crate::risk::client_at_risk(&app, "t@example.org").await;
    let browser = TestApp::browser();
    let page = browser.get(format!("{}/login", app.url)).send().await.unwrap().text().await.unwrap();
    let csrf = crate::app::hidden(&page, "csrf");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let form = [("csrf", csrf.as_str()), ("email", "t@example.org"), ("password", "not the password")];
        statuses.push(browser.post(format!("{}/login", app.url)).form(&form).send().await.unwrap().status().as_u16());
    }
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 1 && throttled >= 1 && refused + throttled == 7, "{statuses:?}");

    // The census as the scheduler runs it: the client who endorsed item 9 has an open risk signal.
    let now = time::OffsetDateTime::now_utc();
    let census = alliance_app::SignalCensus { app: app.state.app.clone(), counts: app.state.open_signals.clone() };
    alliance_app::ScheduledJob::run(&census, now).await.unwrap();

    let scraper = reqwest::Client::new();
    let get = |path: &str| scraper.get(format!("{}{path}", app.url)).send();
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    let signed_in = metric(&metrics, r#"alliance_sign_in_attempts_total{step="password",outcome="accepted"}"#);
    assert!(signed_in.parse::<u64>().unwrap() >= 1, "the therapist signed in");
    assert_eq!(
        metric(&metrics, r#"alliance_sign_in_attempts_total{step="password",outcome="refused"}"#),
        refused.to_string()
    );
    assert_eq!(
        metric(&metrics, r#"alliance_sign_in_attempts_total{step="password",outcome="throttled"}"#),
        throttled.to_string()
    );
    assert_eq!(metric(&metrics, r#"alliance_client_submissions_total{outcome="accepted"}"#), "1");
    assert_eq!(metric(&metrics, r#"alliance_open_signals{kind="risk"}"#), "1");
    assert_eq!(metric(&metrics, r#"alliance_open_signals{kind="deterioration"}"#), "0", "one session: no change yet");
    assert!(metrics.contains(&format!(r#"alliance_build_info{{version="{}",schema=""#, env!("CARGO_PKG_VERSION"))));
    assert!(metrics.contains(r#"alliance_db_pool_max_connections{pool=""#), "{metrics}");
    assert!(!metrics.contains("t@example.org") && !metrics.contains("Cedar Wren"), "nothing personal");

    // Backups failing: ready after one failure, not after two.
    let history = app.state.jobs.clone();
    let scheduler = alliance_app::Scheduler::new(app.store.clone(), app.state.clock.clone())
        .with(FailingBackup)
        .recording(history.clone());
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    scheduler.run_due(now + time::Duration::minutes(61)).await;
    assert_eq!(get("/readyz").await.unwrap().status(), 200, "one failure may pass");
    scheduler.run_due(now + time::Duration::minutes(122)).await;
    let r = get("/readyz").await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.unwrap(), "not ready: scheduled backups are failing");
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert_eq!(metric(&metrics, r#"alliance_job_failures_in_a_row{job="backup"}"#), "2");
    assert_eq!(metric(&metrics, r#"alliance_job_failures_total{job="backup"}"#), "2");
    assert!(metrics.contains(r#"alliance_job_last_failure_timestamp_seconds{job="backup"}"#));
}

#[tokio::test]
async fn security_txt_names_the_configured_contact_or_is_absent() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(format!("{}/.well-known/security.txt", app.url)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with("Contact: mailto:security@example.org\nExpires: "), "{text}");
    assert!(text.contains(&format!("Canonical: {}/.well-known/security.txt\n", app.url)), "{text}");
    let expires = text.lines().find_map(|l| l.strip_prefix("Expires: ")).unwrap();
    let expires = time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(expires > time::OffsetDateTime::now_utc() + time::Duration::days(300));

    let unset = TestApp::spawn_with(|c| c.security_contact = None).await;
    let r = reqwest::get(format!("{}/.well-known/security.txt", unset.url)).await.unwrap();
    assert_eq!(r.status(), 404);
    // The setting is a mailto: or https:// address on one line (no injected fields).
    assert!(alliance_web::parse_security_contact("https://example.org/report").is_ok());
    for bad in ["security@example.org", "http://example.org", "mailto:a@b.org\nContact: mailto:evil@x.org", ""] {
        assert!(alliance_web::parse_security_contact(bad).is_err(), "{bad:?}");
    }
}
