//! The research report against R's results on the same fixture (tests/fixtures/research_practice.oracle.json,
//! lme4 1.1.31 and `factanal`; docs/SCIENCE.md#practice-research) and SciPy's F quantiles.

use alliance_core::research::{self, CsvError, ResearchData, f_quantile, read_fixture_csv};
use alliance_signals::change::ChangeCriteria;
use serde_json::Value;

const CSV: &str = include_str!("fixtures/research_practice.csv");
const ORACLE: &str = include_str!("fixtures/research_practice.oracle.json");

fn close(what: &str, got: f64, want: f64) {
    let relative = (got - want).abs() / want.abs().max(1e-12);
    assert!(relative < 1e-4, "{what}: got {got}, R has {want} (relative difference {relative:.2e})");
}

fn fixture_data() -> ResearchData {
    let (sessions, items) = read_fixture_csv(CSV.as_bytes()).unwrap();
    ResearchData {
        sessions,
        item_tables: vec![items],
        outcome_measure: "phq9".to_owned(),
        outcome_criteria: ChangeCriteria::phq9(),
        rupture_prior: None,
        backgrounds: Vec::new(),
        alliance_cutoff: None,
    }
}

fn report_json() -> (Value, Value) {
    let mut stages = Vec::new();
    let report = research::report(&fixture_data(), |s| stages.push(s));
    assert_eq!(stages, research::Stage::ALL, "every stage is announced once, in order");
    (serde_json::to_value(&report).unwrap(), serde_json::from_str(ORACLE).unwrap())
}

#[test]
fn the_lagged_model_reproduces_lme4() {
    let (ours, oracle) = report_json();
    let (ours, oracle) = (&ours["lagged"], &oracle["lagged"]);
    assert_eq!(ours["formula"], oracle["formula"]);
    assert_eq!(ours["n_rows"], oracle["n_rows"]);
    for part in ["fixed", "se"] {
        let terms = oracle[part].as_object().unwrap();
        assert_eq!(terms.len(), 4);
        for (term, want) in terms {
            close(&format!("{part} {term}"), ours[part][term].as_f64().unwrap(), want.as_f64().unwrap());
        }
    }
    for key in ["sd_client", "sigma", "reml"] {
        close(key, ours[key].as_f64().unwrap(), oracle[key].as_f64().unwrap());
    }
    // The interval is the estimate ± 1.959964 standard errors.
    let within = ours["ci"]["alliance_within"].as_array().unwrap();
    let (estimate, se) =
        (oracle["fixed"]["alliance_within"].as_f64().unwrap(), oracle["se"]["alliance_within"].as_f64().unwrap());
    close("lower bound", within[0].as_f64().unwrap(), estimate - 1.959_963_985 * se);
    close("upper bound", within[1].as_f64().unwrap(), estimate + 1.959_963_985 * se);
}

