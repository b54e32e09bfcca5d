//! The client's address behind a reverse proxy (issue 14, finding 2): only a trusted proxy's `X-Forwarded-For` /
//! `Forwarded` count, and that one address drives sign-in throttling, the audit log and the loopback-only
//! `/metrics`. A known device with the right password is never refused because of other people's failures.

use alliance_core::domain::Role;

use crate::app::{PASSWORD, TestApp};

const WRONG: &str = "not the right password";

/// A browser whose requests reach the app through a proxy on this machine that says they come from `from`.
fn browser_via(header: &'static str, from: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(header, from.parse().unwrap());
    reqwest::Client::builder().cookie_store(true).default_headers(headers).build().unwrap()
}

async fn sign_in(browser: &reqwest::Client, base: &str, email: &str, password: &str) -> u16 {
    crate::accounts::sign_in(browser, base, email, password).await.status
}

async fn addresses(app: &TestApp, action: &str) -> Vec<Option<String>> {
    let events = app.store.audit_events(10_000).await.unwrap();
    events.into_iter().filter(|e| e.action == action).map(|e| e.address).collect()
}

/// Signs the therapist in once into `jar` (the practice's browser, from its own address) so that it holds a device
/// cookie; whether it does.
async fn own_device_cookie(app: &TestApp, jar: &std::sync::Arc<reqwest::cookie::Jar>) -> bool {
    use reqwest::cookie::CookieStore;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", "198.51.100.7".parse().unwrap());
    let browser = reqwest::Client::builder().cookie_provider(jar.clone()).default_headers(headers).build().unwrap();
    assert_eq!(sign_in(&browser, &app.url, "therapist@example.org", PASSWORD).await, 200);
    let url = app.url.parse().unwrap();
    jar.cookies(&url).is_some_and(|c| c.to_str().unwrap().contains("alliance_device="))
}

fn trust_loopback(config: &mut alliance_web::Config) {
    config.trusted_proxies = vec![alliance_web::parse_proxy("127.0.0.1").unwrap()];
}

#[tokio::test]
async fn behind_a_trusted_proxy_other_peoples_failures_lock_nobody_out() {
    let app = TestApp::spawn_with(trust_loopback).await;
    app.user("therapist@example.org", Role::Therapist).await;
    app.freeze();
    // The therapist's browser at the practice (behind the practice's router) is a known device.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    assert!(own_device_cookie(&app, &jar).await, "the therapist's browser holds a device cookie");

    // Someone at another address uses up its budget with made-up accounts (a forged hop to the left is ignored).
    let attacker = browser_via("x-forwarded-for", "10.9.9.9, 203.0.113.66");
    for i in 0..50 {
        assert_eq!(sign_in(&attacker, &app.url, &format!("guess{}@example.org", i / 4), WRONG).await, 401, "{i}");
    }
    assert_eq!(sign_in(&attacker, &app.url, "another@example.org", WRONG).await, 429);
    // The proxy is no longer everyone: a colleague signing in for the first time elsewhere is not refused.
    let colleague = browser_via("forwarded", "for=\"[2001:db8::5]:4711\";proto=https");
    assert_eq!(sign_in(&colleague, &app.url, "therapist@example.org", PASSWORD).await, 200);
    // And the known device with the right password gets in even from the exhausted address.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", "203.0.113.66".parse().unwrap());
    let own_from_there = reqwest::Client::builder().cookie_provider(jar).default_headers(headers).build().unwrap();
    assert_eq!(sign_in(&own_from_there, &app.url, "therapist@example.org", PASSWORD).await, 200);
    // (A fresh browser from that address has no device cookie and is refused.)
    let fresh = browser_via("x-forwarded-for", "203.0.113.66");
    assert_eq!(sign_in(&fresh, &app.url, "therapist@example.org", PASSWORD).await, 429);

    // The audit log names the client, not the proxy.
    let failed = addresses(&app, "sign-in-failed").await;
    assert_eq!(failed.len(), 50);
    assert!(failed.iter().all(|a| a.as_deref() == Some("203.0.113.66")), "{failed:?}");
    let signed_in = addresses(&app, "sign-in").await;
    assert!(signed_in.contains(&Some("198.51.100.7".into())), "{signed_in:?}");
    assert!(signed_in.contains(&Some("2001:db8::5".into())), "{signed_in:?}");
}

#[tokio::test]
async fn a_known_device_is_not_refused_for_its_addresss_exhausted_budget() {
    // Without a proxy too: everyone at one address (one practice router) shares its budget, but a known device
    // with the right password is checked before the address.
    let app = TestApp::spawn().await;
    app.user("therapist@example.org", Role::Therapist).await;
    app.freeze();
    let own = TestApp::browser();
    assert_eq!(sign_in(&own, &app.url, "therapist@example.org", PASSWORD).await, 200);
    let other = TestApp::browser();
    for i in 0..50 {
        assert_eq!(sign_in(&other, &app.url, &format!("guess{i}@example.org"), WRONG).await, 401);
    }
    assert_eq!(sign_in(&other, &app.url, "therapist@example.org", PASSWORD).await, 429);
    assert_eq!(sign_in(&own, &app.url, "therapist@example.org", PASSWORD).await, 200);
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_headers_change_nothing() {
    let app = TestApp::spawn().await;
    app.freeze();
    // Each attempt claims another address: all of them are counted under the real peer.
    for i in 0..50 {
        let forged = browser_via("x-forwarded-for", &format!("203.0.113.{i}"));
        assert_eq!(sign_in(&forged, &app.url, &format!("guess{i}@example.org"), WRONG).await, 401, "{i}");
    }
    let forged = browser_via("forwarded", "for=192.0.2.1");
    assert_eq!(sign_in(&forged, &app.url, "another@example.org", WRONG).await, 429);
    let failed = addresses(&app, "sign-in-failed").await;
    assert!(failed.iter().all(|a| a.as_deref() == Some("127.0.0.1")), "{failed:?}");
    // /metrics answers the local scraper whatever it claims.
    let metrics = browser_via("x-forwarded-for", "203.0.113.9").get(format!("{}/metrics", app.url)).send().await;
    assert_eq!(metrics.unwrap().status(), 200);
}

#[tokio::test]
async fn metrics_are_refused_to_a_forwarded_remote_client() {
    let app = TestApp::spawn_with(trust_loopback).await;
    let get = |client: reqwest::Client| {
        let url = format!("{}/metrics", app.url);
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(browser_via("x-forwarded-for", "203.0.113.9")).await, 404);
    assert_eq!(get(browser_via("forwarded", "for=203.0.113.9")).await, 404);
    // Forging a loopback hop to the left of the proxy's own entry does not help.
    assert_eq!(get(browser_via("x-forwarded-for", "127.0.0.1, 203.0.113.9")).await, 404);
    // A scraper on this machine, not through the proxy, still reads it.
    assert_eq!(get(reqwest::Client::new()).await, 200);
}
