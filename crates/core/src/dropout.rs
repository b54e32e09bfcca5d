//! An early warning of dropout (issue 18): a small, transparent logistic score from what the practice already
//! records (docs/SCIENCE.md#dropout-warning). A weak alliance predicts dropout (Sharf, Primavera & Diener 2010);
//! the score reads the client's alliance trend and level, ruptures not yet repaired, checks skipped at attended
//! sessions and sessions missed, each as of a session and from the sessions up to it only (real time).
//!
//! `probability = sigmoid(intercept + Σ weight_i × feature_i)`, and every term `weight_i × feature_i` is shown
//! as evidence. The default weights were fitted on generated practices (tuning seeds, see [`DropoutWeights`]):
//! they are a **project default, not validated on real clinical data**. A practice can [`refit`] them on its own
//! ended episodes once it has enough of them, with the refit's cross-validated figures shown beside the
//! default's.
//!
//! Nothing here reads a clock or a file.

use alliance_signals::rupture::{Mode, Reporter, RuptureConfig, RuptureReport, SessionScore, detect_ruptures};
use alliance_signals::variability::PracticePrior;
use serde::Serialize;
use thiserror::Error;

use crate::catalog::{Catalog, RELATIONSHIP_CHECK};
use crate::scoring::score;
use crate::simulate::{DropoutModel, PracticeParams, SimClient, practice};

/// Sessions looked back on for missed checks and missed sessions: about a month of weekly sessions.
pub const RECENT_SESSIONS: usize = 4;

/// The fewest recorded sessions before a client is scored: the overview's rule for showing the warning, and
/// the first point at which a trend over earlier checks can exist.
pub const MIN_SESSIONS: usize = 3;

/// The share of clients the default threshold alerts on the tuning practices.
pub const ALERT_RATE: f64 = 0.10;

/// The feature names, in the order of [`DropoutFeatures::values`] and of the weights.
pub const FEATURES: [&str; 5] =
    ["alliance_trend", "alliance_shortfall", "open_ruptures", "missed_checks", "missed_sessions"];

/// One session of an episode, as the store or the generator knows it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SessionHistory {
    pub number: u32,
    pub attended: bool,
    /// The client's relationship-check alliance score (6-30), when they answered it.
    pub alliance: Option<f64>,
    /// The check may still arrive (a recent session): not counted as missed.
    pub check_pending: bool,
    /// The client reported a moment that felt off in this session.
    pub rupture_reported: bool,
    /// ... and said it was talked through (a repair in their account).
    pub rupture_talked_through: bool,
}

/// One episode of care: its sessions in order and, once ended, whether it ended in dropout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeHistory {
    pub sessions: Vec<SessionHistory>,
    pub dropped_out: bool,
}

/// The five features as of one session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DropoutFeatures {
    /// In [`FEATURES`] order: the latest alliance score minus the mean of up to three earlier ones (negative is
    /// falling; 0 with fewer than two scores); the practice's reference level minus the mean of the latest three
    /// scores (positive is weaker than usual; 0 with no score); ruptures detected and not repaired; checks
    /// skipped at attended sessions and sessions missed, each among the last [`RECENT_SESSIONS`].
    pub values: [f64; 5],
}

/// The score's weights and alert threshold.
///
/// The default is a **project default, not validated on real clinical data**: the logistic regression of
/// [`fit_weights`] on 8 generated practices of 250 clients with the alliance-dependent dropout model (seeds
/// 101-108, `docs/SCIENCE.md#dropout-warning`), rounded to two decimals; the threshold is the 90th percentile of
/// the clients' highest scores there (an alert rate of about 10 %), to three decimals. The reference level is the mean relationship
/// check of those practices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DropoutWeights {
    pub intercept: f64,
    /// Per point of alliance trend (negative: a falling alliance raises the score).
    pub alliance_trend: f64,
    /// Per point below the reference level.
    pub alliance_shortfall: f64,
    pub open_ruptures: f64,
    pub missed_checks: f64,
    pub missed_sessions: f64,
    /// The alliance level the shortfall is measured from: the practice's typical relationship-check score.
    pub reference_alliance: f64,
    /// A probability at or above this alerts.
    pub threshold: f64,
}

