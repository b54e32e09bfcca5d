//! Sudden gains and losses: Tang & DeRubeis (1999) criteria as implemented in the R package
//! suddengains 0.7.2 (MIT; `identify_sg`, `identify_sl`, `check_interval`).
//!
//! For a change between sessions t-1 and t, in the direction being looked for:
//! 1. the change is at least an absolute cut-off;
//! 2. the change is at least `pct` (default 25 %) of the score at t-1;
//! 3. the mean of up to three scores before (t-3..t-1) and up to three after (t..t+2) differ by
//!    more than `c * pooled SD`, with c the two-tailed 5 % Student t for `n_pre + n_post - 2`
//!    degrees of freedom; at least two scores are needed on each side.
//!
//! One deliberate difference from the package: its `identify_sl` tests criterion 2 as
//! `x(t-1) - x(t) <= pct * x(t-1)`, which any worsening satisfies; here criterion 2 is applied
//! symmetrically to losses (the change in the worse direction is at least `pct` of x(t-1)),
//! as the criterion is stated (docs/SCIENCE.md#sudden-gains-and-losses).

use serde::{Deserialize, Serialize};

use crate::change::{Direction, check_finite, check_positive};
use crate::error::InvalidInput;

/// `|qt(0.025, df)|`: two-tailed 5 % critical values of Student's t, as computed by R's
/// `stats::qt` (which suddengains 0.7.2 calls); the package's documentation rounds them to
/// 4.303, 3.182 and 2.776 (Lutz et al. 2013 adjustment for missing sessions).
pub const T_CRITICAL_DF2: f64 = 4.302653;
/// See [`T_CRITICAL_DF2`].
pub const T_CRITICAL_DF3: f64 = 3.182446;
/// See [`T_CRITICAL_DF2`].
pub const T_CRITICAL_DF4: f64 = 2.776445;

/// The degrees of freedom criterion 3 can have (2 or 3 scores on each side).
pub fn t_critical(df: usize) -> Option<f64> {
    match df {
        2 => Some(T_CRITICAL_DF2),
        3 => Some(T_CRITICAL_DF3),
        4 => Some(T_CRITICAL_DF4),
        _ => None,
    }
}

/// Whether a gain (change toward better) or a loss (toward worse) is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuddenKind {
    Gain,
    Loss,
}

/// Parameters of the three criteria.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SuddenChangeCriteria {
    /// Criterion 1: minimum absolute change in points (positive; e.g. the reliable-change value).
    pub cutoff: f64,
    /// Criterion 2: minimum change as a share of the score at t-1 (package default 0.25).
    pub pct: f64,
}

impl SuddenChangeCriteria {
    pub fn new(cutoff: f64) -> Result<Self, InvalidInput> {
        check_positive("cutoff", cutoff)?;
        Ok(SuddenChangeCriteria { cutoff, pct: 0.25 })
    }
}

/// The outcome of each criterion for one interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IntervalCheck {
    pub crit1: bool,
    pub crit2: bool,
    pub crit3: bool,
    pub mean_pre: f64,
    pub mean_post: f64,
    pub pooled_sd: f64,
    pub critical_value: f64,
}

impl IntervalCheck {
    pub fn is_sudden(&self) -> bool {
        self.crit1 && self.crit2 && self.crit3
    }
}

