//! The FHIR R4 endpoints (issue 19): a client's Bundle for their therapist and the therapist's supervisor, with
//! scores worked out by hand from the answers given; the same 404 as the client pages for everyone else; every
//! read and export in the audit log.

use alliance_core::domain::Role;
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, NewUser};
use serde_json::Value;

use crate::app::{PASSWORD, Session, TestApp, client_with_link, complete_answers, hidden};

/// A therapist's client who answered one check (PHQ-9 items 1-8 at 2 and item 9 at 0, GAD-7 items at 1, the
/// alliance items at 4); returns (therapist's sign-in, client id).
async fn answered_client(app: &TestApp, email: &str, pseudonym: &str) -> (Session, i64) {
    let (me, client, _, token) = client_with_link(app, email, pseudonym).await;
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    let mut fields = complete_answers("2", "0");
    fields.push(("csrf".into(), hidden(&form, "csrf")));
    let done = phone.post(format!("{}/c/{token}", app.url)).form(&fields).send().await.unwrap();
    assert_eq!(done.status(), 200);
    (me, client)
}

async fn audit_count(store: &dyn Store, action: &str, client: i64) -> usize {
    let events = store.audit_events(10_000).await.unwrap();
    events.iter().filter(|e| e.action == action && e.object_kind == "client" && e.object_id == Some(client)).count()
}

/// Status, content type and body of a GET.
async fn fetch(who: &Session, path: &str) -> (u16, String, String) {
    let r = who.browser.get(format!("{}{path}", who.url)).send().await.unwrap();
    let status = r.status().as_u16();
    let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

fn observation<'a>(bundle: &'a Value, system: &str, code: &str) -> &'a Value {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| {
            r["resourceType"] == "Observation"
                && r["code"]["coding"].as_array().unwrap().iter().any(|c| c["system"] == system && c["code"] == code)
        })
        .unwrap_or_else(|| panic!("no Observation coded {system}|{code}"))
}

#[tokio::test]
async fn a_clients_bundle_is_for_their_carers_only_and_audited() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("ben@example.org", Role::Therapist).await;
    let sup = app.user("sue@example.org", Role::Supervisor).await;
    app.user("sam@example.org", Role::Supervisor).await;
    app.user("ada@example.org", Role::Administrator).await;
    app.user("rex@example.org", Role::Researcher).await;
    let ana = app.store.user_by_email("ana@example.org").await.unwrap().unwrap().id;
    app.supervise(sup, ana).await;
    let (me, client) = answered_client(&app, "ana@example.org", "Amber Heron").await;
    let store = app.store.as_ref();
    let everything = format!("/fhir/Patient/{client}/$everything");

    let (status, kind, body) = fetch(&me, &everything).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(kind, "application/fhir+json");
    let bundle: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    // PHQ-9: eight items at 2 and item 9 at 0 make 16; GAD-7: seven items at 1 make 7; alliance: six items at 4.
    assert_eq!(observation(&bundle, "http://loinc.org", "44261-6")["valueQuantity"]["value"], 16);
    assert_eq!(observation(&bundle, "http://loinc.org", "70274-6")["valueQuantity"]["value"], 7);
    let alliance = "https://alliance.example/fhir/CodeSystem/relationship-check/scales";
    assert_eq!(observation(&bundle, alliance, "alliance")["valueQuantity"]["value"], 24);
    let patient_id = format!("client-{client}");
    let patients: Vec<_> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Patient")
        .collect();
    assert_eq!(patients.len(), 1);
    assert_eq!(patients[0]["id"], patient_id.as_str());
    assert_eq!(audit_count(store, "fhir-export", client).await, 1);

    let (status, kind, body) = fetch(&me, &format!("/fhir/Patient/{patient_id}")).await;
    assert_eq!((status, kind.as_str()), (200, "application/fhir+json"));
    let patient: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(patient["identifier"][0]["value"], "Amber Heron");
    assert_eq!(patient.as_object().unwrap().len(), 3, "{patient}");

    // The therapist's supervisor reads it too, and that is audited.
    let sue = app.sign_in("sue@example.org").await;
    assert_eq!(fetch(&sue, &everything).await.0, 200);
    assert_eq!(audit_count(store, "fhir-export", client).await, 2);

    // Everyone else: the client pages' answers, no export, and the refusal audited.
    let denied_before = audit_count(store, "read-denied", client).await;
    for email in ["ben@example.org", "sam@example.org", "ada@example.org"] {
        let other = app.sign_in(email).await;
        assert_eq!(fetch(&other, &everything).await.0, 404, "{email}");
        let (status, kind, body) = fetch(&other, &format!("/fhir/Patient/{client}")).await;
        assert_eq!((status, kind.as_str()), (404, "application/fhir+json"), "{email}");
        // Exactly what a client that does not exist gets: nothing tells the two apart.
        assert_eq!(body, fetch(&other, "/fhir/Patient/client-999999").await.2, "{email}");
    }
    assert_eq!(audit_count(store, "read-denied", client).await, denied_before + 6);
    let rex = app.sign_in("rex@example.org").await;
    assert_eq!(fetch(&rex, &everything).await.0, 403);
    assert_eq!(audit_count(store, "fhir-export", client).await, 2);
    // A client that does not exist looks the same as one that is not yours.
    assert_eq!(fetch(&me, "/fhir/Patient/client-999999/$everything").await.0, 404);
    assert_eq!(fetch(&me, "/fhir/Patient/not-a-client").await.0, 404);
}

