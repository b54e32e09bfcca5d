//! FHIR R4 resources (issue 19): their structure against values written out by hand from the definitions and
//! the FHIR R4 specification, licensed wording never shipped, the Patient carrying the pseudonym only, the
//! import round trip, and hostile import input refused with a typed error.

use std::collections::BTreeSet;

use alliance_core::catalog::CatalogError;
use alliance_core::fhir::{self, ImportError, PatientRecord, ResponseRecord};
use alliance_core::instrument::{self, Licence, TextSource};
use alliance_core::scoring::{Answer, score};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::{all, catalog, with};

const ORDINAL: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
const FOREIGN: &str = include_str!("fixtures/fhir/foreign-questionnaire.json");

fn item<'a>(q: &'a Value, link_id: &str) -> &'a Value {
    q["item"].as_array().unwrap().iter().find(|i| i["linkId"] == link_id).unwrap()
}

/// (system, code) pairs of a `code` array.
fn codes(item: &Value) -> BTreeSet<(String, String)> {
    item["code"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| (c["system"].as_str().unwrap().to_owned(), c["code"].as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// (system, code, display, ordinal value) of each answer option.
fn options(item: &Value) -> Vec<(String, String, Option<String>, Option<f64>)> {
    item["answerOption"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let c = &o["valueCoding"];
            let ordinal = c["extension"]
                .as_array()
                .and_then(|e| e.iter().find(|e| e["url"] == ORDINAL))
                .and_then(|e| e["valueDecimal"].as_f64());
            (
                c["system"].as_str().unwrap().to_owned(),
                c["code"].as_str().unwrap().to_owned(),
                c["display"].as_str().map(str::to_owned),
                ordinal,
            )
        })
        .collect()
}

#[test]
fn phq9_questionnaire_carries_loinc_codes_wording_and_ordinal_values() {
    let c = catalog();
    let q = fhir::questionnaire(c.get("phq9").unwrap());
    assert_eq!(q["resourceType"], "Questionnaire");
    assert_eq!(q["id"], "phq9");
    assert_eq!(q["url"], "https://alliance.example/fhir/Questionnaire/phq9");
    assert_eq!(q["status"], "active");
    assert_eq!(q["code"], json!([{ "system": "http://loinc.org", "code": "44249-1" }]));
    assert_eq!(q["item"].as_array().unwrap().len(), 10);
    let first = item(&q, "1");
    assert_eq!(first["type"], "choice");
    assert_eq!(first["text"], "Little interest or pleasure in doing things");
    assert_eq!(
        codes(first),
        BTreeSet::from([
            ("http://loinc.org".to_owned(), "44250-9".to_owned()),
            ("https://alliance.example/fhir/CodeSystem/phq9".to_owned(), "1".to_owned()),
        ])
    );
    let system = "https://alliance.example/fhir/CodeSystem/phq9/options/frequency";
    let expected: Vec<_> =
        [(0.0, "Not at all"), (1.0, "Several days"), (2.0, "More than half the days"), (3.0, "Nearly every day")]
            .iter()
            .map(|(v, d)| (system.to_owned(), format!("{v}"), Some((*d).to_owned()), Some(*v)))
            .collect();
    assert_eq!(options(first), expected);
    assert_eq!(item(&q, "9")["code"][0]["code"], "44260-8");
}

#[test]
fn choice_and_checklist_items_have_codes_without_scores_and_conditions() {
    let c = catalog();
    let q = fhir::questionnaire(c.get("relationship-check").unwrap());
    let rupture = item(&q, "rupture");
    assert_eq!(rupture["type"], "choice");
    assert!(rupture.get("repeats").is_none());
    assert_eq!(
        options(rupture),
        [("no", "No"), ("yes", "Yes")]
            .iter()
            .map(|(c, d)| {
                (
                    "https://alliance.example/fhir/CodeSystem/relationship-check/choices/rupture".to_owned(),
                    (*c).to_owned(),
                    Some((*d).to_owned()),
                    None,
                )
            })
            .collect::<Vec<_>>()
    );
    let kind = item(&q, "rupture-kind");
    assert_eq!(kind["repeats"], true);
    assert_eq!(kind["enableWhen"][0]["question"], "rupture");
    assert_eq!(kind["enableWhen"][0]["answerCoding"]["code"], "yes");
    // Its own instrument: no LOINC, the project's code system only.
    assert!(q.get("code").is_none());
    assert_eq!(
        codes(item(&q, "bond-1")),
        BTreeSet::from([(
            "https://alliance.example/fhir/CodeSystem/relationship-check".to_owned(),
            "bond-1".to_owned()
        )])
    );
}

#[test]
fn a_licensed_instrument_ships_no_wording_even_when_the_licensee_file_is_loaded() {
    let mut c = catalog();
    c.add_licensed_text("wai-sr.en.txt", &crate::loader::made_up_wai_sr()).unwrap();
    let wai = c.get("wai-sr").unwrap();
    assert_eq!(wai.licence, Licence::LicensedText);
    // The catalog treats loaded wording as embedded; the export still must not ship it.
    assert_eq!(wai.text_source, TextSource::Embedded);
    for ins in [wai, catalog().get("srs").unwrap()] {
        let q = fhir::questionnaire(ins);
        let text = q.to_string();
        assert!(!text.contains("Made-up"), "{text}");
        assert!(!text.contains("(made up)"), "{text}");
        for i in q["item"].as_array().unwrap() {
            assert!(i.get("text").is_none(), "{i}");
            assert!(!i["linkId"].as_str().unwrap().is_empty());
            assert!(!codes(i).is_empty());
            for o in i["answerOption"].as_array().into_iter().flatten() {
                assert!(o["valueCoding"].get("display").is_none(), "{o}");
            }
        }
    }
}

#[test]
fn the_patient_carries_the_pseudonym_and_nothing_else() {
    let p = fhir::patient(PatientRecord { id: "client-4", pseudonym: "Blue Heron" });
    assert_eq!(
        p,
        json!({
            "resourceType": "Patient",
            "id": "client-4",
            "identifier": [{ "system": "https://alliance.example/fhir/NamingSystem/pseudonym", "value": "Blue Heron" }],
        })
    );
}

#[test]
fn a_completed_phq9_becomes_a_response_and_a_loinc_coded_total() {
    let c = catalog();
    let phq = c.get("phq9").unwrap();
    // Items 1-9 at "Several days" (1) except item 2 at "Nearly every day" (3): 8 + 3 = 11 by hand.
    let answers = with(all(&["1", "2", "3", "4", "5", "6", "7", "8", "9"], 1.0), "2", Answer::Value(3.0));
    let scores = score(phq, &answers).unwrap().scales;
    let at = datetime!(2026-03-02 10:15 UTC);
    let record = ResponseRecord {
        id: "response-7",
        instrument: phq,
        version: 1,
        answers: &answers,
        scores: &scores,
        submitted_at: at,
    };
    let resources = fhir::client_resources(PatientRecord { id: "client-4", pseudonym: "Blue Heron" }, &[record]);
    let kinds: Vec<_> = resources.iter().map(|r| r["resourceType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Patient", "QuestionnaireResponse", "Observation"]);
    let qr = &resources[1];
    assert_eq!(qr["questionnaire"], "https://alliance.example/fhir/Questionnaire/phq9|1");
    assert_eq!(qr["status"], "completed");
    assert_eq!(qr["subject"]["reference"], "Patient/client-4");
    assert_eq!(qr["authored"], "2026-03-02T10:15:00Z");
    assert_eq!(qr["item"].as_array().unwrap().len(), 9);
    let second = item(qr, "2");
    assert_eq!(second["answer"][0]["valueCoding"]["code"], "3");
    assert_eq!(second["answer"][0]["valueCoding"]["display"], "Nearly every day");
    let obs = &resources[2];
    assert_eq!(obs["status"], "final");
    assert_eq!(obs["category"][0]["coding"][0]["code"], "survey");
    assert_eq!(obs["code"]["coding"][0], json!({ "system": "http://loinc.org", "code": "44261-6" }));
    assert_eq!(obs["valueQuantity"]["value"], 11);
    assert_eq!(obs["effectiveDateTime"], "2026-03-02T10:15:00Z");
    assert_eq!(obs["subject"]["reference"], "Patient/client-4");
    assert_eq!(obs["derivedFrom"][0]["reference"], "QuestionnaireResponse/response-7");

    let b = fhir::bundle(resources, at);
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert_eq!(b["entry"][0]["fullUrl"], "https://alliance.example/fhir/Patient/client-4");
    assert_eq!(b["entry"].as_array().unwrap().len(), 3);
}

#[test]
fn gad7_total_has_its_loinc_code_and_own_scales_the_project_code() {
    let c = catalog();
    let gad = c.get("gad7").unwrap();
    let answers = all(&["1", "2", "3", "4", "5", "6", "7"], 2.0);
    let scores = score(gad, &answers).unwrap().scales;
    let at = datetime!(2026-03-02 10:15 UTC);
    let record =
        ResponseRecord { id: "r1", instrument: gad, version: 1, answers: &answers, scores: &scores, submitted_at: at };
    let resources = fhir::client_resources(PatientRecord { id: "p", pseudonym: "x" }, &[record]);
    assert_eq!(resources[2]["code"]["coding"][0]["code"], "70274-6");
    assert_eq!(resources[2]["valueQuantity"]["value"], 14);

    let check = c.get("relationship-check").unwrap();
    let mut answers = all(
        &["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2", "understood", "respected", "genuine"],
        4.0,
    );
    answers.insert("rupture".into(), Answer::Choice("yes".into()));
    answers.insert("rupture-kind".into(), Answer::Choices(vec!["withdrawal".into(), "confrontation".into()]));
    let scores = score(check, &answers).unwrap().scales;
    let record = ResponseRecord {
        id: "r2",
        instrument: check,
        version: 1,
        answers: &answers,
        scores: &scores,
        submitted_at: at,
    };
    let resources = fhir::client_resources(PatientRecord { id: "p", pseudonym: "x" }, &[record]);
    let alliance = resources.iter().find(|r| r["id"] == "r2-alliance").unwrap();
    assert_eq!(
        alliance["code"]["coding"],
        json!([{ "system": "https://alliance.example/fhir/CodeSystem/relationship-check/scales", "code": "alliance", "display": "Working alliance" }])
    );
    assert_eq!(alliance["valueQuantity"]["value"], 24);
    let kind = item(&resources[1], "rupture-kind");
    assert_eq!(kind["answer"].as_array().unwrap().len(), 2);
}

#[test]
fn a_foreign_questionnaire_imports_and_round_trips_every_item_and_option() {
    let original: Value = serde_json::from_str(FOREIGN).unwrap();
    let imported = fhir::import(FOREIGN).unwrap();
    // The TOML is a definition the loader accepts, marked as imported and not validated.
    let reread = instrument::parse("mood.toml", &imported.toml).unwrap();
    assert_eq!(reread, imported.instrument);
    assert_eq!(reread.id, "mood-screen-2");
    assert!(!reread.validated);
    assert_eq!(reread.licence, Licence::Unknown);
    assert!(reread.provenance.as_deref().unwrap().contains("http://example.org/fhir/Questionnaire/mood-screen-2"));
    assert!(imported.toml.contains("NOT validated"));
    // Scored as a sum: 3 + 2 + 2.5 by hand.
    let mut answers = alliance_core::Answers::new();
    answers.insert("44250-9".into(), Answer::Value(3.0));
    answers.insert("44255-8".into(), Answer::Value(2.0));
    answers.insert("extra".into(), Answer::Value(2.5));
    assert_eq!(score(&reread, &answers).unwrap().value("total"), Some(7.5));

    let back = fhir::questionnaire(&reread);
    let originals = original["item"].as_array().unwrap();
    assert_eq!(back["item"].as_array().unwrap().len(), originals.len());
    for o in originals {
        let link_id = o["linkId"].as_str().unwrap();
        let b = item(&back, link_id);
        assert_eq!(b["text"], o["text"], "{link_id}");
        assert_eq!(b["type"], "choice");
        assert!(codes(o).is_subset(&codes(b)), "{link_id}: {:?} not in {:?}", codes(o), codes(b));
        assert_eq!(options(b), options(o), "{link_id}");
    }
    // The display of a coded item survives too.
    assert_eq!(item(&back, "/44250-9")["code"][0]["display"], "Little interest or pleasure in doing things");
}

#[test]
fn an_imported_questionnaire_becomes_an_outcome_measure_the_practice_can_choose() {
    let mut c = catalog();
    let before: Vec<String> = c.outcome_measures().iter().map(|i| i.id.clone()).collect();
    assert_eq!(before, ["phq9", "gad7"], "the built-in outcome measures, PHQ-9 first");
    let imported = fhir::import(FOREIGN).unwrap();
    c.add_definition("mood-screen-2.toml", &imported.toml).unwrap();
    let after: Vec<String> = c.outcome_measures().iter().map(|i| i.id.clone()).collect();
    assert_eq!(after, ["phq9", "gad7", "mood-screen-2"]);
    assert!(c.can_administer("mood-screen-2"), "its wording came with it");
    // The same file twice, or a definition claiming a built-in id, is refused: nothing is replaced.
    let twice = c.add_definition("again.toml", &imported.toml).unwrap_err();
    assert!(matches!(twice, CatalogError::Duplicate { ref id, .. } if id == "mood-screen-2"), "{twice:?}");
    let phq9 = fhir::import(&fhir::questionnaire(c.get("phq9").unwrap()).to_string()).unwrap();
    let claimed = c.add_definition("phq9.toml", &phq9.toml).unwrap_err();
    assert!(matches!(claimed, CatalogError::Duplicate { ref id, .. } if id == "phq9"), "{claimed:?}");
    assert!(c.get("phq9").unwrap().validated, "the built-in PHQ-9 is still the one in use");
    // A malformed definition is an error naming the file.
    let broken = c.add_definition("broken.toml", "id = \"x\"\n[[items]]\nid = ").unwrap_err();
    assert!(broken.to_string().contains("broken.toml"), "{broken}");
}

#[test]
fn an_exported_instrument_round_trips_through_import() {
    let c = catalog();
    for id in ["phq9", "gad7", "wai-sr", "mspss"] {
        let q = fhir::questionnaire(c.get(id).unwrap());
        let imported = fhir::import(&q.to_string()).unwrap_or_else(|e| panic!("{id}: {e}"));
        let back = fhir::questionnaire(&imported.instrument);
        for o in q["item"].as_array().unwrap() {
            let b = item(&back, o["linkId"].as_str().unwrap());
            assert_eq!(b["text"], o["text"], "{id}");
            assert_eq!(codes(b), codes(o), "{id}");
            assert_eq!(options(b), options(o), "{id}");
        }
        // A licensed instrument stays without wording once imported.
        if id == "wai-sr" {
            assert_eq!(imported.instrument.text_source, TextSource::Licensee);
        }
    }
}

#[test]
fn hostile_import_input_is_refused_with_a_typed_error() {
    let big = format!("{{\"resourceType\":\"Questionnaire\",\"x\":\"{}\"}}", "a".repeat(fhir::MAX_IMPORT_BYTES));
    assert_eq!(fhir::import(&big), Err(ImportError::TooLarge));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(fhir::import(&deep), Err(ImportError::TooDeep));
    // Brackets inside strings are not nesting.
    let quoted = format!("{{\"resourceType\":\"Patient\",\"x\":\"{}\"}}", "[".repeat(100));
    assert_eq!(fhir::import(&quoted), Err(ImportError::NotQuestionnaire("Patient".into())));
    assert!(matches!(fhir::import("{not json"), Err(ImportError::Json(_))));
    assert_eq!(fhir::import("[]"), Err(ImportError::NotQuestionnaire(String::new())));

    let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
    q["item"][1]["type"] = json!("string");
    assert_eq!(
        fhir::import(&q.to_string()),
        Err(ImportError::UnsupportedType { link_id: "/44255-8".into(), kind: "string".into() })
    );
    let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
    q["item"][0]["answerOption"][2]["valueCoding"].as_object_mut().unwrap().remove("extension");
    assert_eq!(fhir::import(&q.to_string()), Err(ImportError::MissingOrdinal { link_id: "/44250-9".into(), index: 2 }));
    let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
    q["item"][0]["item"] = json!([{ "linkId": "x", "type": "choice" }]);
    assert!(matches!(fhir::import(&q.to_string()), Err(ImportError::Field { .. })));
    let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
    q["item"] = Value::Array(vec![q["item"][0].clone(); fhir::MAX_ITEMS + 1]);
    assert_eq!(fhir::import(&q.to_string()), Err(ImportError::TooMany));
    let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
    q["item"][0]["text"] = json!(42);
    assert_eq!(
        fhir::import(&q.to_string()),
        Err(ImportError::Field { field: "text".into(), problem: "must be a string".into() })
    );
    // Two items with the same linkId make a definition the loader refuses, and the error says which.
    let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
    q["item"][1]["linkId"] = json!("/44250-9");
    let e = fhir::import(&q.to_string()).unwrap_err();
    assert!(matches!(e, ImportError::Definition(_)), "{e}");
    assert!(e.to_string().contains("44250-9"), "{e}");
}

#[test]
fn every_truncation_of_a_questionnaire_is_refused_without_a_panic() {
    // Cut at every character boundary: each prefix is not JSON, so each must be a typed refusal.
    let whole = FOREIGN.trim_end();
    for (at, _) in whole.char_indices().skip(1) {
        let e = fhir::import(&whole[..at]).unwrap_err();
        assert!(matches!(e, ImportError::Json(_)), "prefix of {at} bytes: {e}");
    }
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics_the_import(text in "\\PC{0,400}") {
        let _ = fhir::import(&text);
    }

    /// A value replaced anywhere in a valid questionnaire: accepted or refused, never a panic, and whatever is
    /// accepted is a definition the loader reads back.
    #[test]
    fn a_questionnaire_with_one_value_replaced_never_panics(
        item in 0usize..3, option in 0usize..2, field in 0usize..6, replacement in proptest::prelude::any::<i64>()
    ) {
        let mut q: Value = serde_json::from_str(FOREIGN).unwrap();
        let slot = match field {
            0 => &mut q["item"][item]["linkId"],
            1 => &mut q["item"][item]["type"],
            2 => &mut q["item"][item]["answerOption"][option]["valueCoding"]["code"],
            3 => &mut q["item"][item]["answerOption"][option]["valueCoding"]["extension"][0]["valueDecimal"],
            4 => &mut q["item"][item]["answerOption"][option]["valueCoding"],
            _ => &mut q["item"][item]["code"],
        };
        *slot = json!(replacement);
        if let Ok(imported) = fhir::import(&q.to_string()) {
            proptest::prop_assert_eq!(instrument::parse("x.toml", &imported.toml).unwrap(), imported.instrument);
        }
    }
}
