//! Prometheus metrics and the readiness probe. Labels are route templates (`/c/{token}`, never the token), job
//! names, pool names and signal kinds: nothing personal is exported.
//!
//! What an operator alerts on (README, "Logs, metrics and alerts"): failing jobs (backups above all), sign-in
//! failures and throttling, a pool that is full, a server that is not ready.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::client::ClientAddress;
use crate::state::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// Failed scheduled backups in a row after which `/readyz` answers 503: one failure may be a passing disk hiccup
/// (the job is retried when its lease expires, two hours later), two are a practice without fresh backups.
pub const BACKUP_FAILURES_NOT_READY: u32 = 2;

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<HashMap<(String, String, u16), Series>>,
    /// Counters by (metric, label value): sign-in steps and client submissions by outcome.
    outcomes: Mutex<HashMap<(&'static str, &'static str, &'static str), u64>>,
}

/// What a request's status says of its outcome, for the counters.
fn outcome(status: StatusCode) -> &'static str {
    match status.as_u16() {
        429 => "throttled",
        200..=399 => "accepted",
        400..=499 => "refused",
        _ => "failed",
    }
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

    /// Counts sign-in steps and client submissions by outcome, read from the route and the status: the handlers
    /// stay free of metrics code, and a refusal is what the user saw.
    fn count(&self, method: &Method, route: &str, status: StatusCode) {
        if method != Method::POST {
            return;
        }
        let (metric, label) = match route {
            "/login" => ("alliance_sign_in_attempts_total", "password"),
            "/login/code" => ("alliance_sign_in_attempts_total", "code"),
            "/c/{token}" => ("alliance_client_submissions_total", ""),
            _ => return,
        };
        let mut map = self.outcomes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *map.entry((metric, label, outcome(status))).or_default() += 1;
    }

    /// The request histogram and the outcome counters, in the Prometheus text exposition format.
    fn render_requests(&self, out: &mut String) {
        let map = self.series.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut keys: Vec<_> = map.keys().collect();
        keys.sort();
        out.push_str(
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
        drop(map);
        let counted = self.outcomes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let help = [
            ("alliance_sign_in_attempts_total", "Sign-in steps (password, code) by outcome; throttled: answered 429."),
            ("alliance_client_submissions_total", "Client check submissions by outcome."),
        ];
        for (metric, text) in help {
            let _ = writeln!(out, "# HELP {metric} {text}\n# TYPE {metric} counter");
            let outcomes = ["accepted", "refused", "throttled", "failed"];
            let steps: &[&str] = if metric.contains("sign_in") { &["password", "code"] } else { &[""] };
            for step in steps {
                for outcome in outcomes {
                    let n = counted.get(&(metric, *step, outcome)).copied().unwrap_or(0);
                    let step_label = if step.is_empty() { String::new() } else { format!("step=\"{step}\",") };
                    let _ = writeln!(out, "{metric}{{{step_label}outcome=\"{outcome}\"}} {n}");
                }
            }
        }
    }
}

