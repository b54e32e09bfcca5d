//! Degenerate data give a clear error or a reported fallback, never NaN or a panic.

use alliance_lmm::{
    Criterion, Fallback, FitError, FitOptions, LmmResult, ModelSpec, Observation, Practice, RandomEffects, fit,
    read_practice_csv,
};
use serde_json::Value;

use crate::simulate::{Truth, simulate, simulate_csv};

/// Builds a practice from `(client, therapist, session, intake, score)` tuples.
fn practice(rows: &[(&str, &str, u32, f64, f64)]) -> Practice {
    Practice::from_observations(rows.iter().map(|&(client, therapist, session, intake, score)| Observation {
        client,
        therapist,
        session,
        intake,
        score,
    }))
    .unwrap()
}

fn assert_all_finite(r: &LmmResult) {
    let json = serde_json::to_value(r).unwrap();
    fn walk(v: &Value) {
        match v {
            Value::Number(n) => assert!(n.as_f64().unwrap().is_finite()),
            Value::Null => {}
            Value::Array(a) => a.iter().for_each(walk),
            Value::Object(o) => o.values().for_each(walk),
            _ => {}
        }
    }
    walk(&json);
    // serde_json writes NaN/inf as null: there must be none outside var1/var2.
    for key in ["sigma", "deviance_or_reml", "loglik"] {
        assert!(json[key].is_number(), "{key} is {}", json[key]);
    }
    for e in json["varcorr"].as_array().unwrap() {
        assert!(e["vcov"].is_number() && e["sdcor"].is_number());
    }
}

fn growth() -> ModelSpec {
    ModelSpec::GROWTH_REML
}

#[test]
fn a_single_client_is_rejected() {
    let p = practice(&[("a", "t", 1, 15.0, 3.0), ("a", "t", 2, 15.0, 4.0), ("a", "t", 3, 15.0, 2.0)]);
    assert_eq!(fit(&p, &growth(), &FitOptions::default()).unwrap_err(), FitError::TooFewClients { clients: 1 });
}

#[test]
fn one_session_per_client_is_rejected() {
    let p = practice(&[("a", "t", 1, 15.0, 3.0), ("b", "t", 1, 12.0, 4.0), ("c", "t", 2, 18.0, 7.0)]);
    assert_eq!(
        fit(&p, &growth(), &FitOptions::default()).unwrap_err(),
        FitError::NoRepeatedSessions { n_obs: 3, clients: 3 }
    );
}

#[test]
fn constant_scores_are_rejected() {
    let mut csv = String::from("client,therapist,session,intake,score\n");
    for c in 0..20 {
        for s in 1..=4 {
            csv.push_str(&format!("{c},1,{s},{},7\n", 10 + c));
        }
    }
    let p = read_practice_csv(csv.as_bytes()).unwrap();
    assert_eq!(fit(&p, &growth(), &FitOptions::default()).unwrap_err(), FitError::ConstantScores { value: 7.0 });
}

#[test]
fn identical_intakes_make_the_design_rank_deficient() {
    let mut truth = Truth::etr(50, 2);
    truth.sd_intercept = 2.0;
    let csv = simulate_csv(&truth, 5);
    // Overwrite every intake with 12 (column 4).
    let same: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                let mut f: Vec<&str> = l.split(',').collect();
                f[3] = "12";
                format!("{}\n", f.join(","))
            }
        })
        .collect();
    let p = read_practice_csv(same.as_bytes()).unwrap();
    let e = fit(&p, &growth(), &FitOptions::default()).unwrap_err();
    assert!(matches!(e, FitError::RankDeficient { term: "intake_c", .. }), "{e}");
}

