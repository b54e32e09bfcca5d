//! Model specification, identifiability checks and the fit itself.

use std::collections::HashMap;

use crate::data::Practice;
use crate::deviance::{self, Design, Form, Lambda, Sums};
use crate::error::FitError;
use crate::linalg::{self, Mat4, P, Vec4};
use crate::optim;
use crate::result::{Fallback, FixedEffects, LmmResult, VarCorrEntry};

/// Random effects per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandomEffects {
    /// `(1 | client)`
    Intercept,
    /// `(log_session | client)`: intercept and slope with an unstructured 2x2 covariance.
    InterceptAndSlope,
}

/// Estimation criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    Reml,
    Ml,
}

/// Which model to fit. The fixed part is always `log_session * intake_c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    pub random: RandomEffects,
    /// Adds `(1 | therapist)` (clients nested in therapists).
    pub therapist_level: bool,
    pub criterion: Criterion,
}

impl ModelSpec {
    /// The ETR model (docs/SCIENCE.md#expected-treatment-response), by REML.
    pub const GROWTH_REML: ModelSpec =
        ModelSpec { random: RandomEffects::InterceptAndSlope, therapist_level: false, criterion: Criterion::Reml };

    /// lme4's formula for this model.
    pub fn formula(&self) -> String {
        let client = match self.random {
            RandomEffects::Intercept => "(1 | client)",
            RandomEffects::InterceptAndSlope => "(log_session | client)",
        };
        let therapist = if self.therapist_level { "(1 | therapist) + " } else { "" };
        format!("score ~ log_session * intake_c + {therapist}{client}")
    }
}

/// Tuning of the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitOptions {
    /// Worker threads for deviance evaluations (used above 20,000 clients).
    pub threads: usize,
    /// Upper limit on deviance evaluations.
    pub max_evaluations: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            max_evaluations: 5_000,
        }
    }
}

/// A fitted model: the summary plus what predictions need.
#[derive(Debug, Clone)]
pub struct FittedModel {
    pub result: LmmResult,
    /// Fixed effects on the score scale.
    pub(crate) beta: Vec4,
    pub(crate) vcov_beta: Mat4,
    pub(crate) sigma2: f64,
    /// Client covariance (intercept var, covariance, slope var).
    pub(crate) client_cov: [f64; 3],
    pub(crate) therapist_var: f64,
    /// Therapist conditional modes and conditional variances.
    pub(crate) therapist_effects: HashMap<String, (f64, f64)>,
}

/// lme4's `isSingular` tolerance on the bounded theta elements.
const SINGULAR_TOL: f64 = 1e-4;

/// Fits the model by (RE)ML. Not identifiable parts are dropped and reported in
/// `result.fallbacks`; data that cannot support any fit give a [`FitError`].
pub fn fit(practice: &Practice, spec: &ModelSpec, options: &FitOptions) -> Result<FittedModel, FitError> {
    if options.max_evaluations < 50 {
        return Err(FitError::InvalidOption("max_evaluations must be at least 50"));
    }
    check_data(practice)?;
    let design = Design::new(practice, options.threads.max(1));
    check_rank(&design.xtx)?;
    let (form, fallbacks, effective) = identifiable_form(practice, spec);
    let optim_options = optim::Options { max_evaluations: options.max_evaluations, simplex_ftol: 1e-8, xtol: 1e-9 };
    let outcome = optimise(&design, form, &optim_options);
    let profile =
        deviance::profile(&design, form, &outcome.x).ok_or(FitError::Numerical("deviance undefined at the optimum"))?;
    let total_ss = design.yty - design.xty[0] * design.xty[0] / design.n_obs;
    if profile.sigma2.is_nan() || profile.sigma2 <= 1e-12 * total_ss / design.n_obs {
        return Err(FitError::ZeroResidualVariance);
    }
    let lam = form.lambda(&outcome.x);
    let sigma2 = profile.sigma2;
    let inv = linalg::inverse(&profile.rx);
    let vcov_beta: Mat4 = std::array::from_fn(|i| std::array::from_fn(|j| sigma2 * inv[i][j]));
    let mut beta = profile.beta;
    beta[0] += practice.score_shift;
    let se: Vec4 = std::array::from_fn(|i| vcov_beta[i][i].sqrt());
    let bounded: Vec<f64> =
        outcome.x.iter().zip(form.lower_bounds()).filter(|(_, lo)| *lo == 0.0).map(|(t, _)| *t).collect();
    let singular = bounded.iter().any(|&t| t < SINGULAR_TOL);
    let client_cov = [sigma2 * lam.a * lam.a, sigma2 * lam.a * lam.b, sigma2 * (lam.b * lam.b + lam.c * lam.c)];
    let therapist_var = sigma2 * lam.tau * lam.tau;
    let result = LmmResult {
        formula: effective.formula(),
        reml: form.reml,
        fixed: FixedEffects::from_array(beta),
        se: FixedEffects::from_array(se),
        varcorr: varcorr(form, client_cov, therapist_var, sigma2),
        sigma: sigma2.sqrt(),
        deviance_or_reml: profile.deviance,
        loglik: -0.5 * profile.deviance,
        n_obs: practice.n_obs,
        n_clients: practice.clients.len(),
        n_therapists: practice.therapists.len(),
        theta: outcome.x.clone(),
        iterations: outcome.evaluations,
        converged: outcome.converged,
        singular,
        fallbacks,
    };
    let therapist_effects =
        if form.therapist { therapist_effects(practice, &design, &lam, &profile.beta, sigma2) } else { HashMap::new() };
    let model = FittedModel { result, beta, vcov_beta, sigma2, client_cov, therapist_var, therapist_effects };
    if all_finite(&model) { Ok(model) } else { Err(FitError::Numerical("non-finite estimate")) }
}

