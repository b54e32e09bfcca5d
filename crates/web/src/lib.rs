//! The web layer of Alliance: server-rendered pages for therapists, supervisors and administrators, and the
//! no-login check a client answers on a phone. Pages work without JavaScript; htmx only shortens round trips.
#![forbid(unsafe_code)]

mod access;
mod access_supervision;
mod auth;
mod charts;
mod error;
mod forms;
mod metrics;
mod pages;
mod reauth;
mod routes;
mod security;
mod state;
mod throttle;
mod totp;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

pub use alliance_app::{Clock, system_clock};
pub use auth::{hash_password, needs_rehash, verify_password};
pub use error::WebError;
pub use pages::research::CSV_HEADER as RESEARCH_CSV_HEADER;
pub use routes::{Access, Record, Route, routes};
pub use security::{form_token, hash_token, new_token};
pub use state::{AppState, Config};
pub use throttle::FORGET_AFTER as SIGN_IN_COUNTERS_FORGOTTEN_AFTER;

/// Decoding functions reachable from the fuzz targets in `fuzz/`. Not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::auth::{SignInForm, parse_device_cookie, sign_in_form};
    pub use crate::forms::FormFields;
    pub use crate::security::cookie;
    pub use crate::totp::{matching_step, parse_code};
}

/// Serves the app until `shutdown` completes, finishing in-flight requests. Peer addresses are recorded for
/// the audit log. The scheduled jobs (the practice model's refit among them) run beside it, in the scheduler the
/// binary starts (see `alliance_app::Scheduler`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Form posts are small; anything larger is refused before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// All routes, built from the table in `routes` that gives each its rule. The security middleware adds the
/// headers and refuses cross-site posts.
pub fn router(state: AppState) -> Router {
    routes::guarded(&state)
        .fallback(pages::assets::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(middleware::from_fn_with_state(state.config.secure_cookies, security::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