impl Default for DropoutWeights {
    fn default() -> Self {
        // `tune` on the tuning practices (TUNING_SEEDS); tests/dropout.rs checks that it still gives these. Not
        // validated on real clinical data. The rupture weight is 0: the sign rule of `fit_weights` dropped it (on
        // the generated data, open ruptures added nothing beyond the alliance trend and level they move with).
        DropoutWeights {
            intercept: -2.12,
            alliance_trend: -0.08,
            alliance_shortfall: 0.59,
            open_ruptures: 0.0,
            missed_checks: 0.23,
            missed_sessions: 0.24,
            reference_alliance: 26.7,
            threshold: 0.635,
        }
    }
}

impl DropoutWeights {
    /// The five weights in [`FEATURES`] order.
    pub fn coefficients(&self) -> [f64; 5] {
        [self.alliance_trend, self.alliance_shortfall, self.open_ruptures, self.missed_checks, self.missed_sessions]
    }

    fn with_coefficients(self, intercept: f64, c: [f64; 5]) -> Self {
        DropoutWeights {
            intercept,
            alliance_trend: c[0],
            alliance_shortfall: c[1],
            open_ruptures: c[2],
            missed_checks: c[3],
            missed_sessions: c[4],
            ..self
        }
    }

    /// The probability for these features.
    pub fn probability(&self, features: &DropoutFeatures) -> f64 {
        let linear = self.intercept + self.coefficients().iter().zip(features.values).map(|(w, x)| w * x).sum::<f64>();
        sigmoid(linear)
    }
}

/// One term of the score, shown as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Contribution {
    pub name: &'static str,
    pub value: f64,
    /// `weight × value`, on the log-odds scale.
    pub contribution: f64,
}

/// The warning as of a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropoutWarning {
    pub session: u32,
    pub probability: f64,
    pub intercept: f64,
    pub contributions: Vec<Contribution>,
    /// The probability is at or above the weights' threshold.
    pub alert: bool,
}

/// The rupture detector the features use when the practice has no variability of its own: the overview's
/// strict mode with the default session-to-session SD of 1.5 points.
pub fn default_rupture_config() -> RuptureConfig {
    RuptureConfig::for_mode(Mode::Strict, PracticePrior { sigma: 1.5 })
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The features from `sessions` (in session order, all up to the session scored).
pub fn features(sessions: &[SessionHistory], reference_alliance: f64, config: &RuptureConfig) -> DropoutFeatures {
    let scores: Vec<SessionScore> = sessions
        .iter()
        .filter_map(|s| s.alliance.filter(|a| a.is_finite()).map(|score| SessionScore { session: s.number, score }))
        .collect();
    let trend = match scores.split_last() {
        Some((latest, earlier)) if !earlier.is_empty() => {
            let before: Vec<f64> = earlier.iter().rev().take(3).map(|s| s.score).collect();
            mean(&before).map_or(0.0, |m| latest.score - m)
        }
        _ => 0.0,
    };
    let recent_scores: Vec<f64> = scores.iter().rev().take(3).map(|s| s.score).collect();
    let shortfall = mean(&recent_scores).map_or(0.0, |m| reference_alliance - m);
    let reports: Vec<RuptureReport> = sessions
        .iter()
        .filter(|s| s.rupture_reported)
        .map(|s| RuptureReport {
            session: s.number,
            reporter: Reporter::Client,
            kind: None,
            talked_through: s.rupture_talked_through,
        })
        .collect();
    let open_ruptures =
        detect_ruptures(&scores, &reports, config).unwrap_or_default().iter().filter(|r| !r.is_repaired()).count();
    let recent = &sessions[sessions.len().saturating_sub(RECENT_SESSIONS)..];
    let missed_checks = recent.iter().filter(|s| s.attended && s.alliance.is_none() && !s.check_pending).count();
    let missed_sessions = recent.iter().filter(|s| !s.attended).count();
    DropoutFeatures { values: [trend, shortfall, open_ruptures as f64, missed_checks as f64, missed_sessions as f64] }
}

/// The warning as of the last of `sessions`, with each term of the score.
pub fn warning(sessions: &[SessionHistory], weights: &DropoutWeights, config: &RuptureConfig) -> DropoutWarning {
    let f = features(sessions, weights.reference_alliance, config);
    let contributions = FEATURES
        .iter()
        .zip(weights.coefficients())
        .zip(f.values)
        .map(|((&name, weight), value)| Contribution { name, value, contribution: weight * value })
        .collect();
    let probability = weights.probability(&f);
    DropoutWarning {
        session: sessions.last().map_or(0, |s| s.number),
        probability,
        intercept: weights.intercept,
        contributions,
        alert: probability >= weights.threshold,
    }
}

/// An episode's scoring points, prepared once: the features at each session at which a warning could still
/// help (at least [`MIN_SESSIONS`] recorded, strictly before the last attended session), and that last session.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedEpisode {
    /// (session number, features as of it).
    pub points: Vec<(u32, DropoutFeatures)>,
    pub last_attended: u32,
    pub dropped_out: bool,
}

