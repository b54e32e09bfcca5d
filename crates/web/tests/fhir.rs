//! The FHIR R4 endpoints (issue 19): a client's Bundle for their therapist and the therapist's supervisor, with
//! scores worked out by hand from the answers given; the same 404 as the client pages for everyone else; every
//! read and export in the audit log.

use alliance_core::domain::Role;
use alliance_store::prelude::*;
use serde_json::Value;

use crate::app::{Session, TestApp, client_with_link, complete_answers, hidden};

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
