//! Rupture detection on session-by-session alliance scores (higher is better), in real time:
//! the decision that a rupture began at session t uses only sessions up to t (a Tang-DeRubeis
//! sudden loss needs three scores from t on, so it is decided at t+2), and the repair decision
//! uses only the window after the onset.
//!
//! Rules (each tagged on the rupture it found):
//! - **dip**: the score falls more than `k * sigma` below the client's pre-rupture level, sigma
//!   being the client's own session-to-session SD shrunk toward the practice's
//!   ([`crate::variability`]); k = 2 strict, k = 1 lenient;
//! - **sudden loss**: Tang & DeRubeis criteria ([`crate::sudden`]) in the loss direction;
//! - **below cut-off**: the score falls below an instrument cut-off (e.g. SRS 36);
//! - **reported**: the client or therapist reported a rupture (withdrawal or confrontation).
//!
//! Repair: a score within `repair_window` sessions (default 3) returns to the pre-rupture level,
//! or the client says it was talked through, or the therapist says it was repaired (each account
//! is kept on the rupture with who gave it). Otherwise the rupture is unrepaired (and escalates),
//! but only on a score read: when the checks are missing the rupture stays open ("not known")
//! until the next score decides it (docs/SCIENCE.md#repair).
//! Patterns follow Gumz et al. (2012) loosely (the mapping is this project's, unvalidated):
//! simple V (low for one session), decline then repair (low two or more sessions, then back),
//! unrepaired.

mod dip;
mod tracker;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use dip::{DipRule, Reference};
pub use tracker::{RuptureEvent, RuptureTracker};

use crate::sudden::SuddenChangeCriteria;
use crate::variability::{PracticePrior, ShrinkageConfig};

/// One alliance score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SessionScore {
    pub session: u32,
    pub score: f64,
}

/// Who reported a rupture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reporter {
    Client,
    Therapist,
}

/// Rupture markers (3RS): moving away from the therapist or the work, or against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuptureKind {
    /// Pulling back: minimal answers, changing the topic, deferring, going abstract.
    Withdrawal,
    /// Pushing back: complaints about the therapist, the tasks or the progress of therapy.
    Confrontation,
}

/// A rupture reported by the client or the therapist after a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuptureReport {
    pub session: u32,
    pub reporter: Reporter,
    /// `None` when the reporter did not say how the client responded.
    pub kind: Option<RuptureKind>,
    /// The reporter's account of repair: the client said it was talked through ("yes"), or the
    /// therapist said it was addressed and repaired.
    pub talked_through: bool,
}

/// The rule that flagged a rupture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RuptureRule {
    Dip,
    SuddenLoss,
    BelowCutoff,
    Reported,
}

impl RuptureRule {
    pub fn as_str(self) -> &'static str {
        match self {
            RuptureRule::Dip => "dip",
            RuptureRule::SuddenLoss => "sudden_loss",
            RuptureRule::BelowCutoff => "below_cutoff",
            RuptureRule::Reported => "reported",
        }
    }
}

/// How a rupture was repaired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepairedBy {
    ScoreReturned,
    /// The client said it was talked through.
    TalkedThrough,
    /// The therapist said it was addressed and repaired.
    TherapistSaidRepaired,
}

/// Where a rupture stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepairStatus {
    /// Still inside the repair window, or past it with no score read since (not known).
    Open,
    Repaired {
        session: u32,
        by: RepairedBy,
    },
    /// The window passed without repair; decided at that session.
    Unrepaired {
        decided_at_session: u32,
    },
}

/// Shape of a rupture (Gumz et al. 2012 style; operationalisation is this project's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RupturePattern {
    /// Talked through in the session it happened.
    ResolvedInSession,
    /// Low for one session, back the next.
    SimpleV,
    /// Low for two or more sessions, then back.
    DeclineThenRepair,
    Unrepaired,
    Open,
}

