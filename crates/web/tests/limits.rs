//! Slow clients (issue 14, finding 6): headers held open, a body trickled in, and more connections than the cap.
//! The limits are set small here; the defaults are in `alliance_web::Limits`.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::app::TestApp;

fn small(config: &mut alliance_web::Config) {
    config.limits = alliance_web::Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(3),
        max_connections: 2,
    };
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.url.trim_start_matches("http://")).await.unwrap()
}

/// Reads until the server closes the connection (or errors); what it sent. Fails after `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut out = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the connection was still open after {within:?}");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn partial_headers_held_open_are_cut_off() {
    let app = TestApp::spawn_with(small).await;
    let mut slow = connect(&app).await;
    let started = Instant::now();
    slow.write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n").await.unwrap();
    until_closed(&mut slow, Duration::from_secs(4)).await;
    let held = started.elapsed();
    assert!(held >= Duration::from_millis(900) && held < Duration::from_secs(3), "{held:?}");
}

#[tokio::test]
async fn a_body_trickled_in_is_cut_off() {
    let app = TestApp::spawn_with(small).await;
    let slow = connect(&app).await;
    let (mut reader, mut writer) = slow.into_split();
    let started = Instant::now();
    writer
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\n",
        )
        .await
        .unwrap();
    // A byte every 2 seconds, for as long as the server listens.
    let trickle = tokio::spawn(async move {
        while writer.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), reader.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was still open after 8 s");
    let held = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(held >= Duration::from_millis(2900) && held < Duration::from_secs(6), "{held:?}");
    trickle.abort();
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot() {
    let app = TestApp::spawn_with(small).await;
    // Two silent connections take both slots ...
    let mut first = connect(&app).await;
    let mut second = connect(&app).await;
    let quick = reqwest::Client::builder().timeout(Duration::from_millis(500)).build().unwrap();
    assert!(quick.get(format!("{}/healthz", app.url)).send().await.is_err(), "a third connection is not served");
    // ... until the header timeout ends them; then the waiting requests are served.
    until_closed(&mut first, Duration::from_secs(3)).await;
    until_closed(&mut second, Duration::from_secs(3)).await;
    let patient = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    assert_eq!(patient.get(format!("{}/healthz", app.url)).send().await.unwrap().status(), 200);
}