/// Prepares each episode (see [`PreparedEpisode`]); episodes with no scoring point are left out.
pub fn prepare(episodes: &[EpisodeHistory], reference_alliance: f64, config: &RuptureConfig) -> Vec<PreparedEpisode> {
    episodes
        .iter()
        .filter_map(|e| {
            let last_index = e.sessions.iter().rposition(|s| s.attended)?;
            let last_attended = e.sessions.get(last_index)?.number;
            let points: Vec<(u32, DropoutFeatures)> = (MIN_SESSIONS..=last_index)
                .filter_map(|n| {
                    let upto = e.sessions.get(..n)?;
                    Some((upto.last()?.number, features(upto, reference_alliance, config)))
                })
                .collect();
            (!points.is_empty()).then_some(PreparedEpisode { points, last_attended, dropped_out: e.dropped_out })
        })
        .collect()
}

/// The warning's figures on a set of episodes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evaluation {
    /// Episodes with at least one scoring point.
    pub n_clients: usize,
    pub n_dropouts: usize,
    /// Of the clients' highest scores before their last attended session, dropouts against the others
    /// (Mann-Whitney, ties counted half).
    pub auc: f64,
    pub threshold: f64,
    /// Share of clients alerted: a score at or above the threshold at any scoring point.
    pub alert_rate: f64,
    /// Share of dropouts alerted.
    pub sensitivity: f64,
    /// Median, over alerted dropouts, of the sessions from the first alert to the last attended session.
    pub median_lead_sessions: f64,
}

/// The highest score of each episode, with whether it dropped out.
fn episode_maxima(episodes: &[PreparedEpisode], weights: &DropoutWeights) -> Vec<(f64, bool)> {
    episodes
        .iter()
        .map(|e| {
            let max = e.points.iter().map(|(_, f)| weights.probability(f)).fold(f64::NEG_INFINITY, f64::max);
            (max, e.dropped_out)
        })
        .collect()
}

