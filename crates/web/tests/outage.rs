//! The database goes away under load: PostgreSQL connections are cut while clients submit. Every submission the
//! server acknowledged is stored complete, none is stored half-way, a refused one says "try again" (503), and the
//! server serves again by itself.

use alliance_core::domain::Role;
use alliance_store::ClientId;
use sqlx::Connection;

use crate::app::{TestApp, client_with_link, complete_answers, hidden, number_after};

#[tokio::test]
async fn connections_cut_mid_transaction_lose_no_acknowledged_submission() {
    let app = TestApp::spawn().await;
    let Some(url) = app.postgres_url().map(str::to_owned) else {
        eprintln!("runs on PostgreSQL only (set ALLIANCE_TEST_DATABASE_URL)");
        return;
    };
    app.user("cut@example.org", Role::Therapist).await;
    let (me, client, _, first_token) = client_with_link(&app, "cut@example.org", "Robin Ash").await;
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = number_after(&page, "action=\"/episodes/");
    let mut tokens = vec![first_token];
    for day in 2..=25 {
        let held = format!("2026-11-{day:02}");
        let (_, url, _) =
            me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", &held), ("attended", "yes")]).await;
        let (status, _, page) = me.post(&format!("{url}/links"), &[]).await;
        assert_eq!(status, 200, "making a link redirects to the session page");
        tokens.push(page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned());
    }

    // A separate connection cuts every connection of the app's database, again and again.
    let cutting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let killer = {
        let cutting = cutting.clone();
        tokio::spawn(async move {
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            let mut cuts = 0u32;
            while cutting.load(std::sync::atomic::Ordering::SeqCst) {
                let ended: Vec<bool> = sqlx::query_scalar(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                )
                .fetch_all(&mut admin)
                .await
                .unwrap();
                cuts += ended.len() as u32;
                tokio::time::sleep(std::time::Duration::from_millis(60)).await;
            }
            cuts
        })
    };

    let mut sending = tokio::task::JoinSet::new();
    for token in tokens.iter().cloned() {
        let base = app.url.clone();
        sending.spawn(async move {
            let phone = TestApp::browser();
            // The form may itself be refused during an outage; the client reloads until it comes.
            let form = loop {
                let r = phone.get(format!("{base}/c/{token}")).send().await.unwrap();
                if r.status() == 200 {
                    break r.text().await.unwrap();
                }
                assert_eq!(r.status(), 503, "an outage is reported as such");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            };
            let mut fields = complete_answers("2", "0");
            fields.push(("csrf".into(), hidden(&form, "csrf")));
            let r = phone.post(format!("{base}/c/{token}")).form(&fields).send().await.unwrap();
            (token, r.status().as_u16(), fields)
        });
    }
    let results = sending.join_all().await;
    cutting.store(false, std::sync::atomic::Ordering::SeqCst);
    let cuts = killer.await.unwrap();
    assert!(cuts > 0, "connections were cut");

    let acknowledged = results.iter().filter(|(_, s, _)| *s == 200).count();
    eprintln!("{cuts} connections cut; {acknowledged} of {} submissions acknowledged during the cuts", results.len());
    for (_, status, _) in &results {
        assert!(matches!(status, 200 | 503), "only 'stored' or 'try again', got {status}");
    }
    // After the outage the refused ones go through on a second try (or were stored although the answer was
    // lost with the connection, which the client then hears as "already answered").
    let phone = TestApp::browser();
    let mut stored_on_retry = 0;
    for (token, _, fields) in results.iter().filter(|(_, s, _)| *s == 503) {
        let r = phone.post(format!("{}/c/{token}", app.url)).form(fields).send().await.unwrap();
        assert!(matches!(r.status().as_u16(), 200 | 409), "the server is back: {}", r.status());
        stored_on_retry += 1;
    }
    // Every session's check is stored exactly once and complete: three questionnaires, each fully scored.
    let responses = app.store.responses_of(ClientId(client)).await.unwrap();
    assert_eq!(responses.len(), tokens.len() * 3, "{acknowledged} acknowledged, {stored_on_retry} retried");
    let mut per_session = std::collections::HashMap::new();
    for r in &responses {
        *per_session.entry(r.session).or_insert(0) += 1;
        assert!(!r.scores.is_empty(), "a stored response has its scores");
    }
    assert!(per_session.values().all(|n| *n == 3), "no session half-stored: {per_session:?}");
}
