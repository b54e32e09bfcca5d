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
