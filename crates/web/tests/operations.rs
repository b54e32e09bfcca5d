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
