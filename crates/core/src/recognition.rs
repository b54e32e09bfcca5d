//! The rupture-recognition loop (issue 18): the therapist predicts, in the reflection, how the client will rate
//! the session and whether they will report a strain; the client's check is read beside the prediction. Over
//! time the therapist sees how often they spotted the strains clients reported, for reflection, not rating.
//! Recognised ruptures did not harm the next session's symptoms where unrecognised ones did (Chen et al. 2018;
//! docs/SCIENCE.md#rupture-recognition).
//!
//! Only predictions recorded before the client's check arrived count in the summary: one written with the
//! answers in view is not a prediction.

use serde::Serialize;

/// One session's prediction and what the client said.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PredictionPair {
    pub session: u32,
    /// The therapist's predicted rating on the check's per-item scale, 1-5.
    pub predicted_rating: Option<f64>,
    /// Whether the therapist expects the client to report a strain.
    pub predicted_strain: Option<bool>,
    /// The client's alliance as a mean per item, 1-5 (the check's total over its six items).
    pub client_rating: Option<f64>,
    /// Whether the client reported a moment that felt off.
    pub client_strain: Option<bool>,
    /// The reflection was saved before the client's check arrived.
    pub before_check: bool,
}

/// How a strain prediction turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StrainMatch {
    /// The client reported a strain the therapist expected.
    Spotted,
    /// The client reported a strain the therapist did not expect.
    Missed,
    /// The therapist expected a strain the client did not report.
    NotReported,
    /// Neither expected nor reported.
    BothNone,
}

impl PredictionPair {
    pub fn strain_match(&self) -> Option<StrainMatch> {
        Some(match (self.predicted_strain?, self.client_strain?) {
            (true, true) => StrainMatch::Spotted,
            (false, true) => StrainMatch::Missed,
            (true, false) => StrainMatch::NotReported,
            (false, false) => StrainMatch::BothNone,
        })
    }

    /// Predicted minus the client's rating: above zero, the therapist expected more than the client gave.
    pub fn rating_gap(&self) -> Option<f64> {
        Some(self.predicted_rating? - self.client_rating?)
    }
}

/// The client's alliance total on the relationship check as a mean per item, on the prediction's scale.
pub fn per_item(alliance_total: f64) -> f64 {
    alliance_total / 6.0
}

/// A therapist's record of spotting strains, over the predictions made before the client's check arrived.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct RecognitionSummary {
    /// Sessions with a prediction and the client's answer, both about strain.
    pub compared: usize,
    pub reported: usize,
    pub spotted: usize,
    pub missed: usize,
    pub not_reported: usize,
    /// Sessions with both a predicted and a client rating.
    pub rated: usize,
    /// Mean of predicted minus client rating: positive, the therapist tends to expect more.
    pub mean_gap: Option<f64>,
    /// Mean absolute difference between predicted and client rating.
    pub mean_abs_gap: Option<f64>,
}

impl RecognitionSummary {
    /// The share of client-reported strains that the therapist expected.
    pub fn spotted_share(&self) -> Option<f64> {
        (self.reported > 0).then(|| self.spotted as f64 / self.reported as f64)
    }
}

pub fn summarise(pairs: &[PredictionPair]) -> RecognitionSummary {
    let blind: Vec<&PredictionPair> = pairs.iter().filter(|p| p.before_check).collect();
    let mut summary = RecognitionSummary::default();
    for m in blind.iter().filter_map(|p| p.strain_match()) {
        summary.compared += 1;
        match m {
            StrainMatch::Spotted => summary.spotted += 1,
            StrainMatch::Missed => summary.missed += 1,
            StrainMatch::NotReported => summary.not_reported += 1,
            StrainMatch::BothNone => {}
        }
    }
    summary.reported = summary.spotted + summary.missed;
    let gaps: Vec<f64> = blind.iter().filter_map(|p| p.rating_gap()).collect();
    summary.rated = gaps.len();
    if !gaps.is_empty() {
        let n = gaps.len() as f64;
        summary.mean_gap = Some(gaps.iter().sum::<f64>() / n);
        summary.mean_abs_gap = Some(gaps.iter().map(|g| g.abs()).sum::<f64>() / n);
    }
    summary
}
