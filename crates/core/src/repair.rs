//! Repair that is tracked (issue 18). With a rupture signal the therapist sees strategies matched to the
//! rupture's kind (withdrawal or confrontation) and to an approach (immediate: address the task or goal
//! directly; exploratory: explore what happened between the two of them), after Safran & Muran (2000) and
//! Eubanks, Muran & Safran (2018); docs/SCIENCE.md#repair-strategies. The therapist records what they tried,
//! and the next relationship checks say whether the alliance came back.

use alliance_signals::rupture::{RepairStatus, Rupture, RuptureKind};
use serde::Serialize;

/// Immediate strategies address the task or goal at hand; exploratory ones make the strain itself the topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Approach {
    Immediate,
    Exploratory,
}

/// One repair strategy, worded in the message files under `repair-strategy-<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Strategy {
    /// Stable code stored with each attempt.
    pub code: &'static str,
    /// The kind of rupture it answers; `None` fits either.
    pub kind: Option<RuptureKind>,
    pub approach: Approach,
    /// The message naming the strategy.
    pub message: &'static str,
}

const fn strategy(
    code: &'static str,
    kind: Option<RuptureKind>,
    approach: Approach,
    message: &'static str,
) -> Strategy {
    Strategy { code, kind, approach, message }
}

/// The catalogue. Codes are stored: never rename one; add new ones.
pub const STRATEGIES: [Strategy; 9] = [
    strategy("clarify-rationale", None, Approach::Immediate, "repair-strategy-clarify-rationale"),
    strategy("adjust-task", Some(RuptureKind::Withdrawal), Approach::Immediate, "repair-strategy-adjust-task"),
    strategy(
        "invite-disagreement",
        Some(RuptureKind::Withdrawal),
        Approach::Exploratory,
        "repair-strategy-invite-disagreement",
    ),
    strategy(
        "name-withdrawal",
        Some(RuptureKind::Withdrawal),
        Approach::Exploratory,
        "repair-strategy-name-withdrawal",
    ),
    strategy(
        "acknowledge-part",
        Some(RuptureKind::Confrontation),
        Approach::Immediate,
        "repair-strategy-acknowledge-part",
    ),
    strategy("change-goal", Some(RuptureKind::Confrontation), Approach::Immediate, "repair-strategy-change-goal"),
    strategy("explore-anger", Some(RuptureKind::Confrontation), Approach::Exploratory, "repair-strategy-explore-anger"),
    strategy("metacommunicate", None, Approach::Exploratory, "repair-strategy-metacommunicate"),
    strategy("link-pattern", None, Approach::Exploratory, "repair-strategy-link-pattern"),
];

pub fn strategy_by_code(code: &str) -> Option<&'static Strategy> {
    STRATEGIES.iter().find(|s| s.code == code)
}

/// The strategies for a rupture of this kind: those matched to it first, then those that fit either kind,
/// immediate before exploratory within each. Strategies for the other kind are left out; with no kind known,
/// every strategy, general ones first.
pub fn strategies_for(kind: Option<RuptureKind>) -> Vec<&'static Strategy> {
    let mut fitting: Vec<&Strategy> =
        STRATEGIES.iter().filter(|s| kind.is_none() || s.kind.is_none() || s.kind == kind).collect();
    fitting.sort_by_key(|s| (s.kind.is_none() == kind.is_some(), s.approach == Approach::Exploratory));
    fitting
}

/// What followed a repair attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RepairOutcome {
    /// The alliance came back to its level before the rupture at this session, at or after the attempt.
    CameBack { session: u32 },
    /// The repair window passed without it coming back.
    NotBack,
    /// Checks were read after the attempt and the alliance is not back yet; the window is still open.
    NotYet,
    /// No relationship check has been read since the attempt.
    NoCheckSince,
    /// The alliance was already back before the attempt.
    BackBefore,
}

impl RepairOutcome {
    /// Whether the outcome is settled, so a research table may count it.
    pub fn decided(self) -> Option<bool> {
        match self {
            RepairOutcome::CameBack { .. } => Some(true),
            RepairOutcome::NotBack => Some(false),
            _ => None,
        }
    }
}

/// What followed an attempt made at session `tried_at` on `rupture`, given the sessions with a client
/// relationship check (`scored`). The rupture's own repair status (docs/SCIENCE.md#repair) decides.
pub fn outcome(rupture: &Rupture, tried_at: u32, scored: &[u32]) -> RepairOutcome {
    match rupture.repair {
        RepairStatus::Repaired { session, .. } if session >= tried_at => RepairOutcome::CameBack { session },
        RepairStatus::Repaired { .. } => RepairOutcome::BackBefore,
        RepairStatus::Unrepaired { .. } => RepairOutcome::NotBack,
        RepairStatus::Open if scored.iter().any(|s| *s >= tried_at) => RepairOutcome::NotYet,
        RepairStatus::Open => RepairOutcome::NoCheckSince,
    }
}

/// The rupture an attempt belongs to: the latest with its onset at or before the attempt's session.
pub fn rupture_for(ruptures: &[Rupture], tried_at: u32) -> Option<&Rupture> {
    ruptures.iter().filter(|r| r.onset_session <= tried_at).max_by_key(|r| r.onset_session)
}

/// One strategy's row in the research table: attempts with a decided outcome, and the clients behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyRow {
    pub code: &'static str,
    pub attempts: usize,
    pub clients: usize,
    pub came_back: usize,
}

/// Smallest number of clients a research cell shows (docs/SCIENCE.md#small-cells).
pub const MIN_CELL_CLIENTS: usize = 5;

impl StrategyRow {
    /// The share of attempts after which the alliance came back, or `None` when the cell is too small to show.
    pub fn came_back_share(&self) -> Option<f64> {
        (self.clients >= MIN_CELL_CLIENTS && self.attempts > 0).then(|| self.came_back as f64 / self.attempts as f64)
    }
}

/// The research table: per strategy, attempts whose outcome is decided, `(client, strategy code, outcome)`.
pub fn strategy_table(attempts: &[(i64, &str, RepairOutcome)]) -> Vec<StrategyRow> {
    STRATEGIES
        .iter()
        .map(|s| {
            let decided: Vec<(i64, bool)> = attempts
                .iter()
                .filter(|(_, code, _)| *code == s.code)
                .filter_map(|(client, _, o)| o.decided().map(|back| (*client, back)))
                .collect();
            let mut clients: Vec<i64> = decided.iter().map(|d| d.0).collect();
            clients.sort_unstable();
            clients.dedup();
            StrategyRow {
                code: s.code,
                attempts: decided.len(),
                clients: clients.len(),
                came_back: decided.iter().filter(|d| d.1).count(),
            }
        })
        .collect()
}
