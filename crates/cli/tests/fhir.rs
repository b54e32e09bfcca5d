//! `alliance fhir` (issue 19): a Questionnaire printed, a foreign Questionnaire imported into a definition the
//! loader accepts, and a demo practice exported as one Bundle whose Patients carry pseudonyms only, each export
//! recorded in the audit log.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use alliance_store::prelude::*;
use serde_json::Value;

use crate::{alliance, path_str};

fn foreign() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/fhir/foreign-questionnaire.json")
}

#[test]
fn a_questionnaire_is_printed_and_an_unknown_one_refused() {
    let run = alliance(&["fhir", "questionnaire", "gad7"]).ok();
    let q: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(q["resourceType"], "Questionnaire");
    assert_eq!(q["url"], "https://alliance.example/fhir/Questionnaire/gad7");
    assert_eq!(q["item"].as_array().unwrap().len(), 7);
    assert_eq!(q["item"][0]["text"], "Feeling nervous, anxious, or on edge");
    alliance(&["fhir", "questionnaire", "nope"]).refused().says(&["no instrument", "phq9"]);
}

#[test]
fn a_foreign_questionnaire_becomes_a_definition_the_loader_accepts() {
    let run = alliance(&["fhir", "import", path_str(&foreign())]).ok();
    let ins = alliance_core::instrument::parse("imported.toml", &run.stdout).unwrap();
    assert_eq!(ins.id, "mood-screen-2");
    assert_eq!(ins.items.len(), 3);
    assert!(!ins.validated);
    assert!(ins.provenance.unwrap().contains("imported from FHIR"));

    let dir = tempfile::tempdir().unwrap();
    let out = path_str(dir.path());
    alliance(&["fhir", "import", path_str(&foreign()), "--out", out]).ok();
    let written = std::fs::read_to_string(dir.path().join("mood-screen-2.toml")).unwrap();
    assert_eq!(written, run.stdout);
    // Never over an existing definition.
    alliance(&["fhir", "import", path_str(&foreign()), "--out", out]).refused().says(&["must not exist"]);

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"resourceType":"Questionnaire","id":"x","item":[{"linkId":"a","type":"string"}]}"#)
        .unwrap();
    alliance(&["fhir", "import", path_str(&broken)]).refused().says(&["item `a`", "type `string`"]);
}

/// `alliance serve --instruments DIR` loads what `fhir import --out DIR` wrote, and refuses a folder whose
/// definitions clash, are too large or do not parse, naming the file, before it opens any data.
#[test]
fn serve_loads_the_practices_imported_instruments_and_refuses_a_bad_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    alliance(&["user", "create-admin", "--data", path_str(&data), "--email", "a@example.org", "--name", "A"]).ok();
    let folder = dir.path().join("instruments");
    std::fs::create_dir(&folder).unwrap();
    alliance(&["fhir", "import", path_str(&foreign()), "--out", path_str(&folder)]).ok();
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--check", "--bind", "127.0.0.1:0", "--data", path_str(&data)];
        args.extend_from_slice(extra);
        alliance(&args)
    };
    serve(&["--instruments", path_str(&folder)]).ok();

    let copy = folder.join("copy.toml");
    std::fs::copy(folder.join("mood-screen-2.toml"), &copy).unwrap();
    serve(&["--instruments", path_str(&folder)]).refused().says(&["mood-screen-2", "defined twice"]);
    std::fs::remove_file(&copy).unwrap();
    let big = folder.join("big.toml");
    std::fs::write(&big, vec![b'#'; 2 << 20]).unwrap();
    serve(&["--instruments", path_str(&folder)]).refused().says(&["big.toml", "larger than"]);
    std::fs::write(&big, "id = \"half\"\n[[items]\n").unwrap();
    serve(&["--instruments", path_str(&folder)]).refused().says(&["big.toml"]);
    std::fs::remove_file(&big).unwrap();
    serve(&["--instruments", path_str(&dir.path().join("nowhere"))]).refused().says(&["instruments folder"]);
}

/// A demo practice of three clients, seeded by `alliance demo` and stopped once seeded.
fn demo_practice(data: &Path) {
    let mut demo = Command::new(env!("CARGO_BIN_EXE_alliance"))
        .args(["demo", "--data", path_str(data), "--bind", "127.0.0.1:0", "--clients", "3"])
        .env_remove("ALLIANCE_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let seeded = BufReader::new(stdout).lines().map(Result::unwrap).any(|l| l.starts_with("Questions per check"));
    demo.kill().unwrap();
    demo.wait().unwrap();
    assert!(seeded, "the demo seeded its practice");
}

fn fhir_exports(data: &Path) -> Vec<Option<i64>> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let keys = alliance_store::key_file::read(&data.join("keys").join("alliance.keys")).unwrap();
        let store = alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        let events = store.audit_events(100_000).await.unwrap();
        store.close().await;
        events
            .into_iter()
            .filter(|e| e.action == "fhir-export" && e.object_kind == "client")
            .map(|e| e.object_id)
            .collect()
    })
}

#[test]
fn a_practice_is_exported_as_one_bundle_and_each_client_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    demo_practice(&data);
    let d = path_str(&data);

    let run = alliance(&["fhir", "export", "--data", d]).ok();
    let bundle: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let resources: Vec<&Value> = bundle["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).collect();
    let of = |kind: &str| resources.iter().filter(|r| r["resourceType"] == kind).copied().collect::<Vec<_>>();
    let patients = of("Patient");
    assert_eq!(patients.len(), 3);
    for p in &patients {
        let keys: BTreeSet<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["resourceType", "id", "identifier"]), "{p}");
    }
    let responses = of("QuestionnaireResponse");
    assert!(!responses.is_empty());
    // Every reference points at a resource of the Bundle, and every questionnaire answered is in it.
    let ids: BTreeSet<String> = resources
        .iter()
        .map(|r| format!("{}/{}", r["resourceType"].as_str().unwrap(), r["id"].as_str().unwrap()))
        .collect();
    let urls: BTreeSet<&str> = of("Questionnaire").iter().map(|q| q["url"].as_str().unwrap()).collect();
    for r in &responses {
        assert!(ids.contains(r["subject"]["reference"].as_str().unwrap()));
        let canonical = r["questionnaire"].as_str().unwrap().split('|').next().unwrap();
        assert!(urls.contains(canonical), "{canonical}");
    }
    for o in of("Observation") {
        assert!(ids.contains(o["derivedFrom"][0]["reference"].as_str().unwrap()));
    }
    let mut audited = fhir_exports(&data);
    audited.sort();
    let mut expected: Vec<Option<i64>> =
        patients.iter().map(|p| p["id"].as_str().unwrap().strip_prefix("client-").unwrap().parse().ok()).collect();
    expected.sort();
    assert_eq!(audited, expected);

    // One client by pseudonym: its Patient only, and one more audit entry.
    let pseudonym = patients[0]["identifier"][0]["value"].as_str().unwrap().to_owned();
    let one: Value =
        serde_json::from_str(&alliance(&["fhir", "export", "--data", d, "--client", &pseudonym]).ok().stdout).unwrap();
    let one_patients: Vec<_> =
        one["entry"].as_array().unwrap().iter().filter(|e| e["resource"]["resourceType"] == "Patient").collect();
    assert_eq!(one_patients.len(), 1);
    assert_eq!(one_patients[0]["resource"]["identifier"][0]["value"], pseudonym.as_str());
    assert_eq!(fhir_exports(&data).len(), 4);
    alliance(&["fhir", "export", "--data", d, "--client", "Nobody Here"]).refused().says(&["no client"]);
}
