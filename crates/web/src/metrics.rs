//! Prometheus metrics: request counts and latency per route template and status. Route templates only
//! (`/c/{token}`, never the token), so nothing personal is exported.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::client::ClientAddress;
use crate::state::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<HashMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut map = self.series.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let s = map.entry((method.to_owned(), route.to_owned(), status)).or_default();
        s.count += 1;
        s.sum += seconds;
        for (bucket, bound) in s.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let map = self.series.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut keys: Vec<_> = map.keys().collect();
        keys.sort();
        let mut out = String::from(
            "# HELP alliance_http_request_duration_seconds Time to answer HTTP requests.\n\
             # TYPE alliance_http_request_duration_seconds histogram\n",
        );
        for key in keys {
            let Some(s) = map.get(key) else { continue };
            let labels = format!("method=\"{}\",route=\"{}\",status=\"{}\"", key.0, key.1, key.2);
            for (count, bound) in s.buckets.iter().zip(BUCKETS) {
                let _ =
                    writeln!(out, "alliance_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(out, "alliance_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "alliance_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "alliance_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        out
    }
}

pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let response = next.run(request).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// `/metrics`, for a scraper on the same machine only.
/// The client is the one `client.rs` resolved: behind a trusted proxy, the forwarded client, never the proxy.
pub async fn export(State(state): State<AppState>, client: Option<axum::Extension<ClientAddress>>) -> Response {
    let local = client.is_some_and(|c| c.0.0.is_some_and(|a| a.is_loopback()));
    if !local {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// `/readyz`: ready when within two seconds the database answers and the keys open what it holds. The reason
/// for a refusal is logged, not shown: the probe is public.
pub async fn ready(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.readiness()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %alliance_app::with_causes(&e), "not ready: the database or the keys");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database or the keys").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database does not answer").into_response(),
    }
}