/// One detected rupture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rupture {
    pub onset_session: u32,
    /// The session whose data triggered the decision (later than onset for sudden losses).
    pub detected_at_session: u32,
    /// Rules that flagged it, in [`RuptureRule`] order.
    pub rules: Vec<RuptureRule>,
    pub kind: Option<RuptureKind>,
    /// Pre-rupture level that a repair must reach again (None when no score preceded it).
    pub reference: Option<f64>,
    /// Lowest score seen from onset until repair or the end of the window.
    pub lowest: Option<f64>,
    /// Sessions from onset until repair (or so far, while open / at the end of the window).
    pub length: u32,
    pub repair: RepairStatus,
    /// The client's and the therapist's reports that joined this rupture, in session order.
    #[serde(default)]
    pub accounts: Vec<RuptureReport>,
}

impl Rupture {
    /// `reference - lowest`: how far the score fell (Gumz et al. 2012 "magnitude").
    pub fn magnitude(&self) -> Option<f64> {
        Some(self.reference? - self.lowest?)
    }

    pub fn is_repaired(&self) -> bool {
        matches!(self.repair, RepairStatus::Repaired { .. })
    }

    pub fn pattern(&self) -> RupturePattern {
        match self.repair {
            RepairStatus::Open => RupturePattern::Open,
            RepairStatus::Unrepaired { .. } => RupturePattern::Unrepaired,
            RepairStatus::Repaired { session, .. } if session == self.onset_session => {
                RupturePattern::ResolvedInSession
            }
            RepairStatus::Repaired { .. } if self.length <= 1 => RupturePattern::SimpleV,
            RepairStatus::Repaired { .. } => RupturePattern::DeclineThenRepair,
        }
    }

    /// Rules joined with `+`, e.g. `dip+sudden_loss`.
    pub fn rules_label(&self) -> String {
        let names: Vec<&str> = self.rules.iter().map(|r| r.as_str()).collect();
        names.join("+")
    }

    pub(crate) fn add_rule(&mut self, rule: RuptureRule) {
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
            self.rules.sort();
        }
    }
}

/// Strict (k = 2) or lenient (k = 1) dip detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Strict,
    Lenient,
}

impl Mode {
    pub fn k(self) -> f64 {
        match self {
            Mode::Strict => 2.0,
            Mode::Lenient => 1.0,
        }
    }
}

/// Everything the detector needs. Start from [`RuptureConfig::for_mode`] or
/// [`RuptureConfig::naive`] and adjust fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuptureConfig {
    pub dip: DipRule,
    pub shrinkage: ShrinkageConfig,
    /// W: sessions after the onset within which a repair counts.
    pub repair_window: u32,
    /// Scores needed before the first session that can be judged a dip (a level needs two).
    pub min_prior_sessions: usize,
    /// Tang-DeRubeis sudden loss; `None` switches the rule off.
    pub sudden_loss: Option<SuddenChangeCriteria>,
    /// Instrument cut-off (alliance below it is flagged); `None` switches the rule off.
    pub cutoff: Option<f64>,
    /// Two-session dip: two scores in a row each more than `k * sigma` below the level before the
    /// first of them start a rupture at the first (decided at the second). `None` switches it off.
    /// A drop too small to trust in one noisy score is trusted when the next score confirms it
    /// (docs/SCIENCE.md#two-session-dip).
    #[serde(default)]
    pub confirmed_dip_k: Option<f64>,
    /// A repair is a score back within `repair_margin * sigma` of the pre-rupture level: a score
    /// that returned exactly to the level is below it half the time by noise alone
    /// (docs/SCIENCE.md#repair).
    #[serde(default)]
    pub repair_margin: f64,
}

/// Default weight of the practice prior, in pseudo-differences. Chosen with the settings below by
/// cross-validation over client folds of 4,000 synthetic clients (docs/SCIENCE.md#choosing-the-rupture-settings):
/// a client's own handful of differences says little, and 10 beat 3 in every fold.
pub const DEFAULT_PRIOR_WEIGHT: f64 = 10.0;
/// Default floor on sigma: one scale point, the resolution of summed item scores.
pub const DEFAULT_SIGMA_FLOOR: f64 = 1.0;
/// Default repair window W.
pub const DEFAULT_REPAIR_WINDOW: u32 = 3;
/// Default number of recent scores that form the client's pre-rupture level (4: a quarter of one
/// score's variance; more lags behind a rising alliance).
pub const DEFAULT_BASELINE_SESSIONS: usize = 4;
/// Default two-session dip threshold, in sigmas.
pub const DEFAULT_CONFIRMED_DIP_K: f64 = 1.4;
/// Default repair margin, in sigmas.
pub const DEFAULT_REPAIR_MARGIN: f64 = 0.5;