#[test]
fn two_sessions_per_client_drop_the_random_slope() {
    let mut truth = Truth::etr(300, 10);
    truth.min_sessions = 2;
    truth.max_sessions = 2;
    let p = read_practice_csv(simulate_csv(&truth, 11).as_bytes()).unwrap();
    let model = fit(&p, &growth(), &FitOptions::default()).unwrap();
    let r = &model.result;
    assert!(matches!(r.fallbacks[..], [Fallback::RandomSlopeDropped { .. }]));
    assert_eq!(r.formula, "score ~ log_session * intake_c + (1 | client)");
    assert_eq!(r.varcorr.len(), 2);
    assert!(r.converged);
    assert_all_finite(r);
    // The intercept-only truth-implied variance is large; just check plausibility.
    assert!((r.sigma - truth.sigma).abs() < 0.6, "sigma {}", r.sigma);
}

/// With every client under one therapist the therapist level is dropped, and the fit is
/// then exactly lme4's growth model on the fixture data.
#[test]
fn a_single_therapist_drops_the_therapist_level() {
    let csv = include_str!("fixtures/etr_practice.csv");
    let one_therapist: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                let mut f: Vec<&str> = l.split(',').collect();
                f[1] = "1";
                format!("{}\n", f.join(","))
            }
        })
        .collect();
    let p = read_practice_csv(one_therapist.as_bytes()).unwrap();
    let spec = ModelSpec { therapist_level: true, ..growth() };
    let model = fit(&p, &spec, &FitOptions::default()).unwrap();
    assert!(matches!(model.result.fallbacks[..], [Fallback::TherapistLevelDropped { .. }]));
    let lme4: Value = serde_json::from_str(include_str!("fixtures/etr_practice.lme4.json")).unwrap();
    let want = lme4["models"]["growth_reml"]["deviance_or_reml"].as_f64().unwrap();
    assert!((model.result.deviance_or_reml - want).abs() / want < 1e-8);
}

#[test]
fn an_evaluation_budget_too_small_reports_non_convergence() {
    let p = read_practice_csv(include_str!("fixtures/etr_practice.csv").as_bytes()).unwrap();
    let spec = ModelSpec { therapist_level: true, ..growth() };
    let options = FitOptions { max_evaluations: 50, ..FitOptions::default() };
    let model = fit(&p, &spec, &options).unwrap();
    assert!(!model.result.converged);
    assert_all_finite(&model.result);
    let too_small = FitOptions { max_evaluations: 3, ..FitOptions::default() };
    assert!(matches!(fit(&p, &spec, &too_small), Err(FitError::InvalidOption(_))));
}

#[test]
fn scores_fitted_exactly_by_each_clients_line_are_rejected() {
    // Every client's scores lie exactly on its own line in log(session): sigma -> 0.
    let mut rows = Vec::new();
    let ids: Vec<String> = (0..30).map(|c| c.to_string()).collect();
    for (c, id) in ids.iter().enumerate() {
        for s in 1..=5u32 {
            let score = 10.0 + c as f64 * 0.37 - (0.5 + 0.1 * (c % 7) as f64) * f64::from(s).ln();
            rows.push((id.as_str(), "t", s, 10.0 + (c % 9) as f64, score));
        }
    }
    let p = practice(&rows);
    for criterion in [Criterion::Reml, Criterion::Ml] {
        let spec = ModelSpec { criterion, ..growth() };
        assert_eq!(fit(&p, &spec, &FitOptions::default()).unwrap_err(), FitError::ZeroResidualVariance);
    }
}

#[test]
fn intercept_only_on_simulated_data_is_finite() {
    let mut rows = Vec::new();
    simulate(&Truth::etr(100, 5), 9, |r| rows.push(r));
    let ids: Vec<(String, String)> = rows.iter().map(|r| (r.client.to_string(), r.therapist.to_string())).collect();
    let p = Practice::from_observations(rows.iter().zip(&ids).map(|(r, (c, t))| Observation {
        client: c,
        therapist: t,
        session: r.session,
        intake: r.intake,
        score: r.score,
    }))
    .unwrap();
    let spec = ModelSpec { random: RandomEffects::Intercept, ..growth() };
    let model = fit(&p, &spec, &FitOptions::default()).unwrap();
    assert_all_finite(&model.result);
    assert!(model.result.fallbacks.is_empty());
}
