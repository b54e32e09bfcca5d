//! The fit summary, serialised with the same keys as lme4's fixture objects.

use serde::Serialize;

/// One value per fixed-effect term, keyed by lme4's term names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FixedEffects {
    #[serde(rename = "(Intercept)")]
    pub intercept: f64,
    pub log_session: f64,
    pub intake_c: f64,
    #[serde(rename = "log_session:intake_c")]
    pub log_session_intake_c: f64,
}

impl FixedEffects {
    /// lme4's term names, in model-matrix order.
    pub const TERMS: [&'static str; 4] = ["(Intercept)", "log_session", "intake_c", "log_session:intake_c"];

    pub fn from_array(v: [f64; 4]) -> FixedEffects {
        FixedEffects { intercept: v[0], log_session: v[1], intake_c: v[2], log_session_intake_c: v[3] }
    }

    pub fn to_array(&self) -> [f64; 4] {
        [self.intercept, self.log_session, self.intake_c, self.log_session_intake_c]
    }

    /// The value of a term by its lme4 name.
    pub fn get(&self, term: &str) -> Option<f64> {
        Self::TERMS.iter().position(|t| *t == term).map(|i| self.to_array()[i])
    }
}

/// One row of R's `as.data.frame(VarCorr(m))`: a standard deviation when `var2` is
/// `None`, a correlation otherwise (then `vcov` is the covariance).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VarCorrEntry {
    pub grp: String,
    pub var1: Option<String>,
    pub var2: Option<String>,
    pub vcov: f64,
    pub sdcor: f64,
}

/// A simplification applied because the requested model was not identifiable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The client random slope was dropped (random intercept only).
    RandomSlopeDropped { reason: String },
    /// The therapist random intercept was dropped.
    TherapistLevelDropped { reason: String },
}

/// The fitted model summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmmResult {
    /// The lme4 formula of the model actually fitted.
    pub formula: String,
    pub reml: bool,
    pub fixed: FixedEffects,
    /// Standard errors of the fixed effects.
    pub se: FixedEffects,
    pub varcorr: Vec<VarCorrEntry>,
    /// Residual standard deviation.
    pub sigma: f64,
    /// REML criterion (REML fits) or deviance (ML fits) at the optimum.
    pub deviance_or_reml: f64,
    pub loglik: f64,
    pub n_obs: usize,
    pub n_clients: usize,
    pub n_therapists: usize,
    /// Covariance parameters (lme4's `getME(m, "theta")`).
    pub theta: Vec<f64>,
    /// Number of deviance evaluations.
    pub iterations: usize,
    pub converged: bool,
    /// A variance estimate is on the boundary (zero); its correlations are reported as 0.
    pub singular: bool,
    pub fallbacks: Vec<Fallback>,
}

impl LmmResult {
    /// Looks up a varcorr row, e.g. `("client", "(Intercept)", None)`.
    pub fn varcorr_entry(&self, grp: &str, var1: Option<&str>, var2: Option<&str>) -> Option<&VarCorrEntry> {
        self.varcorr.iter().find(|e| e.grp == grp && e.var1.as_deref() == var1 && e.var2.as_deref() == var2)
    }
}
