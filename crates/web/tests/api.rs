//! The JSON API (issue 19, part 4): personal access tokens made, shown once, listed and revoked on the account
//! page; bearer authentication that refuses every bad token alike; the pages' record rules and audit; a read
//! token refused every write; the OpenAPI document naming every route of the table.

use alliance_core::domain::Role;
use alliance_store::{AuditEvent, NewApiToken, TokenScope, UserId};
use serde_json::{Value, json};

use crate::app::{PASSWORD, TestApp, client_with_link, complete_answers, hidden};

/// A token of `user` made straight in the store, as `alliance user token` makes one.
async fn token_for(app: &TestApp, user: UserId, scope: TokenScope, days: i64) -> String {
    let (token, hash) = alliance_web::api::new_api_token();
    let now = app.state.now();
    let new =
        NewApiToken { user, name: "test", scope, token_hash: &hash, expires_at: now + time::Duration::days(days) };
    let audit = AuditEvent::system(now, "api-token-create", "api-token", "test");
    app.store.create_api_token(new, audit, now).await.unwrap();
    token
}

/// Status, headers and JSON body of an API call with this bearer token (none when `None`).
async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
    let (status, _, value) = call_full(app, method, path, token, body).await;
    (status, value)
}

async fn call_full(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", app.url);
    let mut request = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: not JSON ({status}): {text}"));
    (status, headers, value)
}

async fn answer(app: &TestApp, token: &str) {
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
}

async fn count(app: &TestApp, action: &str, kind: &str, id: Option<i64>) -> usize {
    let events = app.store.audit_events(10_000).await.unwrap();
    events.iter().filter(|e| e.action == action && e.object_kind == kind && (id.is_none() || e.object_id == id)).count()
}

#[tokio::test]
async fn a_token_is_made_on_the_account_page_shown_once_listed_and_revoked() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let me = app.sign_in("ana@example.org").await;

    // The password is asked again; a bad name or lifetime makes nothing.
    let form = [("name", "reporting"), ("scope", "read"), ("days", "30")];
    let (status, _, _) = me.post("/account/tokens", &form).await;
    assert_eq!(status, 403, "without the password");
    for bad in [[("name", " "), ("scope", "read"), ("days", "30")], [("name", "x"), ("scope", "all"), ("days", "30")]] {
        let mut fields = bad.to_vec();
        fields.push(("password", PASSWORD));
        assert_eq!(me.post("/account/tokens", &fields).await.0, 400);
    }
    for days in ["0", "366", "a"] {
        let fields = [("name", "x"), ("scope", "read"), ("days", days), ("password", PASSWORD)];
        assert_eq!(me.post("/account/tokens", &fields).await.0, 400, "{days} days");
    }
    assert!(app.store.api_tokens(ana).await.unwrap().is_empty(), "nothing was made");

    let mut fields = form.to_vec();
    fields.push(("password", PASSWORD));
    let (status, _, page) = me.post("/account/tokens", &fields).await;
    assert_eq!(status, 200, "{page}");
    let token = page.split("id=\"new-api-token\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(token.starts_with("alliance_pat_") && token.len() > 50, "{token}");
    let stored = app.store.api_tokens(ana).await.unwrap();
    assert_eq!((stored.len(), stored[0].name.as_str(), stored[0].scope), (1, "reporting", TokenScope::Read));
    assert_eq!(count(&app, "api-token-create", "api-token", Some(stored[0].id)).await, 1);

    // Shown once: the account page lists it by name, never the secret.
    let (_, page) = me.get("/account").await;
    assert!(page.contains("reporting") && !page.contains(&token));
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&token), None).await.0, 200);
    assert!(app.store.api_tokens(ana).await.unwrap()[0].last_used_at.is_some(), "its last use is recorded");

    // Another user cannot revoke it; its owner can, and it stops working.
    app.user("ben@example.org", Role::Therapist).await;
    let ben = app.sign_in("ben@example.org").await;
    let id = stored[0].id.to_string();
    assert_eq!(ben.post("/account/tokens/revoke", &[("token", &id)]).await.0, 404);
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&token), None).await.0, 200);
    let (status, _, page) = me.post("/account/tokens/revoke", &[("token", &id)]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&token), None).await.0, 401);
    assert_eq!(count(&app, "api-token-revoke", "api-token", Some(stored[0].id)).await, 1);
    assert!(app.store.api_tokens(ana).await.unwrap()[0].revoked_at.is_some());
}

