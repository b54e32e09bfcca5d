//! Static files, embedded in the binary.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

const APP_CSS: &str = include_str!("../../static/app.css");
/// htmx, vendored from the npm package `htmx.org` at the version pinned in `static/VERSIONS`.
const HTMX: &str = include_str!("../../static/htmx.min.js");

pub async fn asset(Path(file): Path<String>) -> Result<Response, WebError> {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        _ => return Err(WebError::NotFound),
    };
    Ok(([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response())
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
