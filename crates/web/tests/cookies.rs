//! Cookies and sign-in forgery (issue 14, finding 9): `__Host-` cookies over HTTPS, a session cookie that ends
//! with the browser (the server enforcing its own expiry), a sign-in token bound to the server secret, and an
//! exact Origin check (scheme and port included).

use alliance_core::domain::Role;

use crate::app::{PASSWORD, TestApp, hidden};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn set_cookies(r: &reqwest::Response) -> Vec<String> {
    r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

fn named<'a>(cookies: &'a [String], name: &str) -> &'a str {
    cookies.iter().find(|c| c.starts_with(&format!("{name}="))).unwrap_or_else(|| panic!("{name}: {cookies:?}"))
}

/// The sign-in page's nonce cookie (its value) and form token.
async fn login_page(app: &TestApp, cookie: &str) -> (String, String) {
    let r = no_redirects().get(format!("{}/login", app.url)).send().await.unwrap();
    let cookies = set_cookies(&r);
    let nonce = named(&cookies, cookie).split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    (nonce, hidden(&r.text().await.unwrap(), "csrf"))
}

async fn post_login(app: &TestApp, cookie: &str, csrf: &str, origin: Option<&str>) -> reqwest::Response {
    let mut request = no_redirects().post(format!("{}/login", app.url)).header("cookie", cookie).form(&[
        ("csrf", csrf),
        ("email", "therapist@example.org"),
        ("password", PASSWORD),
    ]);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn over_https_cookies_are_host_prefixed_and_the_session_ends_with_the_browser() {
    let app = TestApp::spawn_with(|c| c.public_url = "https://alliance.example.org".into()).await;
    app.user("therapist@example.org", Role::Therapist).await;
    let (nonce, csrf) = login_page(&app, "__Host-alliance_pre").await;
    // A cookie planted under the plain name (by a sibling subdomain or a plain-HTTP page) is not read.
    let planted = post_login(&app, &format!("alliance_pre={nonce}"), &csrf, None).await;
    assert_eq!(planted.status(), 403);
    let r = post_login(&app, &format!("__Host-alliance_pre={nonce}"), &csrf, None).await;
    assert_eq!(r.status(), 303);
    let cookies = set_cookies(&r);
    for name in ["__Host-alliance_session", "__Host-alliance_device"] {
        let c = named(&cookies, name);
        assert!(c.contains("; Secure") && c.contains("Path=/;") && !c.contains("Domain"), "{c}");
    }
    let session = named(&cookies, "__Host-alliance_session");
    assert!(!session.contains("Max-Age") && !session.contains("Expires"), "{session}");
    assert!(named(&cookies, "__Host-alliance_device").contains("Max-Age="), "the device is remembered");

    // The server still ends the sign-in when idle.
    let token = session.split(';').next().unwrap().to_owned();
    let home = |app: &TestApp| no_redirects().get(format!("{}/", app.url)).header("cookie", token.clone()).send();
    assert_eq!(home(&app).await.unwrap().status(), 200);
    app.advance(31 * 60);
    let after = home(&app).await.unwrap();
    assert_eq!((after.status().as_u16(), after.headers()["location"].to_str().unwrap()), (303, "/login"));
}

#[tokio::test]
async fn over_plain_http_cookies_keep_their_names_and_the_session_ends_with_the_browser() {
    let app = TestApp::spawn().await;
    app.user("therapist@example.org", Role::Therapist).await;
    let (nonce, csrf) = login_page(&app, "alliance_pre").await;
    let r = post_login(&app, &format!("alliance_pre={nonce}"), &csrf, None).await;
    assert_eq!(r.status(), 303);
    let cookies = set_cookies(&r);
    let session = named(&cookies, "alliance_session");
    assert!(!session.contains("Secure") && !session.contains("Max-Age") && !session.contains("Expires"), "{session}");
}

#[tokio::test]
async fn a_sign_in_token_the_attacker_chose_is_refused() {
    let app = TestApp::spawn().await;
    app.user("therapist@example.org", Role::Therapist).await;
    // A plain double-submit would accept any value present in both the cookie and the field.
    let chosen = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(post_login(&app, &format!("alliance_pre={chosen}"), chosen, None).await.status(), 403);
    // The field is the server's keyed hash of the cookie's nonce, not the nonce.
    let (nonce, csrf) = login_page(&app, "alliance_pre").await;
    assert_ne!(nonce, csrf);
    assert_eq!(post_login(&app, &format!("alliance_pre={nonce}"), &nonce, None).await.status(), 403);
    assert_eq!(post_login(&app, "", &csrf, None).await.status(), 403);
    assert_eq!(post_login(&app, &format!("alliance_pre={nonce}"), &csrf, None).await.status(), 303);
}

#[tokio::test]
async fn the_origin_must_match_in_scheme_host_and_port() {
    let app = TestApp::spawn().await;
    app.user("therapist@example.org", Role::Therapist).await;
    let authority = app.url.trim_start_matches("http://").to_owned();
    let port: u16 = authority.rsplit_once(':').unwrap().1.parse().unwrap();
    let (nonce, csrf) = login_page(&app, "alliance_pre").await;
    let cookie = format!("alliance_pre={nonce}");
    for other in [
        format!("https://{authority}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        "http://127.0.0.1".to_owned(),
        "http://evil.example".to_owned(),
    ] {
        assert_eq!(post_login(&app, &cookie, &csrf, Some(&other)).await.status(), 403, "{other}");
    }
    assert_eq!(post_login(&app, &cookie, &csrf, Some(&app.url)).await.status(), 303);
}
