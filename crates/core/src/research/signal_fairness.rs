//! The fairness audit on the practice's own data (issue 20, item 3; docs/SCIENCE.md#fairness-of-signals): how
//! often the score-based signals fire per group of what clients said about their background. A practice's data
//! carry no planted truth, so a gap says where to look, not that a signal is unfair.
//!
//! Signals are recomputed here from the consenting courses' scores with the product's own rules, so the audit
//! sees exactly the data the rest of the report sees:
//! - `rupture`: sessions at which the rupture detector (the practice's prior, strict mode) found a rupture;
//! - `low-alliance`: sessions with the alliance total under the measure's cut-off;
//! - `reliable-deterioration`: sessions whose outcome is reliably worse than the course's first.
//!
//! A group label is a client's own words: a group of fewer than [`MIN_CELL_CLIENTS`] courses is pooled into
//! [`SMALL_GROUPS`] before the audit, so its words never appear, as in the culture part.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alliance_signals::change::{ChangeCategory, classify_change};
use alliance_signals::rupture::{Mode, RuptureConfig, SessionScore, detect_ruptures};
use alliance_signals::variability::PracticePrior;
use serde::Serialize;

use super::{ClientRows, MIN_CELL_CLIENTS, ResearchData};
use crate::fairness::{AuditError, AuditTable, ClientSignals, audit};

pub const RUPTURE: &str = "rupture";
pub const LOW_ALLIANCE: &str = "low-alliance";
pub const DETERIORATION: &str = "reliable-deterioration";
/// The group of courses without a fact in the category.
pub const NOT_RECORDED: &str = "not-recorded";
/// The pool of groups too small to be named.
pub const SMALL_GROUPS: &str = "small-groups";

/// One background category's audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryAudit {
    pub category: String,
    pub audit: AuditTable,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalFairness {
    /// The signals the audit counts, whether or not they fired.
    pub signals_counted: Vec<String>,
    pub categories: Vec<CategoryAudit>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignalFairnessError {
    #[error("no consenting client has described their background")]
    NoBackground,
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// At how many of a course's sessions each signal fired.
fn fired(client: &ClientRows<'_>, data: &ResearchData, prior: Option<PracticePrior>) -> BTreeMap<String, u32> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut fired = BTreeMap::new();
    let scores: Vec<SessionScore> =
        client.rows.iter().filter_map(|r| Some(SessionScore { session: r.session, score: r.alliance? })).collect();
    if let Some(prior) = prior {
        let config = RuptureConfig::for_mode(Mode::Strict, prior);
        let ruptures = detect_ruptures(&scores, &[], &config).unwrap_or_default();
        let sessions: BTreeSet<u32> = ruptures.iter().map(|r| r.detected_at_session).collect();
        fired.insert(RUPTURE.to_owned(), count(sessions.len()));
    }
    if let Some(cutoff) = data.alliance_cutoff {
        fired.insert(LOW_ALLIANCE.to_owned(), count(scores.iter().filter(|s| s.score < cutoff).count()));
    }
    let mut outcomes = client.rows.iter().filter_map(|r| r.outcome);
    if let Some(first) = outcomes.next() {
        let worse = outcomes
            .filter(|&later| {
                classify_change(&data.outcome_criteria, first, later)
                    .is_ok_and(|c| matches!(c.category, ChangeCategory::ReliablyDeteriorated | ChangeCategory::Harmed))
            })
            .count();
        fired.insert(DETERIORATION.to_owned(), count(worse));
    }
    fired
}

pub(crate) fn signal_fairness(
    clients: &[ClientRows<'_>],
    data: &ResearchData,
) -> Result<SignalFairness, SignalFairnessError> {
    let facts: HashMap<&str, &super::CourseBackground> =
        data.backgrounds.iter().filter(|b| !b.facts.is_empty()).map(|b| (b.course.as_str(), b)).collect();
    if facts.is_empty() {
        return Err(SignalFairnessError::NoBackground);
    }
    let prior = data.rupture_prior.or_else(|| {
        let series: Vec<Vec<f64>> =
            clients.iter().map(|c| c.rows.iter().filter_map(|r| r.alliance).collect()).collect();
        PracticePrior::estimate(series.iter().map(Vec::as_slice))
    });
    let signals: Vec<(u32, BTreeMap<String, u32>)> =
        clients.iter().map(|c| (u32::try_from(c.rows.len()).unwrap_or(u32::MAX), fired(c, data, prior))).collect();
    let categories: BTreeSet<&str> = facts.values().flat_map(|b| b.facts.iter().map(|f| f.category.as_str())).collect();
    let mut audits = Vec::with_capacity(categories.len());
    for category in categories {
        let label = |client: &ClientRows<'_>| -> String {
            facts
                .get(client.id)
                .and_then(|b| b.facts.iter().find(|f| f.category == category))
                .map_or_else(|| NOT_RECORDED.to_owned(), |f| f.group.clone())
        };
        let labels: Vec<String> = clients.iter().map(label).collect();
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for l in &labels {
            *sizes.entry(l.as_str()).or_default() += 1;
        }
        let rows: Vec<ClientSignals> = labels
            .iter()
            .zip(&signals)
            .map(|(l, (sessions, fired))| ClientSignals {
                group: if sizes.get(l.as_str()).copied().unwrap_or(0) < MIN_CELL_CLIENTS {
                    SMALL_GROUPS.to_owned()
                } else {
                    l.clone()
                },
                sessions: *sessions,
                fired: fired.clone(),
            })
            .collect();
        audits.push(CategoryAudit { category: category.to_owned(), audit: audit(&rows)? });
    }
    let mut counted = Vec::new();
    if prior.is_some() {
        counted.push(RUPTURE.to_owned());
    }
    if data.alliance_cutoff.is_some() {
        counted.push(LOW_ALLIANCE.to_owned());
    }
    counted.push(DETERIORATION.to_owned());
    Ok(SignalFairness { signals_counted: counted, categories: audits })
}