/// Minimises the profiled deviance from lme4's start. If the client intercept SD ends on
/// its bound, the deviance there depends on the slope factor only through `b^2 + c^2`, so
/// `(0, b, c)` and `(0, -b, c)` are equivalent points but lead into different basins once
/// the intercept SD moves off zero; the mirrored start is tried as well and the better fit
/// kept (lme4's BOBYQA can land in either).
fn optimise(design: &Design, form: Form, options: &optim::Options) -> optim::Outcome {
    let lower = form.lower_bounds();
    let run = |start: &[f64]| optim::minimize(|theta| deviance::deviance(design, form, theta), start, &lower, options);
    let first = run(&form.start());
    let (a, b, c) = (first.x[0], first.x.get(1).copied().unwrap_or(0.0), first.x.get(2).copied().unwrap_or(0.0));
    if !form.slope || a >= SINGULAR_TOL {
        return first;
    }
    let mut mirrored = first.x.clone();
    mirrored[0] = (0.1 * b.hypot(c)).max(1e-3);
    mirrored[1] = -b;
    let second = run(&mirrored);
    let evaluations = first.evaluations + second.evaluations;
    let best = if second.f < first.f { second } else { first };
    optim::Outcome { evaluations, ..best }
}

fn check_data(practice: &Practice) -> Result<(), FitError> {
    let clients = practice.clients.len();
    if clients < 2 {
        return Err(FitError::TooFewClients { clients });
    }
    if practice.all_scores_equal {
        return Err(FitError::ConstantScores { value: practice.score_shift });
    }
    if practice.n_obs <= clients {
        return Err(FitError::NoRepeatedSessions { n_obs: practice.n_obs, clients });
    }
    Ok(())
}

/// Checks that X has full column rank (on the correlation scale, as lme4 does by QR).
fn check_rank(xtx: &Mat4) -> Result<(), FitError> {
    let scale: Vec4 = std::array::from_fn(|i| xtx[i][i].sqrt());
    let scaled: Mat4 = std::array::from_fn(|i| {
        std::array::from_fn(|j| if scale[i] > 0.0 && scale[j] > 0.0 { xtx[i][j] / (scale[i] * scale[j]) } else { 0.0 })
    });
    match linalg::cholesky(&scaled, 1e-10) {
        Ok(_) => Ok(()),
        Err(k) => Err(FitError::RankDeficient {
            term: FixedEffects::TERMS[k.min(P - 1)],
            reason: match k {
                0 => "no observations",
                1 => "every session is session 1",
                2 => "all clients have the same intake",
                _ => "intake and session pattern are confounded",
            },
        }),
    }
}

