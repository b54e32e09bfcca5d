//! Choosing the rupture detector's settings without fooling ourselves: a grid of candidate
//! settings is scored against planted ruptures by cross-validation over client folds, so the
//! figures reported are on clients the choice never saw (docs/SCIENCE.md#choosing-the-rupture-settings).
//!
//! Folds split clients, never rows: a client's sessions depend on each other, and a rupture's
//! repair is in the same client's later rows. Each client goes to fold `fnv1a(client id) mod k`,
//! so the split does not depend on file order and a client keeps its fold in every run.
//!
//! Within each fold the candidate with the highest F1 on the other folds is chosen (ties: higher
//! repair accuracy, then the earlier candidate) and its detections on the held-out fold are kept.
//! The held-out detections of all folds are then scored together against all planted ruptures.
//! The practice prior is estimated once from all the scores: it uses no truth, as in use where
//! it comes from the practice's own data.

use serde::{Deserialize, Serialize};

use crate::analyze::{detect_practice, detections};
use crate::csv_io::ClientSeries;
use crate::evaluation::{Detection, Metrics, PlantedRupture, evaluate};
use crate::rupture::{DipRule, Mode, Reference, RuptureConfig, SeriesError};
use crate::variability::PracticePrior;

/// The settings tuned; everything else is [`RuptureConfig::for_mode`]`(Mode::Strict, ..)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Scores that form the pre-rupture level.
    pub baseline_sessions: usize,
    /// One-session dip threshold, in sigmas.
    pub k: f64,
    /// Two-session dip threshold, in sigmas (`None`: off).
    pub confirmed_dip_k: Option<f64>,
    /// Repair margin, in sigmas.
    pub repair_margin: f64,
    /// Weight of the practice prior in the client's sigma, in pseudo-differences.
    pub prior_weight: f64,
}

impl Candidate {
    /// The settings of `RuptureConfig::for_mode(Mode::Strict, ..)` as a candidate.
    pub fn recommended() -> Self {
        let config = RuptureConfig::for_mode(Mode::Strict, PracticePrior { sigma: 1.0 });
        let (baseline_sessions, k) = match config.dip {
            DipRule::Personal { k, reference: Reference::RecentMean { sessions } } => (sessions, k),
            _ => (crate::rupture::DEFAULT_BASELINE_SESSIONS, Mode::Strict.k()),
        };
        Candidate {
            baseline_sessions,
            k,
            confirmed_dip_k: config.confirmed_dip_k,
            repair_margin: config.repair_margin,
            prior_weight: config.shrinkage.prior_weight,
        }
    }

    pub fn config(&self, prior: PracticePrior) -> RuptureConfig {
        let mut config = RuptureConfig::for_mode(Mode::Strict, prior);
        config.dip =
            DipRule::Personal { k: self.k, reference: Reference::RecentMean { sessions: self.baseline_sessions } };
        config.confirmed_dip_k = self.confirmed_dip_k;
        config.repair_margin = self.repair_margin;
        config.shrinkage.prior_weight = self.prior_weight;
        config
    }
}

/// Every combination of the listed values.
pub fn grid(
    baseline_sessions: &[usize],
    k: &[f64],
    confirmed_dip_k: &[Option<f64>],
    repair_margin: &[f64],
    prior_weight: &[f64],
) -> Vec<Candidate> {
    let mut all = Vec::new();
    for &baseline_sessions in baseline_sessions {
        for &k in k {
            for &confirmed_dip_k in confirmed_dip_k {
                for &repair_margin in repair_margin {
                    for &prior_weight in prior_weight {
                        all.push(Candidate { baseline_sessions, k, confirmed_dip_k, repair_margin, prior_weight });
                    }
                }
            }
        }
    }
    all
}

/// The client's fold: FNV-1a of the id, modulo `folds` (at least 1).
pub fn fold_of(client: &str, folds: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in client.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % folds.max(1) as u64) as usize
}

/// What cross-validation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Held-out detections of every fold scored together.
    pub held_out: Metrics,
    /// The candidate chosen in each fold, by fold.
    pub chosen: Vec<Candidate>,
    /// Each fold's held-out figures, by fold.
    pub per_fold: Vec<Metrics>,
}

/// Detections of every candidate over every client (computed once; folds only split them).
fn detect_all(
    series: &[ClientSeries],
    candidates: &[Candidate],
    prior: PracticePrior,
) -> Result<Vec<Vec<Detection>>, SeriesError> {
    candidates.iter().map(|c| Ok(detections(&detect_practice(series, &c.config(prior))?))).collect()
}

/// Cross-validate the choice among `candidates` over `folds` client folds, scoring detections
/// within `tolerance` sessions of the planted onset (0 is the exact-session rule). `None` when
/// there are no candidates or fewer than two folds.
pub fn cross_validate(
    series: &[ClientSeries],
    truth: &[PlantedRupture],
    candidates: &[Candidate],
    folds: usize,
    prior: PracticePrior,
    tolerance: u32,
) -> Result<Option<CrossValidation>, SeriesError> {
    if candidates.is_empty() || folds < 2 {
        return Ok(None);
    }
    let all = detect_all(series, candidates, prior)?;
    let fold = |client: &str| fold_of(client, folds);
    let truth_folds: Vec<usize> = truth.iter().map(|t| fold(&t.client)).collect();
    let detection_folds: Vec<Vec<usize>> = all.iter().map(|d| d.iter().map(|x| fold(&x.client)).collect()).collect();
    let pick = |items: &[Detection], folds_of: &[usize], keep: &dyn Fn(usize) -> bool| -> Vec<Detection> {
        items.iter().zip(folds_of).filter(|(_, f)| keep(**f)).map(|(d, _)| d.clone()).collect()
    };
    let truth_where = |keep: &dyn Fn(usize) -> bool| -> Vec<PlantedRupture> {
        truth.iter().zip(&truth_folds).filter(|(_, f)| keep(**f)).map(|(t, _)| t.clone()).collect()
    };
    let (mut held_out, mut chosen, mut per_fold) = (Vec::new(), Vec::new(), Vec::new());
    for test in 0..folds {
        let train = |f: usize| f != test;
        let train_truth = truth_where(&train);
        let mut best: Option<(usize, Metrics)> = None;
        for (i, found) in all.iter().enumerate() {
            let m = evaluate(&pick(found, &detection_folds[i], &train), &train_truth, tolerance);
            let better = best.as_ref().is_none_or(|(_, b)| {
                (m.f1, m.repair_accuracy.unwrap_or(0.0)) > (b.f1, b.repair_accuracy.unwrap_or(0.0))
            });
            if better {
                best = Some((i, m));
            }
        }
        let Some((index, _)) = best else {
            return Ok(None);
        };
        let test_only = |f: usize| f == test;
        let found = pick(&all[index], &detection_folds[index], &test_only);
        per_fold.push(evaluate(&found, &truth_where(&test_only), tolerance));
        held_out.extend(found);
        chosen.push(candidates[index]);
    }
    Ok(Some(CrossValidation { held_out: evaluate(&held_out, truth, tolerance), chosen, per_fold }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stable_and_cover_all() {
        assert_eq!(fold_of("17", 5), fold_of("17", 5));
        let mut seen = [false; 5];
        for id in 0..100 {
            seen[fold_of(&id.to_string(), 5)] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(fold_of("x", 0), 0);
    }

    #[test]
    fn grid_is_the_full_product() {
        let g = grid(&[3, 4], &[2.0], &[None, Some(1.4)], &[0.0, 0.5], &[3.0]);
        assert_eq!(g.len(), 8);
    }
}
