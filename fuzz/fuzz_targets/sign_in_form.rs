//! The sign-in path's decoding: a form body, the sign-in fields, and the cookies a browser sends with it.
#![no_main]

use alliance_web::fuzzing::{FormFields, cookie, parse_device_cookie, sign_in_form};
use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut form) = FormFields::decode(data) {
        let _ = form.take_csrf();
        if let Ok(fields) = sign_in_form(&form) {
            // What the handler relies on: the e-mail address comes out trimmed and in lower case.
            assert_eq!(fields.email, fields.email.trim());
            assert_eq!(fields.email, fields.email.to_lowercase());
        }
    }
    // The same bytes as a Cookie header: the device cookie must never verify without the server secret.
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, value);
        for name in ["alliance_device", "alliance_pre", "alliance_session", "alliance_2fa"] {
            if let Some(v) = cookie(&headers, name) {
                assert!(parse_device_cookie(&[9u8; 32], &v).is_none());
            }
        }
    }
});
