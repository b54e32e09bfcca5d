//! Tokens, keyed hashes, cookies and the middleware that sets security headers and refuses cross-site posts.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::WebError;
use crate::state::Config;

/// A fresh random token (256 bits), URL-safe.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// Tokens are stored only as their SHA-256: a copy of the database opens no link and no session.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Tokens we hand out are 43 characters of URL-safe base64; anything else is rejected before a lookup.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A keyed hash binding a form to what it is for (e.g. one client link), used as its anti-forgery token.
pub fn form_token(secret: &[u8; 32], purpose: &str, subject: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail; fall back to a value that never verifies.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(subject.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

pub fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub const SESSION_COOKIE: &str = "alliance_session";
pub const PRE_LOGIN_COOKIE: &str = "alliance_pre";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A cookie's name on the wire. Over HTTPS every cookie is `__Host-` prefixed: the browser then keeps it only
/// when it is `Secure`, for `Path=/` and without `Domain`, so neither a sibling subdomain nor a plain-HTTP page
/// can plant or overwrite it. Over plain HTTP (the demo on 127.0.0.1) browsers refuse `Secure` cookies, so the
/// plain name is used there.
pub fn cookie_name(name: &str, secure: bool) -> String {
    if secure { format!("__Host-{name}") } else { name.to_owned() }
}

/// The value of one of Alliance's cookies, under its name for this server (see [`cookie_name`]).
pub fn read_cookie(headers: &HeaderMap, name: &str, secure: bool) -> Option<String> {
    cookie(headers, &cookie_name(name, secure))
}

/// How long a cookie lives in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Until the browser ends (no `Max-Age`): the server still enforces its own expiry.
    Browser,
    Seconds(i64),
    /// Deletes the cookie.
    Remove,
}

pub fn set_cookie(name: &str, value: &str, lifetime: Lifetime, secure: bool) -> HeaderValue {
    let name = cookie_name(name, secure);
    let secure = if secure { "; Secure" } else { "" };
    let max_age = match lifetime {
        Lifetime::Browser => String::new(),
        Lifetime::Seconds(seconds) => format!("; Max-Age={}", seconds.max(0)),
        Lifetime::Remove => "; Max-Age=0".to_owned(),
    };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{max_age}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Refuses state-changing requests from other sites, then adds the security headers to every response.
/// `secure_cookies` adds HSTS: set when Alliance is served over HTTPS.
pub async fn guard(
    axum::extract::State(config): axum::extract::State<std::sync::Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    let tls = config.secure_cookies;
    if request.method() != Method::GET
        && request.method() != Method::HEAD
        && is_cross_site(request.headers(), &config.public_origin(), config.https())
    {
        tracing::warn!(path = request.uri().path().split('/').nth(1).unwrap_or(""), "cross-site post refused");
        return with_headers(WebError::CrossSite.into_response(), tls);
    }
    with_headers(next.run(request).await, tls)
}

/// Browsers say where a request comes from. `Sec-Fetch-Site` is the clearest signal and is trusted when
/// present; otherwise `Origin` must be exactly this site's: scheme, host and port, either the public URL's
/// origin or the `Host` the request was sent to under the public URL's scheme. Requests with neither (old
/// browsers, tools) still need the form's anti-forgery token.
fn is_cross_site(headers: &HeaderMap, public_origin: &str, https: bool) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !(site == "same-origin" || site == "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let origin = origin.to_ascii_lowercase();
    if origin == public_origin {
        return false;
    }
    let scheme = if https { "https" } else { "http" };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    match host {
        Some(host) => {
            let default_port = if https { ":443" } else { ":80" };
            let host = host.strip_suffix(default_port).unwrap_or(&host);
            origin != format!("{scheme}://{host}")
        }
        None => true,
    }
}

fn with_headers(mut response: Response, tls: bool) -> Response {
    let h = response.headers_mut();
    if tls {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    // Client links carry their token in the path: never send it to another site. (`same-origin` rather than
    // `no-referrer`, because the latter makes browsers send `Origin: null` on the site's own form posts.)
    set(h, "referrer-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=()");
    set(h, "cross-origin-opener-policy", "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_detection() {
        let cross = |pairs: &[(&'static str, &'static str)]| is_cross_site(&headers(pairs), "https://a.org", true);
        assert!(!cross(&[("host", "a.org"), ("origin", "https://a.org")]));
        assert!(cross(&[("host", "a.org"), ("origin", "https://evil.org")]));
        assert!(cross(&[("host", "a.org"), ("origin", "null")]));
        assert!(cross(&[("sec-fetch-site", "cross-site")]));
        assert!(cross(&[("sec-fetch-site", "same-site")]));
        assert!(!cross(&[("sec-fetch-site", "same-origin")]));
        // What Chromium sends for a same-origin form post under a strict referrer policy.
        assert!(!cross(&[("sec-fetch-site", "same-origin"), ("origin", "null"), ("host", "a.org")]));
        assert!(cross(&[("sec-fetch-site", "cross-site"), ("origin", "https://a.org"), ("host", "a.org")]));
        assert!(!cross(&[]));
        // The scheme and the port count (finding 9 of issue 14): plain HTTP or another port is another origin.
        assert!(cross(&[("host", "a.org"), ("origin", "http://a.org")]));
        assert!(cross(&[("host", "a.org"), ("origin", "https://a.org:8443")]));
        assert!(!cross(&[("host", "a.org:443"), ("origin", "https://a.org")]));
        assert!(!cross(&[("host", "a.org"), ("origin", "HTTPS://A.ORG")]));
        // The public URL's origin passes whatever Host the proxy forwards.
        assert!(!cross(&[("host", "127.0.0.1:8080"), ("origin", "https://a.org")]));
        // Plain HTTP on this machine (the demo).
        let local =
            |pairs: &[(&'static str, &'static str)]| is_cross_site(&headers(pairs), "http://127.0.0.1:8080", false);
        assert!(!local(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]));
        assert!(!local(&[("host", "localhost:8080"), ("origin", "http://localhost:8080")]));
        assert!(local(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:9090")]));
        assert!(local(&[("host", "127.0.0.1:8080"), ("origin", "https://127.0.0.1:8080")]));
    }

    #[test]
    fn cookies_are_host_prefixed_over_https_and_sessions_end_with_the_browser() {
        let text = |v: HeaderValue| v.to_str().unwrap().to_owned();
        assert_eq!(
            text(set_cookie("alliance_session", "t", Lifetime::Browser, true)),
            "__Host-alliance_session=t; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            text(set_cookie("alliance_device", "d", Lifetime::Seconds(60), false)),
            "alliance_device=d; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(text(set_cookie("x", "", Lifetime::Remove, true)).contains("Max-Age=0"));
        let h = headers(&[("cookie", "alliance_session=planted; __Host-alliance_session=real")]);
        assert_eq!(read_cookie(&h, "alliance_session", true).as_deref(), Some("real"));
        assert_eq!(read_cookie(&h, "alliance_session", false).as_deref(), Some("planted"));
    }

    #[test]
    fn tokens_and_form_tokens() {
        let t = new_token();
        assert!(looks_like_token(&t));
        assert_ne!(t, new_token());
        assert!(!looks_like_token("../../etc/passwd"));
        let secret = [1u8; 32];
        assert_eq!(form_token(&secret, "a", "b"), form_token(&secret, "a", "b"));
        assert_ne!(form_token(&secret, "a", "b"), form_token(&secret, "a", "c"));
        assert_ne!(form_token(&secret, "a", "b"), form_token(&[2u8; 32], "a", "b"));
        assert!(!same_token("", ""));
    }
}
