//! Estimates from data simulated with known parameters land near the truth.
//! Tolerances are about four sampling standard errors for the sizes used.

use alliance_lmm::{Criterion, FitOptions, LmmResult, ModelSpec, Observation, Practice, RandomEffects, fit};

use crate::simulate::{Row, Truth, simulate};

pub fn practice_from(truth: &Truth, seed: u64, keep: impl Fn(&Row) -> bool) -> Practice {
    let mut rows = Vec::new();
    simulate(truth, seed, |r| {
        if keep(&r) {
            rows.push(r);
        }
    });
    let ids: Vec<(String, String)> =
        rows.iter().map(|r| (format!("c{}", r.client), format!("t{}", r.therapist))).collect();
    Practice::from_observations(rows.iter().zip(&ids).map(|(r, (c, t))| Observation {
        client: c,
        therapist: t,
        session: r.session,
        intake: r.intake,
        score: r.score,
    }))
    .unwrap()
}

fn sd(r: &LmmResult, grp: &str, var1: Option<&str>) -> f64 {
    r.varcorr_entry(grp, var1, None).unwrap().sdcor
}

fn corr(r: &LmmResult) -> f64 {
    r.varcorr_entry("client", Some("(Intercept)"), Some("log_session")).unwrap().sdcor
}

fn near(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: estimate {got}, truth {want}, tol {tol}");
}

fn check_growth(r: &LmmResult, truth: &Truth, scale: f64) {
    let b = r.fixed.to_array();
    let tol = [0.2, 0.12, 0.05, 0.03].map(|t| t * scale);
    for i in 0..4 {
        near(&format!("beta[{i}]"), b[i], truth.beta[i], tol[i]);
    }
    near("sd intercept", sd(r, "client", Some("(Intercept)")), truth.sd_intercept, 0.15 * scale);
    near("sd slope", sd(r, "client", Some("log_session")), truth.sd_slope, 0.12 * scale);
    near("corr", corr(r), truth.corr, 0.08 * scale);
    near("sigma", r.sigma, truth.sigma, 0.04 * scale);
}

#[test]
fn reml_recovers_the_growth_model() {
    let truth = Truth::etr(5000, 50);
    let p = practice_from(&truth, 42, |_| true);
    let model = fit(&p, &ModelSpec::GROWTH_REML, &FitOptions::default()).unwrap();
    assert!(model.result.converged);
    check_growth(&model.result, &truth, 1.0);
}

#[test]
fn reml_recovers_the_therapist_variance() {
    let mut truth = Truth::etr(4000, 80);
    truth.sd_therapist = 0.8;
    let p = practice_from(&truth, 7, |_| true);
    let spec = ModelSpec { therapist_level: true, ..ModelSpec::GROWTH_REML };
    let model = fit(&p, &spec, &FitOptions::default()).unwrap();
    let r = &model.result;
    assert!(r.converged);
    near("sd therapist", sd(r, "therapist", Some("(Intercept)")), 0.8, 0.25);
    // The intercept also carries the mean of 80 therapist effects (SD 0.8 / sqrt(80)).
    near("beta[0]", r.fixed.intercept, truth.beta[0], 0.4);
    near("sd intercept", sd(r, "client", Some("(Intercept)")), truth.sd_intercept, 0.15);
    near("sigma", r.sigma, truth.sigma, 0.04);
}

/// Randomised: several seeds, parameters and both criteria; each fit lands near its truth.
#[test]
fn randomised_truths_are_recovered() {
    let mut rng = crate::simulate::Rng::new(2024);
    for seed in 0..4 {
        let mut truth = Truth::etr(3000, 30);
        truth.beta = [10.0 + 10.0 * rng.uniform(), -2.0 * rng.uniform(), 0.5 + rng.uniform(), -0.3 * rng.uniform()];
        truth.sd_intercept = 1.5 + 2.0 * rng.uniform();
        truth.sd_slope = 0.8 + 1.2 * rng.uniform();
        truth.corr = -0.6 + 1.2 * rng.uniform();
        truth.sigma = 1.5 + 1.5 * rng.uniform();
        let p = practice_from(&truth, 100 + seed, |_| true);
        for criterion in [Criterion::Reml, Criterion::Ml] {
            let spec = ModelSpec { random: RandomEffects::InterceptAndSlope, therapist_level: false, criterion };
            let model = fit(&p, &spec, &FitOptions::default()).unwrap();
            assert!(model.result.converged, "seed {seed} {criterion:?}");
            check_growth(&model.result, &truth, 1.5);
        }
    }
}

/// Large enough for the multi-threaded deviance path; the truth is recovered tightly and
/// one or two threads give the same fit.
#[test]
fn large_practice_threaded_fit_recovers_the_truth() {
    let mut truth = Truth::etr(25_000, 500);
    truth.sd_therapist = 0.5;
    let p = practice_from(&truth, 99, |_| true);
    for therapist_level in [false, true] {
        let spec = ModelSpec { therapist_level, ..ModelSpec::GROWTH_REML };
        let one = FitOptions { threads: 1, ..FitOptions::default() };
        let two = FitOptions { threads: 2, ..one };
        let a = fit(&p, &spec, &one).unwrap().result;
        let b = fit(&p, &spec, &two).unwrap().result;
        assert!(a.converged && b.converged);
        let (da, db) = (a.deviance_or_reml, b.deviance_or_reml);
        assert!((da - db).abs() < 1e-9 * da.abs(), "{da} vs {db}");
        check_growth(&b, &truth, 0.5);
        if therapist_level {
            near("sd therapist", sd(&b, "therapist", Some("(Intercept)")), 0.5, 0.08);
        }
    }
}
