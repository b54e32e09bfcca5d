//! The score-based dip tests.

use serde::{Deserialize, Serialize};

use crate::sudden::mean_and_variance;

/// The level a new score is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reference {
    /// a(t-1): the rule exactly as the science reference writes it (docs/SCIENCE.md#dip-rule).
    PreviousScore,
    /// Mean of up to `sessions` scores before t (the recommended default, 3). One earlier
    /// score is itself noisy: a high reading at t-1 makes an ordinary t look like a dip, and a
    /// fall spread over two sessions hides from a lag-1 comparison. The mean of three has a
    /// third of the variance. The same level is what a repair must reach again.
    RecentMean { sessions: usize },
}

/// How a dip is judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum DipRule {
    /// `a(t) < reference - k * sigma`, sigma the client's shrunk session-to-session SD.
    Personal { k: f64, reference: Reference },
    /// Naive baseline: `a(t) < mean(earlier) - k * SD(earlier scores)`.
    ClientScoreSd { k: f64 },
    /// OpenFIT-style product rule: the score dropped by one point or more from the last one.
    DropOfOnePoint,
}

/// A dip test's verdict at one session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DipCheck {
    /// The pre-rupture level the score was compared with.
    pub reference: f64,
    pub is_dip: bool,
}

impl DipRule {
    /// Judge `score` against the earlier scores `history` (oldest first, non-empty).
    pub(crate) fn check(&self, history: &[f64], score: f64, sigma: f64) -> Option<DipCheck> {
        let previous = *history.last()?;
        let (reference, is_dip) = match *self {
            DipRule::Personal { k, reference } => {
                let level = match reference {
                    Reference::PreviousScore => previous,
                    Reference::RecentMean { sessions } => {
                        let from = history.len().saturating_sub(sessions.max(1));
                        mean_and_variance(&history[from..]).0
                    }
                };
                (level, score < level - k * sigma)
            }
            DipRule::ClientScoreSd { k } => {
                let (mean, variance) = mean_and_variance(history);
                if !variance.is_finite() {
                    return None;
                }
                (mean, score < mean - k * variance.sqrt())
            }
            DipRule::DropOfOnePoint => (previous, score <= previous - 1.0),
        };
        Some(DipCheck { reference, is_dip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_point_drop_counts_at_the_threshold() {
        let check = DipRule::DropOfOnePoint.check(&[40.0, 36.0], 35.0, 1.0);
        assert_eq!(check.map(|c| c.is_dip), Some(true));
        let check = DipRule::DropOfOnePoint.check(&[40.0, 36.0], 35.5, 1.0);
        assert_eq!(check.map(|c| c.is_dip), Some(false));
    }

    #[test]
    fn recent_mean_uses_last_sessions_only() {
        let rule = DipRule::Personal { k: 2.0, reference: Reference::RecentMean { sessions: 3 } };
        let check = rule.check(&[10.0, 50.0, 50.0, 50.0], 45.0, 2.0);
        assert_eq!(check.map(|c| c.reference), Some(50.0));
        assert_eq!(check.map(|c| c.is_dip), Some(true));
    }
}
