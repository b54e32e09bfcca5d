//! Pre-post change overall and by what happened to the alliance (ruptures repaired or not).

use alliance_signals::change::{ChangeCategory, classify_change};
use alliance_signals::rupture::{Mode, RepairStatus, RuptureConfig, SessionScore, detect_ruptures};
use alliance_signals::variability::PracticePrior;
use serde::Serialize;

use super::{ClientRows, MIN_CELL_CLIENTS, ResearchData, wald_interval};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OutcomeError {
    #[error("no client has two outcome scores")]
    NoChange,
    #[error("too few alliance ratings to estimate the practice's session-to-session spread")]
    NoRupturePrior,
}

/// One client's first and last outcome scores, as improvement (positive is better).
pub(crate) fn improvement(client: &ClientRows<'_>, data: &ResearchData) -> Option<(f64, f64, f64)> {
    let mut measured = client.rows.iter().filter_map(|r| r.outcome);
    let first = measured.next()?;
    let last = measured.next_back()?;
    Some((first, last, data.outcome_criteria.direction.improvement(first, last)))
}

/// Mean improvement of a group of clients with its 95 % interval; `None` values when the group is smaller
/// than the smallest cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuptureGroup {
    pub group: &'static str,
    pub clients: usize,
    pub suppressed: bool,
    pub mean_improvement: Option<f64>,
    pub ci: Option<[f64; 2]>,
}

fn group(name: &'static str, changes: &[f64]) -> RuptureGroup {
    let n = changes.len();
    if n < MIN_CELL_CLIENTS {
        return RuptureGroup { group: name, clients: n, suppressed: true, mean_improvement: None, ci: None };
    }
    let (mean, sd) = mean_sd(changes);
    RuptureGroup {
        group: name,
        clients: n,
        suppressed: false,
        mean_improvement: Some(mean),
        ci: Some(wald_interval(mean, sd / (n as f64).sqrt())),
    }
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, variance.sqrt())
}

/// Pre-post improvement for clients with no rupture, with every rupture repaired, and with at least one
/// rupture that was not repaired within its window (clients whose rupture is still open are counted apart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeByRupture {
    pub outcome_measure: String,
    pub groups: Vec<RuptureGroup>,
    pub undecided_clients: usize,
}

pub(crate) fn change_by_rupture(
    clients: &[ClientRows<'_>],
    data: &ResearchData,
) -> Result<ChangeByRupture, OutcomeError> {
    let series: Vec<Vec<(u32, f64)>> =
        clients.iter().map(|c| c.rows.iter().filter_map(|r| Some((r.session, r.alliance?))).collect()).collect();
    let prior = match data.rupture_prior {
        Some(prior) => prior,
        None => {
            let values: Vec<Vec<f64>> = series.iter().map(|s| s.iter().map(|p| p.1).collect()).collect();
            PracticePrior::estimate(values.iter().map(Vec::as_slice)).ok_or(OutcomeError::NoRupturePrior)?
        }
    };
    let config = RuptureConfig::for_mode(Mode::Strict, prior);
    let (mut none, mut repaired, mut unrepaired, mut undecided) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for (client, points) in clients.iter().zip(&series) {
        let Some((_, _, change)) = improvement(client, data) else { continue };
        let scores: Vec<SessionScore> =
            points.iter().map(|&(session, score)| SessionScore { session, score }).collect();
        let ruptures = detect_ruptures(&scores, &[], &config).unwrap_or_default();
        if ruptures.is_empty() {
            none.push(change);
        } else if ruptures.iter().any(|r| matches!(r.repair, RepairStatus::Unrepaired { .. })) {
            unrepaired.push(change);
        } else if ruptures.iter().all(|r| matches!(r.repair, RepairStatus::Repaired { .. })) {
            repaired.push(change);
        } else {
            undecided += 1;
        }
    }
    if none.len() + repaired.len() + unrepaired.len() + undecided == 0 {
        return Err(OutcomeError::NoChange);
    }
    Ok(ChangeByRupture {
        outcome_measure: data.outcome_measure.clone(),
        groups: vec![group("no-rupture", &none), group("repaired", &repaired), group("unrepaired", &unrepaired)],
        undecided_clients: undecided,
    })
}

/// A count of clients and its share, suppressed when it describes fewer than the smallest cell (but not zero).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub clients: Option<usize>,
    pub share: Option<f64>,
}

fn share(count: usize, total: usize) -> Share {
    if count > 0 && count < MIN_CELL_CLIENTS {
        Share { clients: None, share: None }
    } else {
        Share { clients: Some(count), share: Some(count as f64 / total as f64) }
    }
}

/// How the practice's clients fared from their first to their last outcome score (Jacobson & Truax categories
/// with the measure's published reliable change and cut-off), the pre-post effect size, and how complete the
/// alliance data are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallOutcomes {
    pub outcome_measure: String,
    /// Clients with at least two outcome scores.
    pub clients: usize,
    pub recovered: Share,
    /// Reliably improved, recovered included.
    pub reliably_improved: Share,
    /// Reliably deteriorated, those who crossed into the clinical range included.
    pub reliably_deteriorated: Share,
    pub mean_improvement: f64,
    pub mean_improvement_ci: [f64; 2],
    /// Mean improvement over the SD of the first scores.
    pub effect_size: Option<f64>,
    /// Share of sessions with an alliance check.
    pub completeness: f64,
}

pub(crate) fn overall(clients: &[ClientRows<'_>], data: &ResearchData) -> Result<OverallOutcomes, OutcomeError> {
    let (mut firsts, mut changes) = (Vec::new(), Vec::new());
    let (mut recovered, mut improved, mut deteriorated) = (0, 0, 0);
    for client in clients {
        let Some((first, last, change)) = improvement(client, data) else { continue };
        firsts.push(first);
        changes.push(change);
        match classify_change(&data.outcome_criteria, first, last).map(|o| o.category) {
            Ok(ChangeCategory::Recovered) => {
                recovered += 1;
                improved += 1;
            }
            Ok(ChangeCategory::ReliablyImproved) => improved += 1,
            Ok(ChangeCategory::ReliablyDeteriorated | ChangeCategory::Harmed) => deteriorated += 1,
            Ok(ChangeCategory::Unchanged) | Err(_) => {}
        }
    }
    let n = changes.len();
    if n < 2 {
        return Err(OutcomeError::NoChange);
    }
    let (mean, sd) = mean_sd(&changes);
    let (_, sd_first) = mean_sd(&firsts);
    let sessions: usize = clients.iter().map(|c| c.rows.len()).sum();
    let checked: usize = clients.iter().map(|c| c.rows.iter().filter(|r| r.alliance.is_some()).count()).sum();
    Ok(OverallOutcomes {
        outcome_measure: data.outcome_measure.clone(),
        clients: n,
        recovered: share(recovered, n),
        reliably_improved: share(improved, n),
        reliably_deteriorated: share(deteriorated, n),
        mean_improvement: mean,
        mean_improvement_ci: wald_interval(mean, sd / (n as f64).sqrt()),
        effect_size: (sd_first > 0.0).then(|| mean / sd_first),
        completeness: checked as f64 / sessions.max(1) as f64,
    })
}