/// Evaluates the weights and their threshold on prepared episodes.
pub fn evaluate(episodes: &[PreparedEpisode], weights: &DropoutWeights) -> Evaluation {
    let maxima = episode_maxima(episodes, weights);
    let n_clients = episodes.len();
    let n_dropouts = episodes.iter().filter(|e| e.dropped_out).count();
    let alerted = maxima.iter().filter(|m| m.0 >= weights.threshold).count();
    let mut leads: Vec<f64> = episodes
        .iter()
        .filter(|e| e.dropped_out)
        .filter_map(|e| {
            let first = e.points.iter().find(|(_, f)| weights.probability(f) >= weights.threshold)?;
            Some(f64::from(e.last_attended.saturating_sub(first.0)))
        })
        .collect();
    let alerted_dropouts = leads.len();
    leads.sort_by(f64::total_cmp);
    let share = |part: usize, whole: usize| if whole == 0 { 0.0 } else { part as f64 / whole as f64 };
    Evaluation {
        n_clients,
        n_dropouts,
        auc: auc(&maxima),
        threshold: weights.threshold,
        alert_rate: share(alerted, n_clients),
        sensitivity: share(alerted_dropouts, n_dropouts),
        median_lead_sessions: median(&leads),
    }
}

/// Area under the ROC curve of `(score, positive)` pairs: the chance that a positive scores above a negative,
/// ties counted half (the Mann-Whitney statistic). 0.5 when either group is empty.
pub fn auc(scored: &[(f64, bool)]) -> f64 {
    let positives: Vec<f64> = scored.iter().filter(|s| s.1).map(|s| s.0).collect();
    let negatives: Vec<f64> = scored.iter().filter(|s| !s.1).map(|s| s.0).collect();
    if positives.is_empty() || negatives.is_empty() {
        return 0.5;
    }
    let wins: f64 = positives
        .iter()
        .flat_map(|p| {
            negatives.iter().map(move |n| {
                if p > n {
                    1.0
                } else if p == n {
                    0.5
                } else {
                    0.0
                }
            })
        })
        .sum();
    wins / (positives.len() * negatives.len()) as f64
}

/// The median of sorted values; 0 when there are none.
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The `q` quantile of `values` (linear between order statistics); 0.5 when there are none.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let Some(last) = sorted.len().checked_sub(1) else { return 0.5 };
    let position = q.clamp(0.0, 1.0) * last as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let fraction = position - low as f64;
    sorted[low] + fraction * (sorted[high] - sorted[low])
}

/// Why a fit or refit was not made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RefitError {
    #[error(
        "the practice has {episodes} ended episodes with {dropouts} dropouts; a refit needs at least {min_episodes} \
         episodes with {min_dropouts} dropouts"
    )]
    TooFew { episodes: usize, dropouts: usize, min_episodes: usize, min_dropouts: usize },
    #[error("the logistic regression did not converge")]
    NotConverged,
}

/// The least history a practice needs before it may refit.
///
/// 40 ended episodes with at least 8 dropouts (a **project default**): six parameters from fewer events than
/// that are mostly noise (the usual rule of ten events per variable would ask for 60 dropouts; the ridge
/// penalty keeps a smaller fit stable, and the cross-validated AUC beside the default's shows whether the refit
/// is any better); 8 dropouts put at least one in each of the five cross-validation folds, and 40 episodes
/// give each fold eight.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RefitMinimum {
    pub episodes: usize,
    pub dropouts: usize,
}

impl Default for RefitMinimum {
    fn default() -> Self {
        RefitMinimum { episodes: 40, dropouts: 8 }
    }
}

/// A practice's own weights with the figures to judge them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Refit {
    pub weights: DropoutWeights,
    pub n_episodes: usize,
    pub n_dropouts: usize,
    pub folds: usize,
    /// AUC of the default weights on the same episodes (nothing of them is fitted here).
    pub auc_default: f64,
    /// AUC of the refit weights, each fold scored by weights fitted on the other folds (by client).
    pub auc_refit_cross_validated: f64,
}

/// Cross-validation folds.
pub const FOLDS: usize = 5;

/// Ridge penalty on the five weights (not the intercept), in episodes' worth of weight: small, for stability.
const RIDGE: f64 = 0.5;

