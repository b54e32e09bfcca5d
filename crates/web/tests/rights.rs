//! A client's rights: deletion of all their data and an export of their own data, by their own therapist only,
//! after re-entering the password; hostile or mistaken requests change nothing.

use alliance_core::domain::Role;
use alliance_store::ClientId;
use alliance_store::prelude::*;

use crate::app::{PASSWORD, TestApp, client_with_link, complete_answers, hidden};

/// A therapist's client who answered one check; returns (therapist's sign-in, client id).
async fn answered_client(app: &TestApp, email: &str, pseudonym: &str) -> (crate::app::Session, i64) {
    let (me, client, _, token) = client_with_link(app, email, pseudonym).await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
    (me, client)
}

/// Everything the store holds about a client, to show that a refused request changed nothing.
async fn state_of(store: &dyn Store, client: i64) -> String {
    let c = ClientId(client);
    format!(
        "{:?}{:?}{:?}{:?}",
        store.client(c).await.unwrap(),
        store.episodes(c).await.unwrap(),
        store.sessions_of(&[c]).await.unwrap(),
        store.responses_of(c).await.unwrap()
    )
}

async fn audit_count(store: &dyn Store, action: &str, client: i64) -> usize {
    store
        .audit_events(10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action && e.object_id == Some(client))
        .count()
}

#[tokio::test]
async fn deleting_a_client_needs_their_therapist_the_pseudonym_and_the_password() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("ben@example.org", Role::Therapist).await;
    let sup = app.user("sue@example.org", Role::Supervisor).await;
    let ana = app.store.user_by_email("ana@example.org").await.unwrap().unwrap().id;
    app.supervise(sup, ana).await;
    let (me, client) = answered_client(&app, "ana@example.org", "Amber Heron").await;
    let (_, other) = answered_client(&app, "ben@example.org", "Blue Finch").await;
    let before = state_of(app.store.as_ref(), client).await;
    let other_before = state_of(app.store.as_ref(), other).await;
    let path = format!("/clients/{client}/delete");

    let (status, page) = me.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Amber Heron") && page.contains("name=\"password\""));
    let (status, _, page) = me.post(&path, &[("confirm", "Amber Herom"), ("password", PASSWORD)]).await;
    assert_eq!(status, 422, "a wrong confirmation");
    assert!(page.contains("Nothing was deleted"));
    let (status, _, _) = me.post(&path, &[("confirm", "Amber Heron"), ("password", "not my password")]).await;
    assert_eq!(status, 403, "a wrong password");
    let (status, _, _) = me.post(&path, &[("confirm", "Amber Heron")]).await;
    assert_eq!(status, 403, "no password");
    let (status, _, _) =
        me.post_raw(&path, &[("confirm", "Amber Heron"), ("password", PASSWORD), ("csrf", "forged")]).await;
    assert_eq!(status, 403, "a cross-site post");
    let ben = app.sign_in("ben@example.org").await;
    let (status, _, _) = ben.post(&path, &[("confirm", "Amber Heron"), ("password", PASSWORD)]).await;
    assert_eq!(status, 404, "another therapist's client does not exist for them");
    let sue = app.sign_in("sue@example.org").await;
    let (status, _, _) = sue.post(&path, &[("confirm", "Amber Heron"), ("password", PASSWORD)]).await;
    assert_eq!(status, 403, "a supervisor reads but does not delete");
    for bad in ["/clients/987654/delete", "/clients/abc/delete", "/clients/-1/delete"] {
        let (status, _, _) = me.post(bad, &[("confirm", "Amber Heron"), ("password", PASSWORD)]).await;
        assert_eq!(status, 404, "{bad}");
    }
    assert_eq!(state_of(app.store.as_ref(), client).await, before, "nothing changed");
    assert_eq!(audit_count(app.store.as_ref(), "delete", client).await, 0);
    let failures = app.store.audit_events(10_000).await.unwrap();
    assert!(failures.iter().filter(|e| e.action == "reauth-failed").count() >= 2, "failed re-entries are audited");

    let (status, _, page) = me.post(&path, &[("confirm", " Amber Heron "), ("password", PASSWORD)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("deleted"));
    assert!(app.store.client(ClientId(client)).await.unwrap().is_none());
    assert!(app.store.responses_of(ClientId(client)).await.unwrap().is_empty());
    assert!(app.store.sessions_of(&[ClientId(client)]).await.unwrap().is_empty());
    let (status, _) = me.get(&format!("/clients/{client}")).await;
    assert_eq!(status, 404);
    assert_eq!(audit_count(app.store.as_ref(), "delete", client).await, 1, "audited once");
    assert!(audit_count(app.store.as_ref(), "read", client).await > 0, "earlier audit entries are kept");
    assert_eq!(state_of(app.store.as_ref(), other).await, other_before, "the other client is untouched");
}

#[tokio::test]
async fn an_export_holds_exactly_the_clients_own_data() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    let (me, client) = answered_client(&app, "ana@example.org", "Amber Heron").await;
    let (me_again, other) = answered_client(&app, "ana@example.org", "Cedar Fox").await;
    drop(me_again);
    let path = format!("/clients/{client}/export");
    let (status, page) = me.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"password\""));

    let (status, _, _) = me.post(&path, &[("format", "json"), ("password", "wrong")]).await;
    assert_eq!(status, 403, "a wrong password");
    let (status, _, _) = me.post(&path, &[("format", "xml"), ("password", PASSWORD)]).await;
    assert_eq!(status, 400);
    let (status, _, _) = me.post_raw(&path, &[("format", "json"), ("password", PASSWORD)]).await;
    assert_eq!(status, 403, "no anti-forgery token");
    assert_eq!(audit_count(app.store.as_ref(), "export", client).await, 0);

    let r = me
        .browser
        .post(format!("{}{path}", me.url))
        .form(&[("csrf", me.csrf.as_str()), ("format", "json"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let json: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(json["client"]["pseudonym"], "Amber Heron");
    assert_eq!(json["client"]["id"], client);
    let text = json.to_string();
    assert!(!text.contains("Cedar Fox"), "no other client's data");
    let session = &json["episodes"][0]["sessions"][0];
    let answers = session["answers"].as_array().unwrap();
    let stored = app.store.responses_of(ClientId(client)).await.unwrap();
    assert_eq!(answers.len(), stored.len(), "every answered questionnaire");
    let phq = answers.iter().find(|a| a["instrument_id"] == "phq9").unwrap();
    assert!(
        phq["instrument_name"].as_str().unwrap().contains("PHQ-9")
            || phq["instrument_name"].as_str().unwrap().contains("Patient Health")
    );
    let total = phq["scores"].as_array().unwrap().iter().find(|s| s["scale"] == "total").unwrap();
    assert_eq!(total["value"], 16.0, "8 items of 2 and item 9 at 0");
    assert_eq!(phq["answers"].as_array().unwrap().len(), 9);
    assert_eq!(audit_count(app.store.as_ref(), "export", client).await, 1);

    let (status, _, page) = me.post(&path, &[("format", "html"), ("password", PASSWORD)]).await;
    assert_eq!(status, 200);
    assert!(page.contains("Amber Heron") && !page.contains("Cedar Fox"));
    assert_eq!(audit_count(app.store.as_ref(), "export", client).await, 2);
    assert_eq!(audit_count(app.store.as_ref(), "export", other).await, 0);

    // Another therapist cannot export this client.
    app.user("ben@example.org", Role::Therapist).await;
    let ben = app.sign_in("ben@example.org").await;
    let (status, _, _) = ben.post(&path, &[("format", "json"), ("password", PASSWORD)]).await;
    assert_eq!(status, 404);
}
