//! Expected treatment response: marginal (new client) and conditional (BLUP-updated)
//! predictions with prediction intervals.

use serde::Serialize;

use crate::data::INTAKE_CENTRE;
use crate::error::PredictError;
use crate::fit::FittedModel;
use crate::linalg::{self, Vec4};
use crate::normal::normal_quantile;

/// Expected score at one session with a prediction interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PredictedScore {
    pub session: u32,
    pub expected: f64,
    /// Standard deviation of a new observation around `expected`.
    pub sd: f64,
    pub lower: f64,
    pub upper: f64,
}

fn design_row(intake: f64, session: u32) -> (Vec4, [f64; 2]) {
    let lt = f64::from(session).ln();
    let ic = intake - INTAKE_CENTRE;
    ([1.0, lt, ic, ic * lt], [1.0, lt])
}

impl FittedModel {
    /// Expected course of a new client with this intake, sessions `1..=sessions`:
    /// mean `x'beta`, variance `x'Var(beta)x + z'Gz + sigma^2` (plus the therapist
    /// variance when the model has a therapist level, the therapist being unknown).
    pub fn expected_course(&self, intake: f64, sessions: u32, level: f64) -> Result<Vec<PredictedScore>, PredictError> {
        self.conditional_course(intake, None, &[], sessions, level)
    }

    /// Course of a client given the `(session, score)` pairs observed so far: the client
    /// effects are updated to their conditional (BLUP) distribution given those scores,
    /// with the fixed effects and variance components held at their estimates.
    /// With a known `therapist` (therapist-level model) its conditional mode shifts the
    /// prior of the client intercept. The variance adds `x'Var(beta)x`, ignoring the small
    /// covariance between the estimated fixed effects and the client's BLUP.
    pub fn conditional_course(
        &self,
        intake: f64,
        therapist: Option<&str>,
        observed: &[(u32, f64)],
        sessions: u32,
        level: f64,
    ) -> Result<Vec<PredictedScore>, PredictError> {
        if !(level > 0.0 && level < 1.0) {
            return Err(PredictError::Level(level));
        }
        if !intake.is_finite() {
            return Err(PredictError::Intake(intake));
        }
        if sessions < 1 {
            return Err(PredictError::Session);
        }
        validate_observed(observed)?;
        let (prior_mean, prior_var) = self.intercept_prior(therapist)?;
        let posterior = self.client_posterior(intake, observed, prior_mean, prior_var);
        let z_crit = normal_quantile(0.5 + level / 2.0);
        Ok((1..=sessions)
            .map(|session| {
                let (x, z) = design_row(intake, session);
                let expected = linalg::dot(&x, &self.beta) + z[0] * posterior.mean[0] + z[1] * posterior.mean[1];
                let c = posterior.cov;
                let var_b = z[0] * z[0] * c[0] + 2.0 * z[0] * z[1] * c[1] + z[1] * z[1] * c[2];
                let var = linalg::quad_form(&self.vcov_beta, &x) + var_b.max(0.0) + self.sigma2;
                let sd = var.sqrt();
                PredictedScore { session, expected, sd, lower: expected - z_crit * sd, upper: expected + z_crit * sd }
            })
            .collect())
    }

    /// Prior mean shift and extra variance of the client intercept from the therapist.
    fn intercept_prior(&self, therapist: Option<&str>) -> Result<(f64, f64), PredictError> {
        if self.therapist_effects.is_empty() {
            return Ok((0.0, 0.0));
        }
        match therapist {
            None => Ok((0.0, self.therapist_var)),
            Some(id) => {
                self.therapist_effects.get(id).copied().ok_or_else(|| PredictError::UnknownTherapist(id.to_owned()))
            }
        }
    }

    /// Conditional distribution of the client's (intercept, slope) deviation.
    fn client_posterior(&self, intake: f64, observed: &[(u32, f64)], shift: f64, extra: f64) -> Posterior {
        let g = self.client_cov;
        let prior = [g[0] + extra, g[1], g[2]];
        // b = m + L v with L L' = prior, v ~ N(0, I); works for singular priors too.
        let l = linalg::cholesky2_semidefinite(prior[0], prior[1], prior[2]);
        let mut w = [0.0; 3];
        let mut ztr = [0.0; 2];
        for &(session, score) in observed {
            let (x, z) = design_row(intake, session);
            let r = score - linalg::dot(&x, &self.beta) - shift;
            w[0] += z[0] * z[0];
            w[1] += z[0] * z[1];
            w[2] += z[1] * z[1];
            ztr[0] += z[0] * r;
            ztr[1] += z[1] * r;
        }
        // M = sigma^2 I + L'WL; v|y ~ N(M^{-1} L'Z'r, sigma^2 M^{-1}).
        let (l00, l10, l11) = (l[0], l[1], l[2]);
        let wl = [[w[0] * l00 + w[1] * l10, w[1] * l11], [w[1] * l00 + w[2] * l10, w[2] * l11]];
        let m00 = l00 * wl[0][0] + l10 * wl[1][0] + self.sigma2;
        let m01 = l00 * wl[0][1] + l10 * wl[1][1];
        let m11 = l11 * wl[1][1] + self.sigma2;
        let det = m00 * m11 - m01 * m01;
        let inv = [m11 / det, -m01 / det, m00 / det];
        let ltr = [l00 * ztr[0] + l10 * ztr[1], l11 * ztr[1]];
        let v = [inv[0] * ltr[0] + inv[1] * ltr[1], inv[1] * ltr[0] + inv[2] * ltr[1]];
        let mean = [shift + l00 * v[0], l10 * v[0] + l11 * v[1]];
        // Cov(b|y) = sigma^2 L M^{-1} L'.
        let s = self.sigma2;
        let c00 = s * l00 * l00 * inv[0];
        let c01 = s * l00 * (l10 * inv[0] + l11 * inv[1]);
        let c11 = s * (l10 * l10 * inv[0] + 2.0 * l10 * l11 * inv[1] + l11 * l11 * inv[2]);
        Posterior { mean, cov: [c00, c01, c11] }
    }
}

struct Posterior {
    mean: [f64; 2],
    cov: [f64; 3],
}

fn validate_observed(observed: &[(u32, f64)]) -> Result<(), PredictError> {
    let mut previous = 0;
    for (index, &(session, score)) in observed.iter().enumerate() {
        if session < 1 {
            return Err(PredictError::Session);
        }
        if session <= previous {
            return Err(PredictError::UnsortedSessions { index });
        }
        if !score.is_finite() {
            return Err(PredictError::Score { index });
        }
        previous = session;
    }
    Ok(())
}