/// Fits the weights by logistic regression (Newton's method, a little ridge) on the episodes' scoring points,
/// each episode's points weighted to count as one episode, the label being whether the episode ended in
/// dropout. The threshold is the `1 - ALERT_RATE` quantile of the episodes' highest scores. `base` gives the
/// reference level.
pub fn fit_weights(episodes: &[PreparedEpisode], base: &DropoutWeights) -> Result<DropoutWeights, RefitError> {
    // A weight against its expected direction (EXPECTED_SIGNS) is dropped and the fit repeated: a score that
    // lowered the warning for an unrepaired rupture would not be transparent, whatever collinearity caused it.
    let mut kept = [true; 5];
    loop {
        let mut rows: Vec<([f64; 6], f64, f64)> = Vec::new();
        for e in episodes {
            let weight = 1.0 / e.points.len().max(1) as f64;
            for (_, f) in &e.points {
                let mut x = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
                for (i, value) in f.values.iter().enumerate() {
                    x[i + 1] = if kept[i] { *value } else { 0.0 };
                }
                rows.push((x, if e.dropped_out { 1.0 } else { 0.0 }, weight));
            }
        }
        let beta = newton_logistic(&rows)?;
        let coefficients = [beta[1], beta[2], beta[3], beta[4], beta[5]].map(|b| if b.abs() < 1e-12 { 0.0 } else { b });
        let wrong: Vec<usize> = (0..5).filter(|&i| kept[i] && coefficients[i] * EXPECTED_SIGNS[i] < 0.0).collect();
        if wrong.is_empty() {
            let fitted = base.with_coefficients(beta[0], coefficients);
            let maxima: Vec<f64> = episode_maxima(episodes, &fitted).into_iter().map(|m| m.0).collect();
            return Ok(DropoutWeights { threshold: quantile(&maxima, 1.0 - ALERT_RATE), ..fitted });
        }
        for i in wrong {
            kept[i] = false;
        }
    }
}

/// The direction each weight must have, in [`FEATURES`] order: a falling alliance, a weaker one, open ruptures,
/// skipped checks and missed sessions all raise the score.
pub const EXPECTED_SIGNS: [f64; 5] = [-1.0, 1.0, 1.0, 1.0, 1.0];

