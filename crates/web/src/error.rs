//! One error type for every handler. Its response tells the person what happened in plain words and never
//! shows the cause; the cause goes to the log (without personal data).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not signed in")]
    SignInRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("request too large")]
    TooLarge,
    #[error("cross-site request refused")]
    CrossSite,
    /// The request's body did not arrive within the body timeout (a slow or stalled client).
    #[error("request too slow")]
    TooSlow,
    #[error("database unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A re-entered password was wrong (before a sensitive action).
    #[error("password not accepted")]
    PasswordRejected,
    /// Too many attempts: try again after this many seconds.
    #[error("too many attempts")]
    Throttled(i64),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<alliance_store::StoreError> for WebError {
    fn from(e: alliance_store::StoreError) -> Self {
        match e {
            alliance_store::StoreError::NotFound => WebError::NotFound,
            // The store's reason is written for operators in English; the page says it after a translated lead.
            alliance_store::StoreError::Conflict(why) => {
                WebError::BadRequest(crate::language::current().t1("error-not-possible", "why", why))
            }
            alliance_store::StoreError::Unavailable(cause) => WebError::Unavailable(cause),
            other => WebError::Internal(Box::new(other)),
        }
    }
}

impl From<alliance_app::AppError> for WebError {
    fn from(e: alliance_app::AppError) -> Self {
        use alliance_app::AppError;
        match e {
            AppError::Store(e) => e.into(),
            AppError::UnknownField => WebError::BadRequest(crate::language::current().t("error-unknown-field")),
            AppError::TooManyFields => WebError::TooLarge,
            AppError::Unscorable(e) => WebError::BadRequest(e.to_string()),
            AppError::SignalNotCurrent => {
                WebError::BadRequest(crate::language::current().t("error-signal-not-current"))
            }
            AppError::RiskNeedsAction => WebError::BadRequest(crate::language::current().t("error-risk-needs-action")),
            AppError::RiskAction(why) => WebError::BadRequest(why.into()),
            other @ (AppError::InstrumentMissing(_) | AppError::PracticeModel(_)) => {
                WebError::Internal(Box::new(other))
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(Box::new(e))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub tr: alliance_i18n::Tr,
    pub title: &'a str,
    pub message: &'a str,
}

/// An error page in the request's language; `title` and `message` are message ids.
pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let tr = crate::language::current();
    page_text(status, &tr.t(title), &tr.t(message))
}

/// An error page whose message is already in words (a form's explanation of what is wrong).
pub fn page_text(status: StatusCode, title: &str, message: &str) -> Response {
    match (ErrorPage { tr: crate::language::current(), title, message }).render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, title.to_owned()).into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignInRequired => Redirect::to("/login").into_response(),
            WebError::Forbidden => page(StatusCode::FORBIDDEN, "error-forbidden-title", "error-forbidden"),
            WebError::NotFound => page(StatusCode::NOT_FOUND, "error-not-found-title", "error-not-found"),
            WebError::BadRequest(message) => {
                page_text(StatusCode::BAD_REQUEST, &crate::language::current().t("error-bad-request-title"), &message)
            }
            WebError::TooLarge => page(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large-title", "error-too-large"),
            WebError::TooSlow => {
                let mut response = page(StatusCode::REQUEST_TIMEOUT, "error-too-slow-title", "error-too-slow");
                // The rest of the body is not read: the connection ends with this answer.
                response
                    .headers_mut()
                    .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
                response
            }
            WebError::CrossSite => page(StatusCode::FORBIDDEN, "error-cross-site-title", "error-cross-site"),
            WebError::Unavailable(cause) => {
                tracing::warn!(error = %alliance_app::with_causes(cause.as_ref()), "database unavailable");
                let mut response =
                    page(StatusCode::SERVICE_UNAVAILABLE, "error-unavailable-title", "error-unavailable");
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("30"));
                response
            }
            WebError::PasswordRejected => {
                page(StatusCode::FORBIDDEN, "error-password-rejected-title", "error-password-rejected")
            }
            WebError::Throttled(seconds) => {
                let tr = crate::language::current();
                let mut response = page_text(
                    StatusCode::TOO_MANY_REQUESTS,
                    &tr.t("error-throttled-title"),
                    &tr.t1("error-throttled", "seconds", seconds),
                );
                if let Ok(value) = axum::http::HeaderValue::from_str(&seconds.max(1).to_string()) {
                    response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
                }
                response
            }
            WebError::Internal(cause) => {
                tracing::error!(error = %alliance_app::with_causes(cause.as_ref()), "request failed");
                page(StatusCode::INTERNAL_SERVER_ERROR, "error-internal-title", "error-internal")
            }
        }
    }
}
