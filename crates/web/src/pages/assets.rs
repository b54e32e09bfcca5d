//! Static files, embedded in the binary.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

const APP_CSS: &str = include_str!("../../static/app.css");
/// htmx, vendored from the npm package `htmx.org` at the version pinned in `static/VERSIONS`.
const HTMX: &str = include_str!("../../static/htmx.min.js");
/// The client's check one questionnaire per screen (progressive: the form works without it).
const CHECK_JS: &str = include_str!("../../static/check.js");

pub async fn asset(Path(file): Path<String>) -> Result<Response, WebError> {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "check.js" => (CHECK_JS, "text/javascript; charset=utf-8"),
        _ => return Err(WebError::NotFound),
    };
    Ok(([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response())
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// A security contact for `/.well-known/security.txt`: a `mailto:` or `https:` URI on one line.
pub fn parse_security_contact(text: &str) -> Result<String, String> {
    let text = text.trim();
    let scheme_ok = text.starts_with("mailto:") || text.starts_with("https://");
    if !scheme_ok || text.len() > 300 || text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("`{text}` is not a mailto: or https:// address on one line"));
    }
    Ok(text.to_owned())
}

/// `/.well-known/security.txt` (RFC 9116) from `--security-contact`; 404 when it is not set. `Expires` is a year
/// ahead of each answer: the file is made from the live setting, so it is as current as the server.
pub async fn security_txt(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
) -> Result<Response, WebError> {
    let Some(contact) = &state.config.security_contact else { return Err(WebError::NotFound) };
    let expires = (state.now() + time::Duration::days(365))
        .replace_nanosecond(0)
        .unwrap_or(state.now())
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    let canonical = format!("{}/.well-known/security.txt", state.config.public_url.trim_end_matches('/'));
    let body = format!("Contact: {contact}\nExpires: {expires}\nPreferred-Languages: en\nCanonical: {canonical}\n");
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response())
}