#[tokio::test]
async fn bearer_authentication_refuses_every_bad_token_alike() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    app.user("ada@example.org", Role::Administrator).await;
    let good = token_for(&app, ana, TokenScope::Read, 1).await;
    let unknown = format!("alliance_pat_{}", "A".repeat(43));
    let (status, headers, body) = call_full(&app, "GET", "/api/v1/clients", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("www-authenticate").unwrap(), "Bearer");
    assert!(body["error"].is_string());
    for bad in ["", "garbage", "alliance_pat_short", unknown.as_str(), &good[1..], &format!("{good}x")] {
        let (status, headers, _) = call_full(&app, "GET", "/api/v1/clients", Some(bad), None).await;
        assert_eq!(status, 401, "{bad:?}");
        assert_eq!(headers.get("www-authenticate").unwrap(), "Bearer");
    }
    // Another scheme, and a signed-in browser's cookie, are no token.
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/clients", app.url))
        .header("authorization", format!("Basic {good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let me = app.sign_in("ana@example.org").await;
    let r = me.browser.get(format!("{}/api/v1/clients", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 401, "cookies are ignored on the API");

    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&good), None).await.0, 200);
    // A deactivated user's token stops working, and works again when the account is reactivated.
    app.store.update_account(ana, Role::Therapist, false).await.unwrap();
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&good), None).await.0, 401);
    app.store.update_account(ana, Role::Therapist, true).await.unwrap();
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&good), None).await.0, 200);
    // Expired after its day.
    app.advance(24 * 3600 + 1);
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&good), None).await.0, 401);
}

#[tokio::test]
async fn reads_follow_the_pages_rules_and_are_audited() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let ben = app.user("ben@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    let rex = app.user("rex@example.org", Role::Researcher).await;
    app.supervise(sue, ana).await;
    let (_, client, session, link) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    answer(&app, &link).await;
    let (ana_t, ben_t, sue_t, rex_t) = (
        token_for(&app, ana, TokenScope::Read, 1).await,
        token_for(&app, ben, TokenScope::Read, 1).await,
        token_for(&app, sue, TokenScope::Read, 1).await,
        token_for(&app, rex, TokenScope::Read, 1).await,
    );

    let (status, list) = call(&app, "GET", "/api/v1/clients", Some(&ana_t), None).await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([list[0].clone()]));
    assert_eq!((list[0]["id"].as_i64(), list[0]["pseudonym"].as_str()), (Some(client), Some("Amber Heron")));
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&ben_t), None).await.1, json!([]));
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&sue_t), None).await.1.as_array().unwrap().len(), 1);
    assert_eq!(call(&app, "GET", "/api/v1/clients", Some(&rex_t), None).await.0, 403, "researchers read no records");

    let reads_before = count(&app, "read", "client", Some(client)).await;
    let (status, one) = call(&app, "GET", &format!("/api/v1/clients/{client}"), Some(&ana_t), None).await;
    assert_eq!((status, one["pseudonym"].as_str()), (200, Some("Amber Heron")));
    assert_eq!(count(&app, "read", "client", Some(client)).await, reads_before + 1, "audited as the page is");

    let (_, episodes) = call(&app, "GET", &format!("/api/v1/clients/{client}/episodes"), Some(&ana_t), None).await;
    assert_eq!(episodes[0]["started_on"], "2026-11-01");
    assert_eq!(episodes[0]["measures"], json!(["phq9", "gad7"]));
    let episode = episodes[0]["id"].as_i64().unwrap();
    let (_, sessions) = call(&app, "GET", &format!("/api/v1/episodes/{episode}/sessions"), Some(&ana_t), None).await;
    assert_eq!(sessions[0]["id"].as_i64(), Some(session));
    assert_eq!((sessions[0]["number"].as_i64(), sessions[0]["held_on"].as_str()), (Some(1), Some("2026-11-28")));
    let (status, one) = call(&app, "GET", &format!("/api/v1/sessions/{session}"), Some(&sue_t), None).await;
    assert_eq!((status, one["attended"].as_bool()), (200, Some(true)));

    // PHQ-9: eight items at 2 and item 9 at 0 make 16, at session 1.
    let (_, scores) = call(&app, "GET", &format!("/api/v1/clients/{client}/scores"), Some(&ana_t), None).await;
    let phq = scores.as_array().unwrap().iter().find(|s| s["instrument"] == "phq9").unwrap();
    assert_eq!((phq["value"].as_f64(), phq["session_number"].as_i64()), (Some(16.0), Some(1)));
    // The rupture the client reported is an open signal, as on the client page.
    let (status, signals) = call(&app, "GET", &format!("/api/v1/clients/{client}/signals"), Some(&ana_t), None).await;
    assert_eq!(status, 200);
    assert!(signals.as_array().unwrap().iter().any(|s| s["kind"] == "rupture"), "{signals}");
    let (status, goals) = call(&app, "GET", &format!("/api/v1/clients/{client}/goals"), Some(&ana_t), None).await;
    assert_eq!((status, goals), (200, json!([])));

    // Another therapist's client is as unknown as a missing one, and the refusal is audited.
    let denied_before = count(&app, "read-denied", "client", Some(client)).await;
    for path in [
        format!("/api/v1/clients/{client}"),
        format!("/api/v1/clients/{client}/scores"),
        format!("/api/v1/episodes/{episode}/sessions"),
        format!("/api/v1/sessions/{session}"),
    ] {
        let (status, body) = call(&app, "GET", &path, Some(&ben_t), None).await;
        assert_eq!((status, body), (404, json!({"error": "Not found."})), "{path}");
    }
    assert_eq!(count(&app, "read-denied", "client", Some(client)).await, denied_before + 4);
    assert_eq!(call(&app, "GET", "/api/v1/clients/999999", Some(&ana_t), None).await.0, 404);
    assert_eq!(call(&app, "GET", "/api/v1/clients/abc", Some(&ana_t), None).await.0, 404);
}

