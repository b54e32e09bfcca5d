//! The web layer of Alliance: server-rendered pages for therapists, supervisors and administrators, and the
//! no-login check a client answers on a phone. Pages work without JavaScript; htmx only shortens round trips.
#![forbid(unsafe_code)]

mod access;
mod auth;
mod charts;
mod error;
mod forms;
mod metrics;
mod pages;
mod reauth;
mod security;
mod state;
mod throttle;
mod totp;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

pub use auth::{hash_password, needs_rehash, verify_password};
pub use error::WebError;
pub use security::{form_token, hash_token, new_token};
pub use state::{AppState, Clock, Config, system_clock};

/// Decoding functions reachable from the fuzz targets in `fuzz/`. Not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::auth::{SignInForm, parse_device_cookie, sign_in_form};
    pub use crate::forms::FormFields;
    pub use crate::security::cookie;
    pub use crate::totp::{matching_step, parse_code};
}

/// Serves the app until `shutdown` completes, finishing in-flight requests. Peer addresses are recorded for
/// the audit log.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The practice model is rebuilt every ten minutes so new data shape the expected course.
    let refresher = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        every.tick().await;
        loop {
            every.tick().await;
            if let Err(e) = refresher.refresh_practice().await {
                tracing::error!(error = %e, "practice model refresh failed");
            }
        }
    });
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Form posts are small; anything larger is refused before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// All routes. Each handler states the capability it needs; the security middleware adds the headers and
/// refuses cross-site posts.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::caseload::caseload))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/login/code", post(auth::login_code))
        .route("/logout", post(auth::logout))
        .route("/account", get(pages::account::account))
        .route("/account/password", post(pages::account::change_password))
        .route("/account/sign-out-everywhere", post(pages::account::sign_out_everywhere))
        .route("/account/totp/new", post(pages::account::totp_new))
        .route("/account/totp/confirm", post(pages::account::totp_confirm))
        .route("/account/totp/remove", post(pages::account::totp_remove))
        .route("/clients/new", get(pages::clients::new_client_page).post(pages::clients::create_client))
        .route("/clients/{id}", get(pages::clients::client_page))
        .route("/clients/{id}/episodes", post(pages::clients::open_episode))
        .route("/clients/{id}/acknowledgements", post(pages::clients::acknowledge))
        .route("/episodes/{id}/sessions", post(pages::sessions::record_session))
        .route("/sessions/{id}", get(pages::sessions::session_page))
        .route("/sessions/{id}/links", post(pages::sessions::create_link))
        .route(
            "/sessions/{id}/reflection",
            get(pages::sessions::reflection_page).post(pages::sessions::save_reflection),
        )
        .route("/c/{token}", get(pages::respond::form).post(pages::respond::submit))
        .route("/admin/users", get(pages::admin::users).post(pages::admin::create_user))
        .route("/admin/users/{id}", post(pages::admin::update_user))
        .route("/static/{file}", get(pages::assets::asset))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(metrics::ready))
        .route("/metrics", get(metrics::export))
        .fallback(pages::assets::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(middleware::from_fn_with_state(state.config.secure_cookies, security::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
