//! Reliable and clinically significant change (Jacobson & Truax 1991; docs/SCIENCE.md#reliable-change and
//! docs/SCIENCE.md#clinical-significance).
//!
//! ```text
//! SE     = s1 * sqrt(1 - r_xx)
//! S_diff = sqrt(2 * SE^2)
//! RCI    = (x2 - x1) / S_diff          reliable when |RCI| > 1.96
//! a = M_clin -/+ 2 SD_clin (toward the functional side)
//! b = M_func +/- 2 SD_func (toward the clinical side; the FUNCTIONAL SD)
//! c = (SD_clin * M_func + SD_func * M_clin) / (SD_clin + SD_func)
//! ```
//! Where an instrument publishes its own reliable-change value (PHQ-9: 6, GAD-7: 4) that value
//! is used instead of the RCI.

use serde::{Deserialize, Serialize};

use crate::error::InvalidInput;

/// |RCI| must exceed this for a change to be reliable (two-tailed p < .05).
pub const RCI_CRITICAL: f64 = 1.96;

/// Which way an instrument's scores point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    /// Change expressed so that positive means "better".
    pub fn improvement(self, pre: f64, post: f64) -> f64 {
        match self {
            Direction::HigherIsBetter => post - pre,
            Direction::LowerIsBetter => pre - post,
        }
    }
}

/// Standard error of measurement: `SE = s1 * sqrt(1 - r_xx)`.
pub fn standard_error(sd_pre: f64, reliability: f64) -> Result<f64, InvalidInput> {
    check_positive("sd_pre", sd_pre)?;
    if !(reliability.is_finite() && (0.0..1.0).contains(&reliability)) {
        return Err(InvalidInput::new("reliability", reliability, "must be in [0, 1)"));
    }
    Ok(sd_pre * (1.0 - reliability).sqrt())
}

/// Standard error of the difference between two scores: `S_diff = sqrt(2 SE^2)`.
pub fn standard_error_of_difference(standard_error: f64) -> f64 {
    (2.0 * standard_error * standard_error).sqrt()
}

/// Reliable change index `(x2 - x1) / S_diff`, signed in the raw score direction.
pub fn reliable_change_index(pre: f64, post: f64, s_diff: f64) -> Result<f64, InvalidInput> {
    check_finite("pre", pre)?;
    check_finite("post", post)?;
    check_positive("s_diff", s_diff)?;
    Ok((post - pre) / s_diff)
}

/// Norms of the clinical and functional (non-clinical) populations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Norms {
    pub clinical_mean: f64,
    pub clinical_sd: f64,
    pub functional_mean: f64,
    pub functional_sd: f64,
}

impl Norms {
    fn validate(&self) -> Result<(), InvalidInput> {
        check_finite("clinical_mean", self.clinical_mean)?;
        check_finite("functional_mean", self.functional_mean)?;
        check_positive("clinical_sd", self.clinical_sd)?;
        check_positive("functional_sd", self.functional_sd)
    }

    /// Cut-off a: two clinical SDs from the clinical mean, toward the functional side.
    pub fn cutoff_a(&self, direction: Direction) -> Result<f64, InvalidInput> {
        self.validate()?;
        Ok(self.clinical_mean + toward_better(direction) * 2.0 * self.clinical_sd)
    }

    /// Cut-off b: two FUNCTIONAL SDs from the functional mean, toward the clinical side.
    /// (Some software uses the clinical SD here, which is wrong; see docs/SCIENCE.md#clinical-significance.)
    pub fn cutoff_b(&self, direction: Direction) -> Result<f64, InvalidInput> {
        self.validate()?;
        Ok(self.functional_mean - toward_better(direction) * 2.0 * self.functional_sd)
    }

    /// Cut-off c: the point between the two distributions weighted by their SDs.
    pub fn cutoff_c(&self) -> Result<f64, InvalidInput> {
        self.validate()?;
        Ok((self.clinical_sd * self.functional_mean + self.functional_sd * self.clinical_mean)
            / (self.clinical_sd + self.functional_sd))
    }
}

fn toward_better(direction: Direction) -> f64 {
    match direction {
        Direction::HigherIsBetter => 1.0,
        Direction::LowerIsBetter => -1.0,
    }
}

/// How large a change must be to count as reliable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ReliableChangeRule {
    /// The instrument's published value; a change of at least this many points is reliable.
    Published { points: f64 },
    /// Jacobson & Truax: reliable when |change / S_diff| > 1.96.
    Rci { s_diff: f64 },
}

/// Everything needed to classify a pre-post change on one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangeCriteria {
    pub direction: Direction,
    pub reliable_change: ReliableChangeRule,
    /// Clinical cut-off; a score exactly at the cut-off counts as clinical.
    pub cutoff: f64,
}