#[tokio::test]
async fn questionnaires_are_served_to_staff_without_licensed_wording() {
    let app = TestApp::spawn().await;
    app.user("rex@example.org", Role::Researcher).await;
    let rex = app.sign_in("rex@example.org").await;
    let (status, kind, body) = fetch(&rex, "/fhir/Questionnaire/phq9").await;
    assert_eq!((status, kind.as_str()), (200, "application/fhir+json"));
    let q: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(q["url"], "https://alliance.example/fhir/Questionnaire/phq9");
    assert_eq!(q["item"][8]["code"][0]["code"], "44260-8");
    let (status, _, body) = fetch(&rex, "/fhir/Questionnaire/wai-sr").await;
    assert_eq!(status, 200);
    let q: Value = serde_json::from_str(&body).unwrap();
    assert!(q["item"].as_array().unwrap().iter().all(|i| i.get("text").is_none()));
    let (status, kind, body) = fetch(&rex, "/fhir/Questionnaire/nope").await;
    assert_eq!((status, kind.as_str()), (404, "application/fhir+json"));
    let outcome: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["code"], "not-found");
}

/// A Questionnaire the practice imported (`alliance fhir import`, then `serve --instruments DIR`) is offered as an
/// outcome measure, unticked and marked as not validated; chosen, its link asks it; it is served back as FHIR.
#[tokio::test]
async fn an_imported_questionnaire_is_an_outcome_measure_a_therapist_can_choose() {
    let foreign = include_str!("../../core/tests/fixtures/fhir/foreign-questionnaire.json");
    let imported = alliance_core::fhir::import(foreign).unwrap();
    let mut catalog = alliance_core::catalog::Catalog::builtin().unwrap();
    catalog.add_definition("mood-screen-2.toml", &imported.toml).unwrap();
    let app = TestApp::spawn_with_catalog(|_| {}, catalog).await;
    app.user("ana@example.org", Role::Therapist).await;
    let me = app.sign_in("ana@example.org").await;

    let (status, page) = me.get("/clients/new").await;
    assert_eq!(status, 200);
    assert!(page.contains("value=\"phq9\" checked") && page.contains("value=\"gad7\" checked"));
    let offered = page.split("value=\"mood-screen-2\"").nth(1).expect("the imported measure is offered");
    assert!(!offered.starts_with(" checked"), "offered, not chosen for the therapist");
    assert!(offered.contains("not validated by Alliance"));

    // A made-up measure is refused and makes no client.
    let csrf = hidden(&page, "csrf");
    let fields = [
        ("csrf", csrf.as_str()),
        ("pseudonym", "Nell Vane"),
        ("started_on", "2026-11-02"),
        ("measure", "phq9"),
        ("measure", "no-such-measure"),
    ];
    let refused = me.browser.post(format!("{}/clients/new", me.url)).form(&fields).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(!me.get("/").await.1.contains("Nell Vane"), "no client was made");

    let (status, url, _) = me
        .post("/clients/new", &[("pseudonym", "Nell Vane"), ("started_on", "2026-11-02"), ("measure", "mood-screen-2")])
        .await;
    assert_eq!(status, 200);
    let (_, client_page) = me.get(&url).await;
    let episode = crate::app::number_after(&client_page, "action=\"/episodes/");
    let (status, session, _) =
        me.post(&format!("/episodes/{episode}/sessions"), &[("held_on", "2026-11-09"), ("attended", "yes")]).await;
    assert_eq!(status, 200);
    let (_, session_page) = me.get(&session).await;
    assert!(session_page.contains("value=\"mood-screen-2\""), "the session's link can ask it");
    let (_, _, link_page) = me.post(&format!("{session}/links"), &[]).await;
    let token = link_page.split("/c/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let phone = TestApp::browser();
    let form = phone.get(format!("{}/c/{token}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Little interest or pleasure in doing things"), "the client is asked its items");

    let (status, kind, body) = fetch(&me, "/fhir/Questionnaire/mood-screen-2").await;
    assert_eq!((status, kind.as_str()), (200, "application/fhir+json"));
    let q: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(q["item"].as_array().unwrap().len(), imported.instrument.items.len());
}

/// A refusal answered as FHIR: the status, and the one issue's code of a parseable `OperationOutcome`, with no
/// page in it; returns (status, code, body).
async fn outcome_of(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert_eq!(kind, "application/fhir+json", "status {status}");
    assert!(r.headers().get("location").is_none(), "no redirect");
    let body = r.text().await.unwrap();
    assert!(!body.to_lowercase().contains("<html") && !body.contains('<'), "{body}");
    let outcome: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome", "{body}");
    assert_eq!(outcome["issue"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(outcome["issue"][0]["severity"], "error", "{body}");
    (status, outcome["issue"][0]["code"].as_str().unwrap().to_owned(), body)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The FHIR paths of a client that exists and of one that does not (the guard must not tell them apart).
fn fhir_paths(client: i64) -> Vec<(String, String)> {
    vec![
        (format!("/fhir/Patient/{client}"), "/fhir/Patient/client-999999".to_owned()),
        (format!("/fhir/Patient/client-{client}/$everything"), "/fhir/Patient/999999/$everything".to_owned()),
        ("/fhir/Questionnaire/phq9".to_owned(), "/fhir/Questionnaire/nope".to_owned()),
    ]
}

#[tokio::test]
async fn the_guards_refusals_on_fhir_routes_are_operation_outcomes() {
    let app = TestApp::spawn().await;
    app.user("ana@example.org", Role::Therapist).await;
    app.user("rex@example.org", Role::Researcher).await;
    let (_, client, _, _) = client_with_link(&app, "ana@example.org", "Amber Heron").await;

    // No sign-in, and a made-up session cookie: 401 `login`, the same bytes whatever the path names. The routes
    // take the session cookie only, so no bearer scheme is offered.
    let anonymous = no_redirects();
    let mut bodies = Vec::new();
    for (exists, missing) in fhir_paths(client) {
        for path in [&exists, &missing] {
            for cookie in [None, Some("alliance_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] {
                let mut request = anonymous.get(format!("{}{path}", app.url));
                if let Some(cookie) = cookie {
                    request = request.header("cookie", cookie);
                }
                let r = request.send().await.unwrap();
                assert!(r.headers().get("www-authenticate").is_none(), "{path}");
                let (status, code, body) = outcome_of(r).await;
                assert_eq!((status, code.as_str()), (401, "login"), "{path}");
                assert!(!body.contains("Amber") && !body.contains(&client.to_string()), "{body}");
                bodies.push(body);
            }
        }
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "one body for every unauthenticated request");

    // A role the route does not name: 403 `forbidden`, the same bytes for a client that exists and one that
    // does not.
    let rex = app.sign_in("rex@example.org").await;
    for (exists, missing) in &fhir_paths(client)[..2] {
        let (status, code, body) =
            outcome_of(rex.browser.get(format!("{}{exists}", app.url)).send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"), "{exists}");
        let (_, _, other) = outcome_of(rex.browser.get(format!("{}{missing}", app.url)).send().await.unwrap()).await;
        assert_eq!(body, other, "{exists} and {missing}");
    }

    // The pages keep their answers: sign in first, and the error page for a role the route does not name.
    let r = anonymous.get(format!("{}/clients/{client}", app.url)).send().await.unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(r.headers()["location"], "/login");
    let r = rex.browser.get(format!("{}/clients/{client}", app.url)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn a_pending_sign_in_step_or_second_factor_opens_no_fhir_route() {
    let app = TestApp::spawn().await;
    let now = app.freeze();
    // An account whose password someone else chose: signed in, but the account page comes first.
    let hash = alliance_web::hash_password(PASSWORD).unwrap();
    let at = time::OffsetDateTime::now_utc();
    let new = NewUser {
        email: "new@example.org".into(),
        display_name: "new".into(),
        role: Role::Therapist,
        password_hash: hash,
        must_change_password: true,
    };
    app.store.create_user(new, AuditEvent::system(at, "create", "account", "test"), at).await.unwrap();
    let fresh = app.sign_in("new@example.org").await;
    let mut bodies = Vec::new();
    for path in ["/fhir/Questionnaire/phq9", "/fhir/Patient/1", "/fhir/Patient/client-999999/$everything"] {
        let (status, code, body) =
            outcome_of(fresh.browser.get(format!("{}{path}", app.url)).send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (403, "security"), "{path}");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    // The pages still lead to the account page.
    let r = fresh.browser.get(format!("{}/", app.url)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/account"));

    // The password given, the authenticator's code not yet: no sign-in, so 401 `login`.
    let ana = app.user("ana@example.org", Role::Therapist).await;
    let own = app.sign_in("ana@example.org").await;
    let (status, _, page) = own.post("/account/totp/new", &[("password", PASSWORD)]).await;
    assert_eq!(status, 200, "{page}");
    let secret = app.store.totp_factor(ana).await.unwrap().unwrap().secret;
    let code = crate::accounts::totp(&secret, now / 30);
    let (status, _, page) = own.post("/account/totp/confirm", &[("code", &code)]).await;
    assert!(status == 200 && page.contains("second factor is on"), "{page}");
    let halfway = TestApp::browser();
    let attempt = crate::accounts::sign_in(&halfway, &app.url, "ana@example.org", PASSWORD).await;
    assert!(attempt.body.contains("name=\"code\""), "the code is asked for");
    let (status, code, _) =
        outcome_of(halfway.get(format!("{}/fhir/Questionnaire/phq9", app.url)).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (401, "login"));
}
