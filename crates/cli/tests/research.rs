//! `alliance analyze research` (issue 19): on the research fixture its JSON has the oracle's keys and figures
//! (the numbers themselves are held to R in the core's tests), the outcome figures agree with a count made here
//! from the CSV, the HTML report is self-contained, bad input is refused with the line, and on a practice's
//! database the report covers consenting clients under research ids, audited.

use std::collections::BTreeMap;

use alliance_store::prelude::*;
use serde_json::Value;

use crate::{alliance, path_str, temp_csv};

fn fixture() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/research_practice.csv").to_owned()
}

fn oracle() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/research_practice.oracle.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(what: &str, got: &Value, want: f64) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what}: {got} is not a number"));
    assert!((got - want).abs() <= 1e-4 * want.abs().max(1e-9), "{what}: {got}, expected {want}");
}

#[test]
fn the_json_has_the_oracles_keys_and_figures() {
    let run = alliance(&["analyze", "research", "--input", &fixture(), "--json"]).ok();
    let ours: Value = serde_json::from_str(&run.stdout).unwrap();
    let oracle = oracle();
    for part in ["lagged", "therapist_effects", "reliability"] {
        for (key, want) in oracle[part].as_object().unwrap() {
            assert!(ours[part].get(key).is_some(), "{part}.{key} is missing");
            if let Some(want) = want.as_f64() {
                close(&format!("{part}.{key}"), &ours[part][key], want);
            }
        }
    }
    assert_eq!(ours["clients"], 600);
    assert_eq!(ours["therapists"], 24);
    assert_eq!(ours["sessions"], 5933);
    assert_eq!(ours["min_cell_clients"], 5);
}

/// First and last PHQ-9 of each client, read here from the CSV.
fn first_and_last() -> Vec<(f64, f64)> {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let mut clients: BTreeMap<String, Vec<(u32, f64)>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').map(|s| s.trim_matches('"')).collect();
        clients.entry(f[0].to_owned()).or_default().push((f[2].parse().unwrap(), f[9].parse().unwrap()));
    }
    clients
        .into_values()
        .map(|mut s| {
            s.sort_by_key(|p| p.0);
            (s[0].1, s[s.len() - 1].1)
        })
        .collect()
}

