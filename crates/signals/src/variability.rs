//! How much a client's alliance score moves from one session to the next.
//!
//! A client with few sessions says little about their own variability, so the client's estimate
//! is shrunk toward a practice-level prior:
//!
//! ```text
//! sigma^2 = (n0 * prior^2 + sum(d_i^2)) / (n0 + n)
//! ```
//!
//! where `d_i` are the client's own earlier session-to-session differences (excluding those
//! into and out of ruptures already flagged, so one rupture does not mask the next), `n` their
//! count and `n0` the weight of the prior in pseudo-differences. This is the posterior-mean form
//! of a variance with a conjugate prior worth `n0` observations: with no history sigma is the
//! practice's, and the client's own variability takes over as sessions accumulate. Differences
//! are taken about zero (root mean square) rather than about their mean: "no change" is the
//! reference, and the estimate exists from the first difference on.

use serde::{Deserialize, Serialize};

use crate::change::check_positive;
use crate::error::InvalidInput;

/// Scales a median absolute deviation to a normal SD.
const MAD_TO_SD: f64 = 1.4826;

/// Fewest practice differences from which a practice prior is estimated.
pub const MIN_PRACTICE_DIFFERENCES: usize = 20;

/// The practice's typical session-to-session SD of the alliance score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PracticePrior {
    pub sigma: f64,
}

impl PracticePrior {
    pub fn new(sigma: f64) -> Result<Self, InvalidInput> {
        check_positive("practice sigma", sigma)?;
        Ok(PracticePrior { sigma })
    }

    /// Estimate from many clients' series: `1.4826 * median(|d|)` over every consecutive
    /// difference. The median ignores the few large jumps that ruptures and repairs cause.
    /// `None` with fewer than [`MIN_PRACTICE_DIFFERENCES`] differences or zero spread.
    pub fn estimate<'a, I>(series: I) -> Option<Self>
    where
        I: IntoIterator<Item = &'a [f64]>,
    {
        let mut abs_diffs: Vec<f64> = series
            .into_iter()
            .flat_map(|s| s.windows(2).map(|w| (w[1] - w[0]).abs()))
            .filter(|d| d.is_finite())
            .collect();
        if abs_diffs.len() < MIN_PRACTICE_DIFFERENCES {
            return None;
        }
        abs_diffs.sort_by(f64::total_cmp);
        let sigma = MAD_TO_SD * median_of_sorted(&abs_diffs);
        PracticePrior::new(sigma).ok()
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Shrinkage settings for a client's sigma.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShrinkageConfig {
    pub prior: PracticePrior,
    /// `n0`: how many of the client's own differences the prior is worth.
    pub prior_weight: f64,
    /// Lower bound in scale points (instrument resolution): no client is treated as steadier.
    pub floor: f64,
}

/// Running sum of a client's own squared differences.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClientVariability {
    sum_squares: f64,
    count: usize,
}

impl ClientVariability {
    pub fn add_difference(&mut self, difference: f64) {
        if difference.is_finite() {
            self.sum_squares += difference * difference;
            self.count += 1;
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// The shrunk estimate, never below the floor.
    pub fn sigma(&self, config: &ShrinkageConfig) -> f64 {
        let n0 = config.prior_weight.max(0.0);
        let denominator = n0 + self.count as f64;
        let prior_ss = n0 * config.prior.sigma * config.prior.sigma;
        let shrunk =
            if denominator > 0.0 { ((prior_ss + self.sum_squares) / denominator).sqrt() } else { config.prior.sigma };
        shrunk.max(config.floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Result<ShrinkageConfig, InvalidInput> {
        Ok(ShrinkageConfig { prior: PracticePrior::new(2.0)?, prior_weight: 3.0, floor: 0.5 })
    }

    #[test]
    fn no_history_gives_the_prior() -> Result<(), InvalidInput> {
        assert_eq!(ClientVariability::default().sigma(&config()?), 2.0);
        Ok(())
    }

    #[test]
    fn own_history_takes_over() -> Result<(), InvalidInput> {
        let mut v = ClientVariability::default();
        for _ in 0..300 {
            v.add_difference(1.0);
            v.add_difference(-1.0);
        }
        let sigma = v.sigma(&config()?);
        assert!((sigma - 1.0).abs() < 0.01, "{sigma}");
        Ok(())
    }

    #[test]
    fn floor_applies() -> Result<(), InvalidInput> {
        let mut v = ClientVariability::default();
        for _ in 0..1000 {
            v.add_difference(0.0);
        }
        assert_eq!(v.sigma(&config()?), 0.5);
        Ok(())
    }

    #[test]
    fn prior_is_robust_to_one_jump() {
        let mut series: Vec<f64> = (0..30).map(|i| if i % 2 == 0 { 50.0 } else { 51.0 }).collect();
        series[10] = 20.0;
        let prior = PracticePrior::estimate([series.as_slice()]);
        assert_eq!(prior.map(|p| p.sigma), Some(MAD_TO_SD));
    }
}