#[test]
fn therapist_effects_reproduce_lme4_with_every_therapists_prediction() {
    let (ours, oracle) = report_json();
    let (ours, oracle) = (&ours["therapist_effects"], &oracle["therapist_effects"]);
    assert_eq!(ours["formula"], oracle["formula"]);
    assert_eq!(ours["n_clients"], oracle["n_clients"]);
    assert_eq!(ours["n_therapists"], oracle["n_therapists"]);
    for (term, want) in oracle["fixed"].as_object().unwrap() {
        close(&format!("fixed {term}"), ours["fixed"][term].as_f64().unwrap(), want.as_f64().unwrap());
    }
    for key in ["var_therapist", "var_residual", "icc"] {
        close(key, ours[key].as_f64().unwrap(), oracle[key].as_f64().unwrap());
    }
    let blups = oracle["blup"].as_array().unwrap();
    assert_eq!(ours["blup"].as_array().unwrap().len(), blups.len(), "every therapist has 25 clients: none suppressed");
    for want in blups {
        let id = want["therapist"].to_string();
        let got = ours["blup"].as_array().unwrap().iter().find(|b| b["therapist"] == id.as_str()).unwrap();
        close(&format!("effect of {id}"), got["effect"].as_f64().unwrap(), want["effect"].as_f64().unwrap());
        close(&format!("cond_sd of {id}"), got["cond_sd"].as_f64().unwrap(), want["cond_sd"].as_f64().unwrap());
    }
    let effects: Vec<f64> = ours["blup"].as_array().unwrap().iter().map(|b| b["effect"].as_f64().unwrap()).collect();
    assert!(effects.windows(2).all(|w| w[0] <= w[1]), "the caterpillar is ordered by effect");
    let icc = oracle["icc"].as_f64().unwrap();
    let ci: Vec<f64> = ours["icc_ci"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(ci[0] > 0.0 && ci[0] < icc && icc < ci[1] && ci[1] < 1.0, "the ICC interval {ci:?} surrounds {icc}");
}

#[test]
fn the_therapist_effects_alone_match_lme4_on_outcome_rows_in_any_order() {
    // What the practice refit gives the model: outcome rows only, no alliance, in no particular order.
    let mut sessions: Vec<_> = fixture_data().sessions.into_iter().filter(|r| r.outcome.is_some()).collect();
    for row in &mut sessions {
        row.alliance = None;
    }
    sessions.reverse();
    let ours = serde_json::to_value(research::therapist_effects(&sessions)).unwrap();
    let oracle: Value = serde_json::from_str(ORACLE).unwrap();
    let oracle = &oracle["therapist_effects"];
    for key in ["var_therapist", "var_residual", "icc"] {
        close(key, ours[key].as_f64().unwrap(), oracle[key].as_f64().unwrap());
    }
    for want in oracle["blup"].as_array().unwrap() {
        let id = want["therapist"].to_string();
        let got = ours["blup"].as_array().unwrap().iter().find(|b| b["therapist"] == id.as_str()).unwrap();
        close(&format!("effect of {id}"), got["effect"].as_f64().unwrap(), want["effect"].as_f64().unwrap());
    }
    // Too few courses: a reason, not a fit.
    let unavailable = research::therapist_effects(&sessions[..3]);
    assert!(unavailable.ready().is_none(), "three rows make no therapist model");
}

#[test]
fn reliability_reproduces_r_and_scipy() {
    let (ours, oracle) = report_json();
    let (ours, oracle) = (&ours["reliability"], &oracle["reliability"]);
    assert_eq!(ours["items"], oracle["items"]);
    assert_eq!(ours["n"], oracle["n"]);
    for key in ["alpha", "omega_total"] {
        close(key, ours[key].as_f64().unwrap(), oracle[key].as_f64().unwrap());
    }
    for key in ["loadings", "uniquenesses"] {
        for (got, want) in ours[key].as_array().unwrap().iter().zip(oracle[key].as_array().unwrap()) {
            close(key, got.as_f64().unwrap(), want.as_f64().unwrap());
        }
    }
    // Feldt's interval with SciPy 1.x: 1 - (1 - alpha) * f.ppf(0.975 / 0.025, 5932, 29660).
    let ci = ours["alpha_ci"].as_array().unwrap();
    close("alpha lower", ci[0].as_f64().unwrap(), 0.881_584_709_261_160_4);
    close("alpha upper", ci[1].as_f64().unwrap(), 0.890_563_418_136_628_2);
}

#[test]
fn f_quantiles_match_scipy() {
    // scipy.stats.f.ppf(p, d1, d2), SciPy 1.x.
    for (p, d1, d2, want) in [
        (0.975, 5932.0, 29660.0, 1.039_940_704_980_113_3),
        (0.025, 5932.0, 29660.0, 0.961_088_347_488_897),
        (0.975, 9.0, 18.0, 2.929_112_493_123_264),
        (0.025, 9.0, 18.0, 0.270_162_139_362_321),
        (0.5, 3.0, 7.0, 0.870_944_253_187_285),
        (0.99, 1.0, 1.0, 4_052.180_695_476_821_7),
    ] {
        let got = f_quantile(p, d1, d2);
        assert!((got - want).abs() / want < 1e-9, "F({d1}, {d2}) quantile {p}: got {got}, SciPy {want}");
    }
}

#[test]
fn planted_effects_are_recovered_with_the_right_sign() {
    let (ours, _) = report_json();
    // The fixture planted better next-session scores (lower PHQ-9) with more alliance, within and between.
    for term in ["alliance_within", "alliance_between"] {
        let ci = ours["lagged"]["ci"][term].as_array().unwrap();
        assert!(ci[1].as_f64().unwrap() < 0.0, "{term}: the interval lies below zero");
    }
    let outcomes = &ours["outcomes"];
    assert_eq!(outcomes["clients"], 600);
    assert!(outcomes["completeness"].as_f64().unwrap() == 1.0, "every fixture session has a check");
    let groups = ours["ruptures_and_outcome"]["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    let counted: u64 = groups.iter().map(|g| g["clients"].as_u64().unwrap()).sum::<u64>()
        + ours["ruptures_and_outcome"]["undecided_clients"].as_u64().unwrap();
    assert_eq!(counted, 600, "every client with two outcome scores is in one group");
}

#[test]
fn small_cells_are_suppressed() {
    let mut data = fixture_data();
    // Keep 3 clients of therapist 1 and everyone else: therapist 1 falls under the smallest cell.
    let keep: Vec<String> =
        data.sessions.iter().filter(|s| s.therapist == "1").map(|s| s.client.clone()).take(100).collect();
    let mut kept: Vec<String> = keep;
    kept.dedup();
    kept.truncate(3);
    data.sessions.retain(|s| s.therapist != "1" || kept.contains(&s.client));
    let report = research::report(&data, |_| {});
    let effects = report.therapist_effects.ready().unwrap();
    assert_eq!(effects.suppressed_therapists, 1);
    assert!(effects.blup.iter().all(|b| b.therapist != "1" && b.clients >= 5));
}

#[test]
fn a_hostile_csv_gets_a_clear_error_naming_line_and_column() {
    let header = "client,therapist,session,a1,a2,a3,a4,a5,a6,phq9,alliance\n";
    let cases: [(&str, &str); 8] = [
        ("", "empty"),
        ("client,session\n1,1\n", "header"),
        (&*format!("{header}1,2,1,3,4,3,4,3,2,15\n"), "line 2: 10 fields"),
        (&*format!("{header}1,2,x,3,4,3,4,3,2,15,19\n"), "line 2, column `session`"),
        (&*format!("{header}1,2,1,3,4,9,4,3,2,15,19\n"), "line 2, column `a3`"),
        (&*format!("{header}1,2,1,3,4,3,4,3,2,NaN,19\n"), "line 2, column `phq9`"),
        (
            &*format!("{header}1,2,1,3,4,3,4,3,2,15,19\n1,2,1,3,4,3,4,3,2,15,19\n"),
            "line 3: client `1` has session 1 twice",
        ),
        (&*format!("{header}1,2,1,3,4,3,4,3,2,15,19\n1,3,2,3,4,3,4,3,2,15,19\n"), "line 3, column `therapist`"),
    ];
    for (input, expected) in cases {
        let error = read_fixture_csv(input.as_bytes()).unwrap_err().to_string();
        assert!(error.contains(expected), "{input:?}: `{error}` should mention `{expected}`");
    }
    let long = format!("{header}{}\n", "9".repeat(10_000));
    assert!(matches!(read_fixture_csv(long.as_bytes()), Err(CsvError::LineTooLong { line: 2 })));
    let binary = [header.as_bytes(), &[0xff, 0xfe, 0x00, 0x01, b'\n']].concat();
    assert!(read_fixture_csv(&binary[..]).is_err(), "binary input is refused");
}