/// Everything `/metrics` exports: the build, the requests, the jobs, the pools and the open signals.
pub fn render(state: &AppState) -> String {
    let mut out = String::new();
    let schema = alliance_store::SqliteStore::schema_versions().last().copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "# HELP alliance_build_info The running release and the database schema version it brings.\n\
         # TYPE alliance_build_info gauge\n\
         alliance_build_info{{version=\"{}\",schema=\"{schema}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    state.metrics.render_requests(&mut out);
    render_jobs(state, &mut out);
    out.push_str(
        "# HELP alliance_db_pool_connections Connections of each pool by state.\n\
         # TYPE alliance_db_pool_connections gauge\n",
    );
    let mut max = String::from(
        "# HELP alliance_db_pool_max_connections The most connections each pool opens.\n\
         # TYPE alliance_db_pool_max_connections gauge\n",
    );
    for pool in state.store.pool_use() {
        let (name, busy) = (pool.pool, pool.open.saturating_sub(pool.idle));
        let _ = writeln!(out, "alliance_db_pool_connections{{pool=\"{name}\",state=\"idle\"}} {}", pool.idle);
        let _ = writeln!(out, "alliance_db_pool_connections{{pool=\"{name}\",state=\"in_use\"}} {busy}");
        let _ = writeln!(max, "alliance_db_pool_max_connections{{pool=\"{name}\"}} {}", pool.max);
    }
    out.push_str(&max);
    if let Some((at, counts)) = state.open_signals.last() {
        out.push_str(
            "# HELP alliance_open_signals Signals asking for attention in the practice, by kind, at the last census.\n\
             # TYPE alliance_open_signals gauge\n",
        );
        for (kind, n) in counts {
            let _ = writeln!(out, "alliance_open_signals{{kind=\"{kind}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP alliance_open_signals_census_timestamp_seconds When the open signals were counted.\n\
             # TYPE alliance_open_signals_census_timestamp_seconds gauge\n\
             alliance_open_signals_census_timestamp_seconds {}",
            at.unix_timestamp()
        );
    }
    out
}

fn render_jobs(state: &AppState, out: &mut String) {
    let runs = state.jobs.snapshot();
    let gauges: [(&str, &str, &str); 5] = [
        ("alliance_job_last_success_timestamp_seconds", "gauge", "When this server last ran the job successfully."),
        ("alliance_job_last_failure_timestamp_seconds", "gauge", "When this server last saw the job fail."),
        ("alliance_job_failures_in_a_row", "gauge", "Failures of the job on this server since its last success."),
        ("alliance_job_runs_total", "counter", "Runs of the job on this server that succeeded."),
        ("alliance_job_failures_total", "counter", "Runs of the job on this server that failed."),
    ];
    for (metric, kind, help) in gauges {
        let _ = writeln!(out, "# HELP {metric} {help}\n# TYPE {metric} {kind}");
        for (job, r) in &runs {
            let value = match metric {
                "alliance_job_last_success_timestamp_seconds" => r.last_success.map(|t| t.unix_timestamp()),
                "alliance_job_last_failure_timestamp_seconds" => r.last_failure.map(|t| t.unix_timestamp()),
                "alliance_job_failures_in_a_row" => Some(i64::from(r.failures_in_a_row)),
                "alliance_job_runs_total" => i64::try_from(r.successes).ok(),
                _ => i64::try_from(r.failures).ok(),
            };
            if let Some(value) = value {
                let _ = writeln!(out, "{metric}{{job=\"{job}\"}} {value}");
            }
        }
    }
}

/// The access log and the metrics of every request. Each request gets an id (a fresh random one, also sent back
/// as `X-Request-Id`) that every log line written while it is handled carries, so a logged error can be found
/// from what a user reports. The access line holds method, route template, status, duration and the id: no
/// address, no query, no token, no user.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let id = format!("{:016x}", rand::random::<u64>());
    let span = tracing::info_span!("request", id = %id);
    let mut response = next.run(request).instrument(span).await;
    let elapsed = started.elapsed();
    let status = response.status();
    state.metrics.observe(method.as_str(), &route, status.as_u16(), elapsed.as_secs_f64());
    state.metrics.count(&method, &route, status);
    tracing::info!(
        target: "alliance::access",
        method = %method,
        route = %route,
        status = status.as_u16(),
        ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        request = %id,
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// `/metrics`, for a scraper on the same machine only.
/// The client is the one `client.rs` resolved: behind a trusted proxy, the forwarded client, never the proxy.
pub async fn export(State(state): State<AppState>, client: Option<axum::Extension<ClientAddress>>) -> Response {
    let local = client.is_some_and(|c| c.0.0.is_some_and(|a| a.is_loopback()));
    if !local {
        return StatusCode::NOT_FOUND.into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], render(&state)).into_response()
}

/// `/readyz`: ready when within two seconds the database answers and the keys open what it holds, and scheduled
/// backups are not failing. The reason for a refusal is logged, and named only in general words: the probe is
/// public.
pub async fn ready(State(state): State<AppState>) -> Response {
    let backups = state.jobs.of("backup").failures_in_a_row;
    if backups >= BACKUP_FAILURES_NOT_READY {
        tracing::warn!(failures_in_a_row = backups, "not ready: scheduled backups are failing");
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready: scheduled backups are failing").into_response();
    }
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.readiness()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %alliance_app::with_causes(&e), "not ready: the database or the keys");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database or the keys").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database does not answer").into_response(),
    }
}