/// Check one interval. `pre` holds up to three scores ending at t-1, `post` up to three
/// starting at t (`None` = missing). Returns `None` when the interval cannot be judged:
/// t-1 or t missing, fewer than two scores on a side, more than three, or non-finite input.
pub fn check_interval(
    pre: &[Option<f64>],
    post: &[Option<f64>],
    criteria: &SuddenChangeCriteria,
    direction: Direction,
    kind: SuddenKind,
) -> Option<IntervalCheck> {
    check_positive("cutoff", criteria.cutoff).ok()?;
    check_finite("pct", criteria.pct).ok()?;
    if pre.len() > 3 || post.len() > 3 {
        return None;
    }
    let before = (*pre.last()?)?;
    let after = (*post.first()?)?;
    let pre_values: Vec<f64> = pre.iter().flatten().copied().collect();
    let post_values: Vec<f64> = post.iter().flatten().copied().collect();
    if pre_values.len() < 2 || post_values.len() < 2 {
        return None;
    }
    if pre_values.iter().chain(&post_values).any(|v| !v.is_finite()) {
        return None;
    }
    // Positive when the change goes the way we are looking for.
    let sign = match kind {
        SuddenKind::Gain => 1.0,
        SuddenKind::Loss => -1.0,
    };
    let change = sign * direction.improvement(before, after);
    let (mean_pre, var_pre) = mean_and_variance(&pre_values);
    let (mean_post, var_post) = mean_and_variance(&post_values);
    let (n_pre, n_post) = (pre_values.len() as f64, post_values.len() as f64);
    let pooled_sd = (((n_pre - 1.0) * var_pre + (n_post - 1.0) * var_post) / (n_pre + n_post - 2.0)).sqrt();
    let critical_value = t_critical(pre_values.len() + post_values.len() - 2)?;
    let mean_change = sign * direction.improvement(mean_pre, mean_post);
    Some(IntervalCheck {
        crit1: change >= criteria.cutoff,
        crit2: change >= criteria.pct * before.abs(),
        crit3: mean_change > critical_value * pooled_sd,
        mean_pre,
        mean_post,
        pooled_sd,
        critical_value,
    })
}

/// A sudden change between two consecutive measurement points (1-based positions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SuddenChange {
    pub pre_position: usize,
    pub post_position: usize,
    /// Size of the change in points, positive in the direction looked for.
    pub magnitude: f64,
}

/// Every sudden gain or loss in one series, scanning as suddengains does with
/// `identify_sg_1to2 = FALSE`: the first interval is 2 to 3, the last ends one before the end
/// (so at least two post scores exist).
pub fn sudden_changes(
    scores: &[Option<f64>],
    criteria: &SuddenChangeCriteria,
    direction: Direction,
    kind: SuddenKind,
) -> Vec<SuddenChange> {
    let n = scores.len();
    (2..n.saturating_sub(1))
        .filter_map(|t| {
            let pre = &scores[t.saturating_sub(3)..t];
            let post = &scores[t..(t + 3).min(n)];
            let check = check_interval(pre, post, criteria, direction, kind)?;
            let (before, after) = (scores[t - 1]?, scores[t]?);
            check.is_sudden().then(|| SuddenChange {
                pre_position: t,
                post_position: t + 1,
                magnitude: (after - before).abs(),
            })
        })
        .collect()
}

/// Sample mean and variance (n - 1 denominator, as R's `sd`).
pub(crate) fn mean_and_variance(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, f64::NAN);
    }
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (mean, ss / (n - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_two_scores_each_side() -> Result<(), InvalidInput> {
        let criteria = SuddenChangeCriteria::new(7.0)?;
        let check = check_interval(
            &[None, Some(31.0)],
            &[Some(5.0), Some(6.0)],
            &criteria,
            Direction::LowerIsBetter,
            SuddenKind::Gain,
        );
        assert!(check.is_none());
        Ok(())
    }

    #[test]
    fn package_example_with_missing_values_is_a_loss() -> Result<(), InvalidInput> {
        // suddengains `check_interval` example: pre (5, NA, 7), post (16, 12, 14), cut-off 7.
        let criteria = SuddenChangeCriteria::new(7.0)?;
        let check = check_interval(
            &[Some(5.0), None, Some(7.0)],
            &[Some(16.0), Some(12.0), Some(14.0)],
            &criteria,
            Direction::LowerIsBetter,
            SuddenKind::Loss,
        );
        assert_eq!(check.map(|c| c.critical_value), Some(T_CRITICAL_DF3));
        assert_eq!(check.map(|c| c.is_sudden()), Some(true));
        Ok(())
    }
}