/// Drops random terms that the data cannot identify (lme4 would stop with an error).
fn identifiable_form(practice: &Practice, spec: &ModelSpec) -> (Form, Vec<Fallback>, ModelSpec) {
    let mut effective = *spec;
    let mut fallbacks = Vec::new();
    let clients = practice.clients.len();
    let n_obs = practice.n_obs;
    if effective.therapist_level && practice.therapists.len() < 2 {
        effective.therapist_level = false;
        fallbacks.push(Fallback::TherapistLevelDropped {
            reason: format!("{} therapist(s): need at least 2", practice.therapists.len()),
        });
    }
    let therapists = if effective.therapist_level { practice.therapists.len() } else { 0 };
    if effective.random == RandomEffects::InterceptAndSlope && n_obs <= 2 * clients + therapists {
        effective.random = RandomEffects::Intercept;
        fallbacks.push(Fallback::RandomSlopeDropped {
            reason: format!(
                "{n_obs} observations <= {} random effects (2 per client{})",
                2 * clients + therapists,
                if therapists > 0 { " + therapists" } else { "" }
            ),
        });
    }
    if effective.therapist_level && n_obs <= clients + therapists {
        effective.therapist_level = false;
        fallbacks.push(Fallback::TherapistLevelDropped {
            reason: format!("{n_obs} observations <= {} random effects", clients + therapists),
        });
    }
    let form = Form {
        slope: effective.random == RandomEffects::InterceptAndSlope,
        therapist: effective.therapist_level,
        reml: effective.criterion == Criterion::Reml,
    };
    (form, fallbacks, effective)
}

/// Rows as in R's `as.data.frame(VarCorr(m))`: client terms (more levels) first.
fn varcorr(form: Form, client_cov: [f64; 3], therapist_var: f64, sigma2: f64) -> Vec<VarCorrEntry> {
    let entry = |grp: &str, var1: Option<&str>, var2: Option<&str>, vcov: f64, sdcor: f64| VarCorrEntry {
        grp: grp.to_owned(),
        var1: var1.map(str::to_owned),
        var2: var2.map(str::to_owned),
        vcov,
        sdcor,
    };
    let mut rows = vec![entry("client", Some("(Intercept)"), None, client_cov[0], client_cov[0].sqrt())];
    if form.slope {
        let sd0 = client_cov[0].sqrt();
        let sd1 = client_cov[2].sqrt();
        // A zero standard deviation leaves the correlation undefined; report 0.
        let corr = if sd0 > 0.0 && sd1 > 0.0 { (client_cov[1] / (sd0 * sd1)).clamp(-1.0, 1.0) } else { 0.0 };
        rows.push(entry("client", Some("log_session"), None, client_cov[2], sd1));
        rows.push(entry("client", Some("(Intercept)"), Some("log_session"), client_cov[1], corr));
    }
    if form.therapist {
        rows.push(entry("therapist", Some("(Intercept)"), None, therapist_var, therapist_var.sqrt()));
    }
    rows.push(entry("Residual", None, None, sigma2, sigma2.sqrt()));
    rows
}

/// Conditional modes and variances of the therapist effects (for predictions).
fn therapist_effects(
    practice: &Practice,
    design: &Design,
    lam: &Lambda,
    beta_shifted: &Vec4,
    sigma2: f64,
) -> HashMap<String, (f64, f64)> {
    let mut scratch = Sums::default();
    practice
        .therapists
        .iter()
        .enumerate()
        .map(|(j, id)| {
            let row = deviance::therapist_row(design, lam, j, &mut scratch);
            let u = (row.h - linalg::dot(&row.g, beta_shifted)) / row.d;
            let mode = lam.tau * u;
            let var = sigma2 * lam.tau * lam.tau / row.d;
            (id.clone(), (mode, var))
        })
        .collect()
}

fn all_finite(model: &FittedModel) -> bool {
    let r = &model.result;
    let numbers = r
        .fixed
        .to_array()
        .into_iter()
        .chain(r.se.to_array())
        .chain(r.varcorr.iter().flat_map(|e| [e.vcov, e.sdcor]))
        .chain([r.sigma, r.deviance_or_reml, r.loglik])
        .chain(r.theta.iter().copied())
        .chain(model.therapist_effects.values().flat_map(|&(m, v)| [m, v]));
    numbers.into_iter().all(f64::is_finite)
}