#[tokio::test]
async fn writes_need_a_read_write_token_and_good_input() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let sue = app.user("sue@example.org", Role::Supervisor).await;
    app.supervise(sue, ana).await;
    let (me, client, _, _) = client_with_link(&app, "ana@example.org", "Amber Heron").await;
    let (_, page) = me.get(&format!("/clients/{client}")).await;
    let episode = crate::app::number_after(&page, "action=\"/episodes/");
    let read = token_for(&app, ana, TokenScope::Read, 1).await;
    let write = token_for(&app, ana, TokenScope::ReadWrite, 1).await;
    let sue_write = token_for(&app, sue, TokenScope::ReadWrite, 1).await;
    let path = format!("/api/v1/episodes/{episode}/sessions");
    let good = r#"{"held_on": "2026-12-01", "attended": true}"#;
    let sessions = || async { app.store.sessions(alliance_store::EpisodeId(episode)).await.unwrap().len() };
    let before = sessions().await;

    assert_eq!(call(&app, "POST", &path, Some(&read), Some(good)).await.0, 403, "a read token writes nothing");
    assert_eq!(call(&app, "POST", &path, Some(&sue_write), Some(good)).await.0, 403, "only the own therapist");
    for (body, want) in [
        ("{", 400),
        ("[1, 2]", 422),
        ("{}", 422),
        (r#"{"held_on": 5}"#, 422),
        (r#"{"held_on": "yesterday"}"#, 422),
        (r#"{"held_on": "2026-02-30"}"#, 422),
        (r#"{"held_on": "2026-10-01"}"#, 422),
        (r#"{"held_on": "2026-12-01", "extra": 1}"#, 422),
    ] {
        let (status, error) = call(&app, "POST", &path, Some(&write), Some(body)).await;
        assert_eq!(status, want, "{body}: {error}");
        assert!(error["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(sessions().await, before, "nothing was stored");

    let (status, made) = call(&app, "POST", &path, Some(&write), Some(good)).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!((made["number"].as_i64(), made["held_on"].as_str()), (Some(2), Some("2026-12-01")));
    assert_eq!(sessions().await, before + 1);
    let session = made["id"].as_i64().unwrap();
    assert_eq!(count(&app, "create", "session", Some(session)).await, 1, "audited as the form is");

    let links = format!("/api/v1/sessions/{session}/links");
    assert_eq!(call(&app, "POST", &links, Some(&read), None).await.0, 403);
    let (status, _) = call(&app, "POST", &links, Some(&write), Some(r#"{"measures": ["nonsense"]}"#)).await;
    assert_eq!(status, 422);
    let (status, link) = call(&app, "POST", &links, Some(&write), Some("{}")).await;
    assert_eq!(status, 201, "{link}");
    let url = link["url"].as_str().unwrap();
    assert!(url.contains("/c/alliance") || url.split("/c/").nth(1).is_some_and(|t| t.len() == 43), "{url}");
    assert_eq!(link["session"].as_i64(), Some(session));
    assert!(!link["instruments"].as_array().unwrap().is_empty());
    assert_eq!(count(&app, "create", "link", None).await, 2, "the form's link and this one, audited alike");
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let r = reqwest::get(format!("{}/api/openapi.json", app.url)).await.unwrap();
    assert_eq!(r.status(), 200, "no token needed for the document");
    let doc: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."), "{}", doc["openapi"]);
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!((scheme["type"].as_str(), scheme["scheme"].as_str()), (Some("http"), Some("bearer")));
    let api: Vec<_> = alliance_web::routes().into_iter().filter(|r| r.path.starts_with("/api/v1/")).collect();
    assert!(api.len() >= 10);
    for route in api {
        let method = route.method.as_str().to_lowercase();
        let operation = &doc["paths"][route.path][&method];
        assert!(operation.is_object(), "{} {} is not in the document", route.method, route.path);
        assert_eq!(operation["security"], json!([{"bearer": []}]), "{}", route.path);
        for status in ["401", "403"] {
            assert!(operation["responses"][status].is_object(), "{} {}: no {status}", route.method, route.path);
        }
        if route.path.contains("{id}") {
            assert!(operation["responses"]["404"].is_object(), "{}: no 404", route.path);
        }
    }
    let documented = doc["paths"].as_object().unwrap().len();
    let declared: std::collections::BTreeSet<_> =
        alliance_web::routes().into_iter().filter(|r| r.path.starts_with("/api/v1/")).map(|r| r.path).collect();
    assert_eq!(documented, declared.len(), "the document names no route the table does not");
}
