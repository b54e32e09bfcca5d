//! Expected-course and conditional predictions: means from lme4's estimates, interval
//! coverage from simulation truth.

use alliance_lmm::{FitOptions, ModelSpec, PredictError, fit, read_practice_csv};
use serde_json::Value;

use crate::simulate::{Row, Truth, simulate};
use crate::simulation::practice_from;

#[test]
fn new_client_course_uses_lme4_fixed_effects_and_variances() {
    let p = read_practice_csv(include_str!("fixtures/etr_practice.csv").as_bytes()).unwrap();
    let model = fit(&p, &ModelSpec::GROWTH_REML, &FitOptions::default()).unwrap();
    let lme4: Value = serde_json::from_str(include_str!("fixtures/etr_practice.lme4.json")).unwrap();
    let m = &lme4["models"]["growth_reml"];
    let b: Vec<f64> = ["(Intercept)", "log_session", "intake_c", "log_session:intake_c"]
        .iter()
        .map(|t| m["fixed"][t].as_f64().unwrap())
        .collect();
    let se: Vec<f64> = ["(Intercept)", "log_session", "intake_c", "log_session:intake_c"]
        .iter()
        .map(|t| m["se"][t].as_f64().unwrap())
        .collect();
    let vc = m["varcorr"].as_array().unwrap();
    let (v0, v1, c01, s2) = (
        vc[0]["vcov"].as_f64().unwrap(),
        vc[1]["vcov"].as_f64().unwrap(),
        vc[2]["vcov"].as_f64().unwrap(),
        vc[3]["vcov"].as_f64().unwrap(),
    );
    let intake = 21.0;
    let course = model.expected_course(intake, 20, 0.9).unwrap();
    assert_eq!(course.len(), 20);
    for p in &course {
        let lt = f64::from(p.session).ln();
        let ic = intake - 15.0;
        let x = [1.0, lt, ic, ic * lt];
        let mean: f64 = x.iter().zip(&b).map(|(x, b)| x * b).sum();
        assert!((p.expected - mean).abs() < 1e-4 * mean.abs(), "session {}", p.session);
        // x'Var(beta)x lies between 0 and (sum |x_i| se_i)^2 (Cauchy-Schwarz).
        let random = v0 + 2.0 * lt * c01 + lt * lt * v1 + s2;
        let bound: f64 = x.iter().zip(&se).map(|(x, s)| x.abs() * s).sum();
        assert!(p.sd * p.sd >= random * (1.0 - 1e-4));
        assert!(p.sd * p.sd <= (random + bound * bound) * (1.0 + 1e-4));
        let half = 1.644_853_626_951_472_2 * p.sd; // qnorm(0.95)
        assert!((p.upper - p.expected - half).abs() < 1e-9);
        assert!((p.expected - p.lower - half).abs() < 1e-9);
    }
}

/// Fits on the first `fitted` clients; returns the model and the held-out clients' rows.
fn held_out(truth: &Truth, fitted: usize, seed: u64) -> (alliance_lmm::FittedModel, Vec<Vec<Row>>) {
    let p = practice_from(truth, seed, |r| r.client < fitted);
    let spec = ModelSpec { therapist_level: truth.sd_therapist > 0.0, ..ModelSpec::GROWTH_REML };
    let model = fit(&p, &spec, &FitOptions::default()).unwrap();
    let mut clients: Vec<Vec<Row>> = Vec::new();
    simulate(truth, seed, |r| {
        if r.client >= fitted {
            if clients.last().is_none_or(|c| c[0].client != r.client) {
                clients.push(Vec::new());
            }
            if let Some(c) = clients.last_mut() {
                c.push(r);
            }
        }
    });
    (model, clients)
}

#[test]
fn new_client_intervals_cover_ninety_percent() {
    let truth = Truth::etr(5000, 50);
    let (model, new_clients) = held_out(&truth, 3000, 17);
    let (mut inside, mut total) = (0usize, 0usize);
    for rows in &new_clients {
        let course = model.expected_course(rows[0].intake, 16, 0.9).unwrap();
        for r in rows {
            let p = course[r.session as usize - 1];
            inside += usize::from(p.lower <= r.score && r.score <= p.upper);
            total += 1;
        }
    }
    let coverage = inside as f64 / total as f64;
    assert!((coverage - 0.9).abs() < 0.02, "coverage {coverage} over {total} scores");
}

#[test]
fn conditional_prediction_tracks_the_client_and_covers() {
    let mut truth = Truth::etr(4000, 40);
    truth.sd_therapist = 0.8;
    truth.min_sessions = 8;
    let (model, new_clients) = held_out(&truth, 3000, 23);
    let (mut inside, mut total) = (0usize, 0usize);
    let (mut se_conditional, mut se_marginal) = (0.0, 0.0);
    for rows in &new_clients {
        let therapist = format!("t{}", rows[0].therapist);
        let observed: Vec<(u32, f64)> = rows[..4].iter().map(|r| (r.session, r.score)).collect();
        let conditional = model.conditional_course(rows[0].intake, Some(&therapist), &observed, 16, 0.9).unwrap();
        let marginal = model.expected_course(rows[0].intake, 16, 0.9).unwrap();
        for r in &rows[4..] {
            let c = conditional[r.session as usize - 1];
            let m = marginal[r.session as usize - 1];
            inside += usize::from(c.lower <= r.score && r.score <= c.upper);
            total += 1;
            se_conditional += (r.score - c.expected).powi(2);
            se_marginal += (r.score - m.expected).powi(2);
            assert!(c.sd < m.sd);
        }
    }
    let coverage = inside as f64 / total as f64;
    assert!((coverage - 0.9).abs() < 0.02, "coverage {coverage} over {total} scores");
    assert!(se_conditional < 0.75 * se_marginal, "{se_conditional} vs {se_marginal}");
}

#[test]
fn conditional_without_observations_is_the_expected_course() {
    let truth = Truth::etr(500, 10);
    let (model, _) = held_out(&truth, 500, 3);
    let a = model.expected_course(12.0, 10, 0.8).unwrap();
    let b = model.conditional_course(12.0, None, &[], 10, 0.8).unwrap();
    assert_eq!(a, b);
}

#[test]
fn prediction_arguments_are_validated() {
    let mut truth = Truth::etr(300, 6);
    truth.sd_therapist = 0.5;
    let (model, _) = held_out(&truth, 300, 5);
    assert_eq!(model.expected_course(12.0, 10, 1.0).unwrap_err(), PredictError::Level(1.0));
    assert_eq!(model.expected_course(f64::NAN, 10, 0.9).unwrap_err().to_string(), "intake must be finite, got NaN");
    assert_eq!(model.expected_course(12.0, 0, 0.9).unwrap_err(), PredictError::Session);
    assert_eq!(
        model.conditional_course(12.0, None, &[(2, 3.0), (2, 4.0)], 10, 0.9).unwrap_err(),
        PredictError::UnsortedSessions { index: 1 }
    );
    assert_eq!(
        model.conditional_course(12.0, None, &[(1, f64::INFINITY)], 10, 0.9).unwrap_err(),
        PredictError::Score { index: 0 }
    );
    assert_eq!(
        model.conditional_course(12.0, Some("nobody"), &[], 10, 0.9).unwrap_err(),
        PredictError::UnknownTherapist("nobody".into())
    );
}
