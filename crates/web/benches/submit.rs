//! Form-submit latency under load, measured with a real load tool (`wrk`, Debian package `wrk`).
//!
//! `cargo bench -p alliance-web --bench submit -- [LINKS] [SECONDS] [CONNECTIONS]` starts the app on a fresh
//! SQLite file (durable settings, as served), creates LINKS open client links, and has wrk post one complete
//! answer set (relationship check, PHQ-9, GAD-7) to each, every link used once. It prints wrk's latency
//! distribution and checks in the database that every acknowledged submission is stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::panic)]

use std::fmt::Write as _;
use std::sync::Arc;

use alliance_core::catalog::Catalog;
use alliance_core::domain::Role;
use alliance_store::prelude::*;
use alliance_store::{InstrumentRef, NewClient, NewEpisode, NewLink, NewSession, NewUser, SqliteStore};
use alliance_web::{AppState, Config};
use time::OffsetDateTime;

fn body(csrf: &str) -> String {
    let mut b = format!("csrf={csrf}");
    for id in ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2", "understood", "respected", "genuine"] {
        let _ = write!(b, "&relationship-check.{id}=4");
    }
    b.push_str("&relationship-check.rupture=no");
    for i in 1..=9 {
        let _ = write!(b, "&phq9.{i}={}", if i == 9 { 0 } else { 1 });
    }
    for i in 1..=7 {
        let _ = write!(b, "&gad7.{i}=1");
    }
    b
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let links: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let connections: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(8);
    if std::process::Command::new("wrk").arg("--version").output().is_err() {
        println!("wrk is not installed (apt-get install wrk); skipping the load benchmark");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alliance.db");
    let catalog = Catalog::builtin().unwrap();
    let now = OffsetDateTime::now_utc();
    let keys = alliance_store::Keyring::generate();
    let tokens = {
        let bulk = SqliteStore::open_for_bulk_load(&path, &keys).await.unwrap();
        let hash = alliance_web::hash_password("bench password 123").unwrap();
        let user = NewUser {
            email: "b@example.org".into(),
            display_name: "B".into(),
            role: Role::Therapist,
            password_hash: hash,
            must_change_password: false,
        };
        let therapist = bulk
            .create_user(user, alliance_store::AuditEvent::system(now, "create", "bench", "benchmark"), now)
            .await
            .unwrap();
        let client = bulk
            .create_client(
                NewClient { therapist, pseudonym: "Bench".into(), contact: None },
                alliance_store::AuditEvent::system(now, "create", "bench", "benchmark"),
                now,
            )
            .await
            .unwrap();
        let episode = bulk
            .open_episode(
                NewEpisode { client, therapist, started_on: now.date(), measures: vec!["phq9".into(), "gad7".into()] },
                alliance_store::AuditEvent::system(now, "create", "bench", "benchmark"),
                now,
            )
            .await
            .unwrap();
        let instruments: Vec<InstrumentRef> = ["relationship-check", "phq9", "gad7"]
            .iter()
            .map(|id| InstrumentRef { id: (*id).into(), version: 1 })
            .collect();
        let mut tokens = Vec::with_capacity(links);
        for _ in 0..links {
            let session = bulk
                .record_session(
                    NewSession { episode, held_on: now.date(), attended: true },
                    alliance_store::AuditEvent::system(now, "create", "bench", "benchmark"),
                    now,
                )
                .await
                .unwrap();
            let token = alliance_web::new_token();
            let link = NewLink {
                session: session.id,
                token_hash: alliance_web::hash_token(&token),
                expires_at: now + time::Duration::days(1),
                instruments: instruments.clone(),
            };
            bulk.create_link(link, alliance_store::AuditEvent::system(now, "create", "bench", "benchmark"), now)
                .await
                .unwrap();
            tokens.push(token);
        }
        bulk.close().await;
        tokens
    };
    let store = Arc::new(SqliteStore::open(&path, &keys).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = Config { public_url: url.clone(), ..Config::default() };
    let state = AppState::new(store.clone(), catalog, config, alliance_web::system_clock()).await.unwrap();
    let secret = *state.secret;
    tokio::spawn(alliance_web::serve(listener, state, std::future::pending()));

    let data = dir.path().join("requests.txt");
    let mut lines = String::new();
    for token in &tokens {
        let _ = writeln!(lines, "{token} {}", body(&alliance_web::form_token(&secret, "respond", token)));
    }
    std::fs::write(&data, lines).unwrap();
    let script = dir.path().join("submit.lua");
    std::fs::write(
        &script,
        format!(
            r#"local requests = {{}}
for line in io.lines("{}") do
  local token, body = line:match("^(%S+) (.+)$")
  requests[#requests + 1] = {{ path = "/c/" .. token, body = body }}
end
local i = 0
request = function()
  i = i + 1
  local r = requests[i]
  if r == nil then return wrk.format("GET", "/healthz") end
  return wrk.format("POST", r.path, {{ ["Content-Type"] = "application/x-www-form-urlencoded" }}, r.body)
end
"#,
            data.display()
        ),
    )
    .unwrap();
    println!("{links} links, {seconds} s, {connections} connections, one wrk thread");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("wrk")
            .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "-s"])
            .arg(&script)
            .arg(&url)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    let stored = store.audit_events(u32::MAX).await.unwrap().iter().filter(|e| e.action == "client-submitted").count();
    println!("submissions stored and audited: {stored}");
    if stored >= links {
        println!("warning: every link was used; the run also timed health checks. Give more LINKS.");
    }
}