#[test]
fn outcome_figures_agree_with_a_count_made_from_the_csv() {
    let run = alliance(&["analyze", "research", "--input", &fixture()]).ok();
    let ours: Value = serde_json::from_str(&run.stdout).unwrap();
    let outcomes = &ours["outcomes"];
    let pairs = first_and_last();
    let n = pairs.len() as f64;
    // PHQ-9 (docs/SCIENCE.md#reliable-change): reliable at a change of 6 or more, caseness at 10 or more.
    let improved = pairs.iter().filter(|(a, b)| a - b >= 6.0).count();
    let recovered = pairs.iter().filter(|(a, b)| a - b >= 6.0 && *a >= 10.0 && *b < 10.0).count();
    let worse = pairs.iter().filter(|(a, b)| b - a >= 6.0).count();
    assert_eq!(outcomes["clients"], pairs.len());
    assert_eq!(outcomes["reliably_improved"]["clients"], improved);
    assert_eq!(outcomes["recovered"]["clients"], recovered);
    assert_eq!(outcomes["reliably_deteriorated"]["clients"], worse);
    close("improved share", &outcomes["reliably_improved"]["share"], improved as f64 / n);
    let changes: Vec<f64> = pairs.iter().map(|(a, b)| a - b).collect();
    let mean = changes.iter().sum::<f64>() / n;
    close("mean improvement", &outcomes["mean_improvement"], mean);
    let firsts: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let first_mean = firsts.iter().sum::<f64>() / n;
    let sd_first = (firsts.iter().map(|x| (x - first_mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    close("effect size", &outcomes["effect_size"], mean / sd_first);
    let sd = (changes.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    close("lower bound", &outcomes["mean_improvement_ci"][0], mean - 1.959_963_985 * sd / n.sqrt());
    close("completeness", &outcomes["completeness"], 1.0);
    // Every client is in one rupture group or left out as undecided, and each group's mean lies in its interval.
    let groups = ours["ruptures_and_outcome"]["groups"].as_array().unwrap();
    let total: u64 = groups.iter().map(|g| g["clients"].as_u64().unwrap()).sum::<u64>()
        + ours["ruptures_and_outcome"]["undecided_clients"].as_u64().unwrap();
    assert_eq!(total, 600);
    for g in groups.iter().filter(|g| g["suppressed"] == false) {
        let (m, lo, hi) =
            (g["mean_improvement"].as_f64().unwrap(), g["ci"][0].as_f64().unwrap(), g["ci"][1].as_f64().unwrap());
        assert!(lo < m && m < hi, "{g}");
    }
}

#[test]
fn the_html_report_is_self_contained_and_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, words) in [("en", "this practice's data, not a norm"), ("es", "norma"), ("ar", "ليست معياراً")]
    {
        let file = dir.path().join(format!("report-{lang}.html"));
        let run =
            alliance(&["analyze", "research", "--input", &fixture(), "--html", path_str(&file), "--lang", lang]).ok();
        assert!(run.stdout.is_empty(), "--html alone prints no JSON");
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(html.starts_with("<!doctype html>") && html.contains(&format!("lang=\"{lang}\"")));
        assert!(html.to_lowercase().contains(&words.to_lowercase().replace('\'', "&#39;")), "{lang}: {words}");
        for id in ["report-lagged", "report-therapists", "report-reliability", "report-ruptures", "report-outcomes"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{lang}: section {id}");
        }
        assert_eq!(html.matches("<svg").count(), 3, "the alliance model, the caterpillar, ruptures");
        assert_eq!(html.matches("<circle").count(), 2 + 24 + 3, "two parts, 24 therapists, three groups");
        for outside in ["<script", " src=", "<link", "url(", "@import"] {
            assert!(!html.contains(outside), "{lang}: loads or runs something ({outside})");
        }
    }
}

#[test]
fn bad_input_is_refused_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.csv");
    alliance(&["analyze", "research", "--input", path_str(&missing)]).refused().says(&["nothing.csv"]);
    let header = "client,therapist,session,a1,a2,a3,a4,a5,a6,phq9,alliance\n";
    let bad = temp_csv(&format!("{header}1,2,1,3,4,3,4,3,2,15,19\n1,2,2,3,4,3,4,3,2,99,19\n"));
    alliance(&["analyze", "research", "--input", path_str(&bad)]).refused().says(&["line 3", "phq9", "99"]);
    let binary = temp_csv("\u{0}\u{1}\u{2}PK");
    alliance(&["analyze", "research", "--input", path_str(&binary)]).refused().says(&["header"]);
    let run = alliance(&["analyze", "research", "--input", &fixture(), "--lang", "xx"]);
    assert!(!run.success && run.stdout.is_empty() && run.stderr.contains("`xx` is not a language"), "{}", run.stderr);
    // Too few rows for any model: the report is still made, saying why each part is missing.
    let tiny = temp_csv(&format!("{header}1,2,1,3,4,3,4,3,2,15,19\n"));
    let run = alliance(&["analyze", "research", "--input", path_str(&tiny)]).ok();
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(json["lagged"]["reason"].as_str().unwrap().contains("at least 2 groups"), "{}", json["lagged"]);
}

#[test]
fn on_a_practice_the_report_covers_consenting_clients_under_research_ids() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::demo_practice(dir.path(), 30);
    let run = alliance(&["analyze", "research", "--data", path_str(&data), "--json"]).ok();
    let json: Value = serde_json::from_str(&run.stdout).unwrap();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (consenting, pseudonyms, events) = runtime.block_on(async {
        let keys = alliance_store::key_file::read(&data.join("keys").join("alliance.keys")).unwrap();
        let store = alliance_store::SqliteStore::open(&data.join("alliance.db"), &keys).await.unwrap();
        let users: Vec<_> = store.users().await.unwrap().into_iter().map(|u| u.id).collect();
        let clients = store.clients_of(&users).await.unwrap();
        let ids: Vec<_> = clients.iter().map(|c| c.id).collect();
        let mut latest = BTreeMap::new();
        for c in store.consents_of(&ids).await.unwrap() {
            latest.insert(c.client, c.research);
        }
        let consenting: Vec<_> = ids.iter().filter(|c| latest.get(c) == Some(&true)).copied().collect();
        let sessions = store.sessions_of(&consenting).await.unwrap();
        let courses: std::collections::BTreeSet<_> =
            sessions.iter().filter(|s| s.attended).map(|s| s.episode).collect();
        let events = store.audit_events(100_000).await.unwrap();
        store.close().await;
        (courses.len(), clients.into_iter().map(|c| c.pseudonym).collect::<Vec<_>>(), events)
    });
    assert!(consenting > 10 && consenting < 30, "about four in five demo clients consent: {consenting}");
    assert_eq!(json["clients"], consenting, "one course per consenting client's episode with a held session");
    assert!(json["reliability"]["alpha"].as_f64().is_some(), "{}", json["reliability"]);
    let text = run.stdout.clone();
    for pseudonym in &pseudonyms {
        assert!(!text.contains(pseudonym.as_str()), "a pseudonym in the report");
    }
    for b in json["therapist_effects"]["blup"].as_array().into_iter().flatten() {
        let id = b["therapist"].as_str().unwrap();
        assert!(id.len() == 17 && id.starts_with('T') && id[1..].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
    assert!(
        events.iter().any(|e| e.action == "batch-read" && e.purpose == "research"),
        "reading the practice's data for research is audited"
    );
}