impl ChangeCriteria {
    /// PHQ-9: lower is better, caseness at 10, reliable change 6 (NHS Talking Therapies) [V].
    pub fn phq9() -> Self {
        ChangeCriteria {
            direction: Direction::LowerIsBetter,
            reliable_change: ReliableChangeRule::Published { points: 6.0 },
            cutoff: 10.0,
        }
    }

    /// GAD-7: lower is better, caseness at 8 (NHS Talking Therapies), reliable change 4 [V].
    pub fn gad7() -> Self {
        ChangeCriteria {
            direction: Direction::LowerIsBetter,
            reliable_change: ReliableChangeRule::Published { points: 4.0 },
            cutoff: 8.0,
        }
    }

    /// Whether a score lies on the clinical side of the cut-off.
    pub fn is_clinical(&self, score: f64) -> bool {
        match self.direction {
            Direction::LowerIsBetter => score >= self.cutoff,
            Direction::HigherIsBetter => score <= self.cutoff,
        }
    }
}

/// Jacobson & Truax categories. `Harmed` is this project's mirror of `Recovered`: reliably
/// deteriorated AND moved from the functional to the clinical side of the cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeCategory {
    Recovered,
    ReliablyImproved,
    Unchanged,
    ReliablyDeteriorated,
    Harmed,
}

/// Result of classifying one pre-post pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangeOutcome {
    /// Raw change `post - pre`.
    pub change: f64,
    /// RCI when the rule is [`ReliableChangeRule::Rci`].
    pub rci: Option<f64>,
    pub category: ChangeCategory,
}

/// Classify a change from `pre` to `post`.
pub fn classify_change(criteria: &ChangeCriteria, pre: f64, post: f64) -> Result<ChangeOutcome, InvalidInput> {
    check_finite("pre", pre)?;
    check_finite("post", post)?;
    check_finite("cutoff", criteria.cutoff)?;
    let improvement = criteria.direction.improvement(pre, post);
    let (reliable, rci) = match criteria.reliable_change {
        ReliableChangeRule::Published { points } => {
            check_positive("published reliable change", points)?;
            (improvement.abs() >= points, None)
        }
        ReliableChangeRule::Rci { s_diff } => {
            let rci = reliable_change_index(pre, post, s_diff)?;
            (rci.abs() > RCI_CRITICAL, Some(rci))
        }
    };
    let (was_clinical, is_clinical) = (criteria.is_clinical(pre), criteria.is_clinical(post));
    let category = match (reliable, improvement > 0.0) {
        (false, _) => ChangeCategory::Unchanged,
        (true, true) if was_clinical && !is_clinical => ChangeCategory::Recovered,
        (true, true) => ChangeCategory::ReliablyImproved,
        (true, false) if !was_clinical && is_clinical => ChangeCategory::Harmed,
        (true, false) => ChangeCategory::ReliablyDeteriorated,
    };
    Ok(ChangeOutcome { change: post - pre, rci, category })
}

/// Convert a correlation to Cohen's d: `d = 2r / sqrt(1 - r^2)`.
pub fn r_to_d(r: f64) -> Result<f64, InvalidInput> {
    if !(r.is_finite() && r > -1.0 && r < 1.0) {
        return Err(InvalidInput::new("r", r, "must be in (-1, 1)"));
    }
    Ok(2.0 * r / (1.0 - r * r).sqrt())
}

pub(crate) fn check_finite(name: &'static str, value: f64) -> Result<(), InvalidInput> {
    if value.is_finite() { Ok(()) } else { Err(InvalidInput::new(name, value, "must be finite")) }
}

pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<(), InvalidInput> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(InvalidInput::new(name, value, "must be finite and > 0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_threshold_is_inclusive() -> Result<(), InvalidInput> {
        let phq9 = ChangeCriteria::phq9();
        let six_down = classify_change(&phq9, 12.0, 6.0)?;
        assert_eq!(six_down.category, ChangeCategory::Recovered);
        let five_down = classify_change(&phq9, 12.0, 7.0)?;
        assert_eq!(five_down.category, ChangeCategory::Unchanged);
        Ok(())
    }

    #[test]
    fn harmed_needs_crossing_into_clinical_range() -> Result<(), InvalidInput> {
        let phq9 = ChangeCriteria::phq9();
        assert_eq!(classify_change(&phq9, 4.0, 12.0)?.category, ChangeCategory::Harmed);
        assert_eq!(classify_change(&phq9, 12.0, 20.0)?.category, ChangeCategory::ReliablyDeteriorated);
        Ok(())
    }

    #[test]
    fn rejects_bad_reliability() {
        assert!(standard_error(10.0, 1.0).is_err());
        assert!(standard_error(10.0, f64::NAN).is_err());
        assert!(standard_error(-1.0, 0.5).is_err());
    }
}
