//! The two mixed models of the report, fitted with `alliance_lmm`'s random-intercept engine.

use std::collections::BTreeMap;

use alliance_lmm::{Criterion, InterceptBuilder, InterceptFit, InterceptFitError, InterceptInputError, fit_intercept};
use serde::Serialize;

use super::{ClientRows, MIN_CELL_CLIENTS, wald_interval};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Input(#[from] InterceptInputError),
    #[error(transparent)]
    Fit(#[from] InterceptFitError),
}

/// `outcome_next ~ outcome + alliance_within + alliance_between + (1 | client)`, by REML.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaggedModel {
    pub formula: &'static str,
    pub n_rows: usize,
    pub n_clients: usize,
    pub fixed: BTreeMap<String, f64>,
    pub se: BTreeMap<String, f64>,
    /// Wald 95 % intervals.
    pub ci: BTreeMap<String, [f64; 2]>,
    pub sd_client: f64,
    pub sigma: f64,
    pub reml: f64,
    pub singular: bool,
}

pub const LAGGED_FORMULA: &str = "phq9_next ~ phq9 + alliance_within + alliance_between + (1 | client), REML";
pub const THERAPIST_FORMULA: &str = "phq9_last ~ phq9_first + (1 | therapist), REML";

fn terms(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn keyed(fit: &InterceptFit, values: &[f64]) -> BTreeMap<String, f64> {
    fit.terms.iter().cloned().zip(values.iter().copied()).collect()
}

/// Rows are sessions with an alliance rating and an outcome, paired with the client's next outcome score (the
/// next session's when every session is measured, as in the fixture; the next measured one when the outcome
/// measure is asked every other session, as the demo's schedule does); a client's
/// alliance is split into their deviation from their own mean (within) and their mean's deviation from the
/// mean of the client means (between), over the clients that contribute rows (Falkenström et al. 2017).
pub(crate) fn lagged(clients: &[ClientRows<'_>]) -> Result<LaggedModel, ModelError> {
    struct Pending<'a> {
        client: &'a str,
        outcome: f64,
        alliance: f64,
        next: f64,
    }
    let mut pending = Vec::new();
    let mut client_means = BTreeMap::new();
    for client in clients {
        let mut rows_of_client = Vec::new();
        for (i, row) in client.rows.iter().enumerate() {
            let next = client.rows[i + 1..].iter().find_map(|r| r.outcome);
            if let (Some(alliance), Some(outcome), Some(next)) = (row.alliance, row.outcome, next) {
                rows_of_client.push(Pending { client: client.id, outcome, alliance, next });
            }
        }
        if rows_of_client.is_empty() {
            continue;
        }
        let rated: Vec<f64> = client.rows.iter().filter_map(|r| r.alliance).collect();
        client_means.insert(client.id, rated.iter().sum::<f64>() / rated.len() as f64);
        pending.extend(rows_of_client);
    }
    let grand = client_means.values().sum::<f64>() / client_means.len().max(1) as f64;
    let mut builder = InterceptBuilder::new(terms(&["(Intercept)", "phq9", "alliance_within", "alliance_between"]))?;
    for row in &pending {
        let mean = client_means.get(row.client).copied().unwrap_or(grand);
        builder.push(row.client, &[1.0, row.outcome, row.alliance - mean, mean - grand], row.next)?;
    }
    let fit = fit_intercept(&builder, Criterion::Reml)?;
    let ci = fit.terms.iter().enumerate().map(|(i, t)| (t.clone(), wald_interval(fit.fixed[i], fit.se[i]))).collect();
    Ok(LaggedModel {
        formula: LAGGED_FORMULA,
        n_rows: fit.n_obs,
        n_clients: fit.n_groups,
        fixed: keyed(&fit, &fit.fixed),
        se: keyed(&fit, &fit.se),
        ci,
        sd_client: fit.sd_group,
        sigma: fit.sigma,
        reml: fit.criterion,
        singular: fit.singular,
    })
}

/// One therapist's severity-adjusted effect on the final score (negative: lower final scores than expected
/// from intake, which is better on a symptom measure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TherapistEffect {
    pub therapist: String,
    pub effect: f64,
    pub cond_sd: f64,
    /// `effect ± 1.96 cond_sd`.
    pub interval: [f64; 2],
    pub clients: usize,
}

/// `outcome_last ~ outcome_first + (1 | therapist)`, by REML, one row per client.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TherapistEffects {
    pub formula: &'static str,
    pub n_clients: usize,
    pub n_therapists: usize,
    pub fixed: BTreeMap<String, f64>,
    pub se: BTreeMap<String, f64>,
    pub var_therapist: f64,
    pub var_residual: f64,
    pub icc: f64,
    /// Profile-likelihood 95 % interval.
    pub icc_ci: [f64; 2],
    /// Therapists with at least [`MIN_CELL_CLIENTS`] clients, ordered by effect.
    pub blup: Vec<TherapistEffect>,
    /// Therapists left out of `blup` because they have fewer clients.
    pub suppressed_therapists: usize,
}

pub(crate) fn therapist_effects(clients: &[ClientRows<'_>]) -> Result<TherapistEffects, ModelError> {
    let mut builder = InterceptBuilder::new(terms(&["(Intercept)", "phq9_first"]))?;
    for client in clients {
        let mut measured = client.rows.iter().filter_map(|r| r.outcome);
        let first = measured.next();
        let last = measured.next_back();
        if let (Some(first), Some(last)) = (first, last) {
            builder.push(client.therapist, &[1.0, first], last)?;
        }
    }
    let fit = fit_intercept(&builder, Criterion::Reml)?;
    let (icc_low, icc_high) = alliance_lmm::icc_profile_interval(&builder, &fit, 0.95)?;
    let mut blup: Vec<TherapistEffect> = fit
        .groups
        .iter()
        .filter(|g| g.rows >= MIN_CELL_CLIENTS)
        .map(|g| TherapistEffect {
            therapist: g.group.clone(),
            effect: g.effect,
            cond_sd: g.cond_sd,
            interval: wald_interval(g.effect, g.cond_sd),
            clients: g.rows,
        })
        .collect();
    blup.sort_by(|a, b| a.effect.total_cmp(&b.effect));
    Ok(TherapistEffects {
        formula: THERAPIST_FORMULA,
        n_clients: fit.n_obs,
        n_therapists: fit.n_groups,
        fixed: keyed(&fit, &fit.fixed),
        se: keyed(&fit, &fit.se),
        var_therapist: fit.var_group(),
        var_residual: fit.var_residual(),
        icc: fit.icc(),
        icc_ci: [icc_low, icc_high],
        suppressed_therapists: fit.groups.len() - blup.len(),
        blup,
    })
}