fn newton_logistic(rows: &[([f64; 6], f64, f64)]) -> Result<[f64; 6], RefitError> {
    let mut beta = [0.0; 6];
    for _ in 0..100 {
        let mut gradient = [0.0; 6];
        let mut hessian = [[0.0; 6]; 6];
        for (x, y, w) in rows {
            let p = sigmoid(x.iter().zip(beta).map(|(a, b)| a * b).sum());
            for i in 0..6 {
                gradient[i] += w * (y - p) * x[i];
                for j in 0..6 {
                    hessian[i][j] += w * p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 1..6 {
            gradient[i] -= RIDGE * beta[i];
            hessian[i][i] += RIDGE;
        }
        let step = solve(hessian, gradient).ok_or(RefitError::NotConverged)?;
        for (b, s) in beta.iter_mut().zip(step) {
            *b += s;
        }
        if step.iter().all(|s| s.abs() < 1e-9) {
            return Ok(beta);
        }
    }
    Err(RefitError::NotConverged)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when `a` is singular.
fn solve(mut a: [[f64; 6]; 6], mut b: [f64; 6]) -> Option<[f64; 6]> {
    for col in 0..6 {
        let pivot = (col..6).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].is_nan() || a[pivot][col].abs() <= 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..6 {
            let factor = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (cell, above) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *cell -= factor * above;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0; 6];
    for row in (0..6).rev() {
        let rest: f64 = (row + 1..6).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Refits the weights on a practice's ended episodes, refusing below `minimum`, and compares the refit with the
/// default by [`FOLDS`]-fold cross-validation by client (an episode's points never straddle folds; dropouts and
/// the others are dealt round the folds separately, so each fold has its share of both).
pub fn refit(
    episodes: &[EpisodeHistory],
    default: &DropoutWeights,
    minimum: &RefitMinimum,
    config: &RuptureConfig,
) -> Result<Refit, RefitError> {
    let prepared = prepare(episodes, default.reference_alliance, config);
    let n_episodes = prepared.len();
    let n_dropouts = prepared.iter().filter(|e| e.dropped_out).count();
    if n_episodes < minimum.episodes || n_dropouts < minimum.dropouts {
        return Err(RefitError::TooFew {
            episodes: n_episodes,
            dropouts: n_dropouts,
            min_episodes: minimum.episodes,
            min_dropouts: minimum.dropouts,
        });
    }
    let (mut dropouts_seen, mut others_seen) = (0, 0);
    let fold_of: Vec<usize> = prepared
        .iter()
        .map(|e| {
            let counter = if e.dropped_out { &mut dropouts_seen } else { &mut others_seen };
            *counter += 1;
            (*counter - 1) % FOLDS
        })
        .collect();
    let mut held_out_scores = Vec::with_capacity(n_episodes);
    for fold in 0..FOLDS {
        let train: Vec<PreparedEpisode> =
            prepared.iter().zip(&fold_of).filter(|(_, f)| **f != fold).map(|(e, _)| e.clone()).collect();
        let test: Vec<PreparedEpisode> =
            prepared.iter().zip(&fold_of).filter(|(_, f)| **f == fold).map(|(e, _)| e.clone()).collect();
        let weights = fit_weights(&train, default)?;
        held_out_scores.extend(episode_maxima(&test, &weights));
    }
    Ok(Refit {
        weights: fit_weights(&prepared, default)?,
        n_episodes,
        n_dropouts,
        folds: FOLDS,
        auc_default: auc(&episode_maxima(&prepared, default)),
        auc_refit_cross_validated: auc(&held_out_scores),
    })
}

/// A generated client's episode, its checks scored through the real scoring path.
pub fn generated_history(catalog: &Catalog, client: &SimClient) -> EpisodeHistory {
    let check = catalog.get(RELATIONSHIP_CHECK);
    let sessions = client
        .sessions
        .iter()
        .map(|s| {
            let scored = s.check.as_ref().zip(check).and_then(|(answers, instrument)| score(instrument, answers).ok());
            let flag = |id: &str| scored.as_ref().is_some_and(|set| set.flags.has(id));
            SessionHistory {
                number: s.number,
                attended: s.attended,
                alliance: scored.as_ref().and_then(|set| set.value("alliance")),
                check_pending: false,
                rupture_reported: flag("rupture-reported"),
                rupture_talked_through: flag("talked-through"),
            }
        })
        .collect();
    EpisodeHistory { sessions, dropped_out: client.dropped_out }
}

/// The episodes of `practices` generated practices of `clients` clients each, with the alliance-dependent
/// dropout model; practice `i` has seed `first_seed + i`.
pub fn generated_episodes(catalog: &Catalog, first_seed: u64, practices: usize, clients: usize) -> Vec<EpisodeHistory> {
    (0..practices as u64)
        .flat_map(|i| {
            let params = PracticeParams {
                seed: first_seed.wrapping_add(i),
                therapists: 5,
                clients,
                dropout_model: DropoutModel::AllianceDependent,
                ..PracticeParams::default()
            };
            practice(&params).clients.iter().map(|c| generated_history(catalog, c)).collect::<Vec<_>>()
        })
        .collect()
}

/// The tuning practices of the default weights: seeds 101-108, 250 clients each.
pub const TUNING_SEEDS: (u64, usize) = (101, 8);

/// Clients in each tuning practice.
pub const TUNING_CLIENTS: usize = 250;

/// Tunes weights and threshold on generated practices (the rule behind [`DropoutWeights::default`]): the
/// logistic fit of [`fit_weights`] on `practices` practices from `first_seed`, its weights rounded to two
/// decimals, then the threshold set afresh for the rounded weights. The reference level is the mean of all
/// relationship-check scores there, rounded to one decimal.
pub fn tune(
    catalog: &Catalog,
    first_seed: u64,
    practices: usize,
    clients: usize,
    config: &RuptureConfig,
) -> Result<DropoutWeights, RefitError> {
    let episodes = generated_episodes(catalog, first_seed, practices, clients);
    let scores: Vec<f64> = episodes.iter().flat_map(|e| e.sessions.iter().filter_map(|s| s.alliance)).collect();
    let reference_alliance = (mean(&scores).unwrap_or(26.5) * 10.0).round() / 10.0;
    let base = DropoutWeights { reference_alliance, ..DropoutWeights::default() };
    let prepared = prepare(&episodes, reference_alliance, config);
    let fitted = fit_weights(&prepared, &base)?;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let rounded = fitted.with_coefficients(round(fitted.intercept), fitted.coefficients().map(round));
    let maxima: Vec<f64> = episode_maxima(&prepared, &rounded).into_iter().map(|m| m.0).collect();
    let threshold = (quantile(&maxima, 1.0 - ALERT_RATE) * 1000.0).round() / 1000.0;
    Ok(DropoutWeights { threshold, ..rounded })
}

/// Clients in each generated practice of [`evaluate_generated`].
pub const EVALUATION_CLIENTS: usize = 250;

/// What `alliance analyze dropout` prints: the default weights' figures on generated practices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DropoutReport {
    pub auc: f64,
    /// Share of dropouts alerted at the default threshold, set for a 10 % alert rate on the tuning practices.
    pub sensitivity_at_10pct: f64,
    /// Share of clients alerted at that threshold here.
    pub alert_rate: f64,
    pub median_lead_sessions: f64,
    pub n_clients: usize,
    pub n_dropouts: usize,
    pub weights: DropoutWeights,
    pub label: &'static str,
}

/// The default weights evaluated on `practices` generated practices of [`EVALUATION_CLIENTS`] clients, seeds
/// `seed` to `seed + practices - 1`. Seeds 101-108 tuned the defaults: use others for held-out figures.
pub fn evaluate_generated(catalog: &Catalog, seed: u64, practices: usize) -> DropoutReport {
    let weights = DropoutWeights::default();
    let episodes = generated_episodes(catalog, seed, practices, EVALUATION_CLIENTS);
    let e = evaluate(&prepare(&episodes, weights.reference_alliance, &default_rupture_config()), &weights);
    DropoutReport {
        auc: e.auc,
        sensitivity_at_10pct: e.sensitivity,
        alert_rate: e.alert_rate,
        median_lead_sessions: e.median_lead_sessions,
        n_clients: e.n_clients,
        n_dropouts: e.n_dropouts,
        weights,
        label: "generated practices; not validated on real clinical data",
    }
}

/// What a practice's refit came to, for the page that shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RefitOutcome {
    /// Not enough ended episodes with their ending recorded yet.
    TooFew { episodes: usize, dropouts: usize, minimum: RefitMinimum },
    /// Refitted; `adopted` when the refit's cross-validated AUC is at least the default's on the same episodes
    /// (a refit that ranks the practice's own clients no better is not worth its instability).
    Fitted { refit: Refit, adopted: bool },
    /// The regression did not converge: the default stays.
    Failed,
}

/// Refits on the practice's ended episodes and says which weights to use: the refit's when it is adopted, the
/// default's otherwise.
pub fn refit_for_practice(
    episodes: &[EpisodeHistory],
    default: &DropoutWeights,
    config: &RuptureConfig,
) -> (DropoutWeights, RefitOutcome) {
    let minimum = RefitMinimum::default();
    match refit(episodes, default, &minimum, config) {
        Ok(refit) => {
            let adopted = refit.auc_refit_cross_validated >= refit.auc_default;
            let weights = if adopted { refit.weights } else { *default };
            (weights, RefitOutcome::Fitted { refit, adopted })
        }
        Err(RefitError::TooFew { episodes, dropouts, .. }) => {
            (*default, RefitOutcome::TooFew { episodes, dropouts, minimum })
        }
        Err(RefitError::NotConverged) => (*default, RefitOutcome::Failed),
    }
}
