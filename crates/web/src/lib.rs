//! The web layer of Alliance: server-rendered pages for therapists, supervisors and administrators, and the
//! no-login check a client answers on a phone. Pages work without JavaScript; htmx only shortens round trips.
#![forbid(unsafe_code)]

mod access;
mod access_supervision;
mod account_steps;
pub mod api;
mod auth;
mod charts;
mod client;
pub mod delivery;
mod error;
mod forms;
mod interval_plot;
pub mod language;
mod local_time;
pub mod mail;
mod metrics;
mod pages;
mod password_policy;
mod reauth;
mod recovery_codes;
pub mod research_report;
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
pub use client::parse_proxy;
pub use error::WebError;
pub use local_time::LocalZone;
pub use pages::assets::parse_security_contact;
pub use pages::research_export::csv_header as research_csv_header;
pub use pages::transcripts::MAX_TRANSCRIPT_BODY_BYTES;
pub use password_policy::refusal as password_refusal;
pub use routes::{Access, Record, Route, routes};
pub use security::{form_token, hash_token, new_token};
pub use state::{AppState, Config, Limits};
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
///
/// Slow clients cannot hold the server (see [`Limits`]): a connection that does not send complete headers within
/// the header timeout is closed (hyper's header-read timer, which also ends idle keep-alive connections), a body
/// that has not arrived within the body timeout is answered with 408 and the connection closed, and at most
/// `max_connections` connections are served at once (the rest wait in the kernel's listen queue).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let limits = state.config.limits;
    let max = limits.max_connections.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(max));
    let app = router(state);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free slot first, then the next connection: over the cap, connections wait unaccepted.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot { Ok(slot) => slot, Err(_) => break },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let app = app.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(request.map(axum::body::Body::new))
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = async { drop(stopped.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    // Finish what is in flight: each connection ends after its current request; all slots back means all done.
    let _ = stop.send(true);
    let _ = slots.acquire_many(u32::try_from(max).unwrap_or(u32::MAX)).await;
    Ok(())
}

/// Form posts are small; anything larger is refused before it is read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// All routes, built from the table in `routes` that gives each its rule. The security middleware adds the
/// headers and refuses cross-site posts.
pub fn router(state: AppState) -> Router {
    routes::guarded(&state)
        .fallback(pages::assets::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(middleware::from_fn_with_state(state.clone(), read_body_in_time))
        .layer(middleware::from_fn_with_state(state.config.clone(), security::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), language::attach))
        .layer(middleware::from_fn_with_state(state.clone(), client::attach))
        .with_state(state)
}

/// Reads the whole body (at most [`MAX_BODY_BYTES`]) before any handler runs, within the body timeout: a body
/// trickled in byte by byte is cut off with 408 instead of holding the connection.
async fn read_body_in_time(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let (parts, body) = request.into_parts();
    let limit = state.config.limits.body_timeout;
    let max = if pages::transcripts::takes_a_transcript(&parts.method, parts.uri.path()) {
        pages::transcripts::MAX_TRANSCRIPT_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    };
    match tokio::time::timeout(limit, axum::body::to_bytes(body, max)).await {
        Ok(Ok(bytes)) => next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        // Over the limit, or the client went away mid-body.
        Ok(Err(_)) => WebError::TooLarge.into_response(),
        Err(_) => {
            tracing::info!(seconds = limit.as_secs(), "request body not received in time");
            WebError::TooSlow.into_response()
        }
    }
}
