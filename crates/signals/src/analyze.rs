//! Whole-practice rupture analysis: what `alliance analyze ruptures` runs.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::csv_io::{ClientSeries, CsvError, read_alliance_csv, write_ruptures_csv};
use crate::evaluation::Detection;
use crate::rupture::{Mode, RepairStatus, Rupture, RuptureConfig, SeriesError, detect_ruptures};
use crate::variability::{MIN_PRACTICE_DIFFERENCES, PracticePrior};

/// A client's detected ruptures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRuptures {
    pub client: String,
    pub ruptures: Vec<Rupture>,
}

/// Run the detector over every client.
pub fn detect_practice(series: &[ClientSeries], config: &RuptureConfig) -> Result<Vec<ClientRuptures>, SeriesError> {
    series
        .iter()
        .map(|s| Ok(ClientRuptures { client: s.client.clone(), ruptures: detect_ruptures(&s.scores, &[], config)? }))
        .collect()
}

/// Flatten for [`crate::evaluation::evaluate`]; open ruptures count as not repaired.
pub fn detections(results: &[ClientRuptures]) -> Vec<Detection> {
    results
        .iter()
        .flat_map(|c| {
            c.ruptures.iter().map(|r| Detection {
                client: c.client.clone(),
                onset_session: r.onset_session,
                repaired: r.is_repaired(),
            })
        })
        .collect()
}

/// The practice prior estimated from the series themselves.
pub fn practice_prior(series: &[ClientSeries]) -> Option<PracticePrior> {
    let values: Vec<Vec<f64>> = series.iter().map(ClientSeries::values).collect();
    PracticePrior::estimate(values.iter().map(Vec::as_slice)).or_else(|| {
        // Scores at the ceiling make most differences zero and the median of them zero. With enough pairs and
        // some movement, fall back to the sigma floor (one scale point) rather than refusing the practice.
        let diffs: Vec<f64> = values.iter().flat_map(|v| v.windows(2).map(|w| (w[1] - w[0]).abs())).collect();
        let moving = diffs.iter().any(|d| *d > 0.0);
        (diffs.len() >= MIN_PRACTICE_DIFFERENCES && moving)
            .then(|| PracticePrior::new(crate::rupture::DEFAULT_SIGMA_FLOOR).ok())
            .flatten()
    })
}

/// Counts reported after an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSummary {
    pub clients: usize,
    pub sessions: usize,
    pub prior_sigma: f64,
    pub ruptures: usize,
    pub repaired: usize,
    pub unrepaired: usize,
    pub open: usize,
}

#[derive(Debug, Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Csv(#[from] CsvError),
    #[error("client {client}: {source}")]
    Series { client: String, source: SeriesError },
    #[error(
        "too little data to estimate the practice's session-to-session variability: it needs \
         {MIN_PRACTICE_DIFFERENCES} consecutive pairs of scores and some change between them"
    )]
    TooLittleData,
    #[error("writing the output failed: {0}")]
    Write(#[from] std::io::Error),
}

/// Read alliance scores, detect ruptures in `mode` with a practice prior estimated from the
/// same file, and write the rupture CSV.
pub fn analyze_ruptures<R: Read, W: Write>(input: R, output: W, mode: Mode) -> Result<AnalysisSummary, AnalyzeError> {
    let series = read_alliance_csv(input)?;
    let prior = practice_prior(&series).ok_or(AnalyzeError::TooLittleData)?;
    let config = RuptureConfig::for_mode(mode, prior);
    let mut results = Vec::with_capacity(series.len());
    for s in &series {
        let ruptures = detect_ruptures(&s.scores, &[], &config)
            .map_err(|source| AnalyzeError::Series { client: s.client.clone(), source })?;
        results.push(ClientRuptures { client: s.client.clone(), ruptures });
    }
    let rows = results.iter().flat_map(|c| c.ruptures.iter().map(move |r| (c.client.as_str(), r)));
    write_ruptures_csv(output, rows)?;
    let all: Vec<&Rupture> = results.iter().flat_map(|c| &c.ruptures).collect();
    let count = |f: fn(&RepairStatus) -> bool| all.iter().filter(|r| f(&r.repair)).count();
    Ok(AnalysisSummary {
        clients: series.len(),
        sessions: series.iter().map(|s| s.scores.len()).sum(),
        prior_sigma: prior.sigma,
        ruptures: all.len(),
        repaired: count(|r| matches!(r, RepairStatus::Repaired { .. })),
        unrepaired: count(|r| matches!(r, RepairStatus::Unrepaired { .. })),
        open: count(|r| matches!(r, RepairStatus::Open)),
    })
}
