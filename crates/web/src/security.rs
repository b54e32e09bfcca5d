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

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Refuses state-changing requests from other sites, then adds the security headers to every response.
/// `tls` adds HSTS: set when Alliance is served over HTTPS.
pub async fn guard(axum::extract::State(tls): axum::extract::State<bool>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD && is_cross_site(request.headers()) {
        tracing::warn!(path = request.uri().path().split('/').nth(1).unwrap_or(""), "cross-site post refused");
        return with_headers(WebError::CrossSite.into_response(), tls);
    }
    with_headers(next.run(request).await, tls)
}

/// Browsers say where a request comes from. `Sec-Fetch-Site` is the clearest signal and is trusted when
/// present; otherwise an `Origin` naming another host is refused. Requests with neither (old browsers, tools)
/// still need the form's anti-forgery token.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !(site == "same-origin" || site == "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, authority)| authority) != Some(host),
        (Some(_), None) => true,
        (None, _) => false,
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
        assert!(!is_cross_site(&headers(&[("host", "a.org"), ("origin", "https://a.org")])));
        assert!(is_cross_site(&headers(&[("host", "a.org"), ("origin", "https://evil.org")])));
        assert!(is_cross_site(&headers(&[("host", "a.org"), ("origin", "null")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        // What Chromium sends for a same-origin form post under a strict referrer policy.
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin"), ("origin", "null"), ("host", "a.org")])));
        assert!(is_cross_site(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://a.org"),
            ("host", "a.org")
        ])));
        assert!(!is_cross_site(&headers(&[])));
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