impl RuptureConfig {
    /// The recommended detector: the dip is measured from the mean of the last four scores, two
    /// low scores in a row count at a lower threshold, a repair is a return to within half a sigma;
    /// a sudden loss uses `1.96 * prior.sigma` as its absolute cut-off (the practice's
    /// session-to-session SD stands in for S_diff of Jacobson & Truax).
    pub fn for_mode(mode: Mode, prior: PracticePrior) -> Self {
        RuptureConfig {
            dip: DipRule::Personal {
                k: mode.k(),
                reference: Reference::RecentMean { sessions: DEFAULT_BASELINE_SESSIONS },
            },
            shrinkage: ShrinkageConfig { prior, prior_weight: DEFAULT_PRIOR_WEIGHT, floor: DEFAULT_SIGMA_FLOOR },
            repair_window: DEFAULT_REPAIR_WINDOW,
            min_prior_sessions: 2,
            sudden_loss: Some(SuddenChangeCriteria { cutoff: crate::change::RCI_CRITICAL * prior.sigma, pct: 0.25 }),
            cutoff: None,
            confirmed_dip_k: Some(DEFAULT_CONFIRMED_DIP_K),
            repair_margin: DEFAULT_REPAIR_MARGIN,
        }
    }

    /// The baseline for comparison: a fall of more than 2 SD of all the client's earlier
    /// scores below their mean; no sudden-loss rule, no two-session dip, repair on the exact level.
    pub fn naive(prior: PracticePrior) -> Self {
        RuptureConfig {
            dip: DipRule::ClientScoreSd { k: 2.0 },
            sudden_loss: None,
            confirmed_dip_k: None,
            repair_margin: 0.0,
            ..RuptureConfig::for_mode(Mode::Strict, prior)
        }
    }
}

/// Input that cannot form a session series.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SeriesError {
    #[error("session {session}: score {score} is not a finite number")]
    NonFinite { session: u32, score: f64 },
    #[error("session {session} does not come after session {previous}")]
    NotIncreasing { session: u32, previous: u32 },
}

/// Detect ruptures in one client's series (sorted by session) with optional reports (any
/// order; a report may fall on a session without a score).
pub fn detect_ruptures(
    scores: &[SessionScore],
    reports: &[RuptureReport],
    config: &RuptureConfig,
) -> Result<Vec<Rupture>, SeriesError> {
    check_sorted(scores)?;
    let mut reports = reports.to_vec();
    reports.sort_by_key(|r| r.session);
    let mut sessions: Vec<u32> = scores.iter().map(|s| s.session).chain(reports.iter().map(|r| r.session)).collect();
    sessions.sort_unstable();
    sessions.dedup();
    let mut tracker = RuptureTracker::new(config.clone());
    let (mut next_score, mut next_report) = (0, 0);
    for session in sessions {
        let score = match scores.get(next_score) {
            Some(s) if s.session == session => {
                next_score += 1;
                Some(s.score)
            }
            _ => None,
        };
        let first_report = next_report;
        while reports.get(next_report).is_some_and(|r| r.session == session) {
            next_report += 1;
        }
        tracker.push(session, score, &reports[first_report..next_report])?;
    }
    Ok(tracker.into_ruptures())
}

fn check_sorted(scores: &[SessionScore]) -> Result<(), SeriesError> {
    for pair in scores.windows(2) {
        if pair[1].session <= pair[0].session {
            return Err(SeriesError::NotIncreasing { session: pair[1].session, previous: pair[0].session });
        }
    }
    Ok(())
}
