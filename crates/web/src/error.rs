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
            alliance_store::StoreError::Conflict(why) => WebError::BadRequest(format!("Not possible: {why}.")),
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
            AppError::UnknownField => {
                WebError::BadRequest("The form contained a field that does not belong to it.".into())
            }
            AppError::TooManyFields => WebError::TooLarge,
            AppError::Unscorable(e) => WebError::BadRequest(e.to_string()),
            AppError::SignalNotCurrent => {
                WebError::BadRequest("That signal is no longer current. Reload the page.".into())
            }
            AppError::RiskNeedsAction => WebError::BadRequest(
                "A risk signal is acknowledged with what was done: choose the action, when it was done and, if no \
                 action was needed, why."
                    .into(),
            ),
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

pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    match (ErrorPage { tr: crate::language::current(), title, message }).render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, title.to_owned()).into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignInRequired => Redirect::to("/login").into_response(),
            WebError::Forbidden => {
                page(StatusCode::FORBIDDEN, "Not allowed", "Your account does not give access to this page.")
            }
            WebError::NotFound => page(StatusCode::NOT_FOUND, "Not found", "There is nothing at this address."),
            WebError::BadRequest(message) => page(StatusCode::BAD_REQUEST, "Please check the form", &message),
            WebError::TooLarge => {
                page(StatusCode::PAYLOAD_TOO_LARGE, "Too much data", "The form sent more data than Alliance accepts.")
            }
            WebError::TooSlow => {
                let mut response = page(
                    StatusCode::REQUEST_TIMEOUT,
                    "The form took too long",
                    "The form did not arrive in time. Please send it again.",
                );
                // The rest of the body is not read: the connection ends with this answer.
                response
                    .headers_mut()
                    .insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
                response
            }
            WebError::CrossSite => page(
                StatusCode::FORBIDDEN,
                "Request refused",
                "This form was sent from another site or an expired page. Go back, reload the page and try again.",
            ),
            WebError::Unavailable(cause) => {
                tracing::warn!(error = %alliance_app::with_causes(cause.as_ref()), "database unavailable");
                let mut response = page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Please try again in a minute",
                    "Alliance cannot reach its database just now. Nothing was saved: go back, and send the form \
                     again in a minute.",
                );
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("30"));
                response
            }
            WebError::PasswordRejected => page(
                StatusCode::FORBIDDEN,
                "Your password was not accepted",
                "Your password was not accepted (or, if you use an authenticator app, its code was missing, wrong or already used). Nothing was changed. Go back and enter your password and a new code again.",
            ),
            WebError::Throttled(seconds) => {
                let mut response = page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Please wait",
                    &format!("There were too many attempts. Please wait {seconds} seconds, then try again."),
                );
                if let Ok(value) = axum::http::HeaderValue::from_str(&seconds.max(1).to_string()) {
                    response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
                }
                response
            }
            WebError::Internal(cause) => {
                tracing::error!(error = %alliance_app::with_causes(cause.as_ref()), "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Nothing was changed. Please try again in a moment.",
                )
            }
        }
    }
}
