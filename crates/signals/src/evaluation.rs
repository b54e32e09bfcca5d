//! Accuracy of a rupture detector against planted ruptures.
//!
//! Matching rule: a detection matches a planted rupture of the same client whose session is
//! within `tolerance` sessions of the detected onset (±1 by default). Detections are taken in
//! session order; each takes the nearest still-unmatched planted rupture (the earlier one on a
//! tie), so each planted rupture and each detection is matched at most once.
//! - precision = matched detections / detections (0 when nothing was detected);
//! - recall = matched planted ruptures / planted ruptures;
//! - F1 = harmonic mean of the two;
//! - repair accuracy = share of matched pairs whose repaired flag agrees (a rupture still open
//!   at the end of the data counts as not repaired, as a lasting drop is in the truth file).

use std::collections::HashMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::csv_io::{CsvError, CsvProblem, RecordReader, parse_client, parse_finite, parse_session};

/// The truth file's columns.
pub const TRUTH_COLUMNS: [&str; 5] = ["client", "rupture_session", "magnitude", "repaired", "repair_session"];

/// Default matching tolerance in sessions.
pub const DEFAULT_TOLERANCE: u32 = 1;

/// One planted rupture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlantedRupture {
    pub client: String,
    pub rupture_session: u32,
    pub magnitude: f64,
    pub repaired: bool,
    pub repair_session: Option<u32>,
}

/// One detected rupture, reduced to what is compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub client: String,
    pub onset_session: u32,
    pub repaired: bool,
}

/// Read `client,rupture_session,magnitude,repaired,repair_session`.
pub fn read_truth_csv<R: Read>(input: R) -> Result<Vec<PlantedRupture>, CsvError> {
    let mut records = RecordReader::new(input);
    records.header(&TRUTH_COLUMNS)?;
    let mut planted = Vec::new();
    while let Some((line, f)) = records.next_record()? {
        let repaired = match f[3].as_str() {
            "1" => true,
            "0" => false,
            other => {
                return Err(CsvError {
                    line,
                    column: Some("repaired"),
                    problem: CsvProblem::NotANumber(crate::csv_io::echo(other)),
                });
            }
        };
        let repair_session = if f[4].is_empty() { None } else { Some(parse_session(line, "repair_session", &f[4])?) };
        planted.push(PlantedRupture {
            client: parse_client(line, "client", &f[0])?,
            rupture_session: parse_session(line, "rupture_session", &f[1])?,
            magnitude: parse_finite(line, "magnitude", &f[2])?,
            repaired,
            repair_session,
        });
    }
    Ok(planted)
}

/// Precision, recall, F1 and repair accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub detected: usize,
    pub planted: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub repair_agreements: usize,
    /// `None` when nothing matched.
    pub repair_accuracy: Option<f64>,
}

/// Compare detections with planted ruptures (see the module docs for the matching rule).
pub fn evaluate(detections: &[Detection], planted: &[PlantedRupture], tolerance: u32) -> Metrics {
    let mut by_client: HashMap<&str, Vec<(usize, &PlantedRupture)>> = HashMap::new();
    for (i, p) in planted.iter().enumerate() {
        by_client.entry(p.client.as_str()).or_default().push((i, p));
    }
    let mut order: Vec<&Detection> = detections.iter().collect();
    order.sort_by(|a, b| (&a.client, a.onset_session).cmp(&(&b.client, b.onset_session)));
    let mut taken = vec![false; planted.len()];
    let (mut matched, mut repair_agreements) = (0, 0);
    for detection in order {
        let candidates = by_client.get(detection.client.as_str());
        let best = candidates
            .into_iter()
            .flatten()
            .filter(|(i, p)| !taken[*i] && p.rupture_session.abs_diff(detection.onset_session) <= tolerance)
            .min_by_key(|(_, p)| (p.rupture_session.abs_diff(detection.onset_session), p.rupture_session));
        if let Some((i, p)) = best {
            taken[*i] = true;
            matched += 1;
            if p.repaired == detection.repaired {
                repair_agreements += 1;
            }
        }
    }
    let ratio = |num: usize, den: usize| if den == 0 { 0.0 } else { num as f64 / den as f64 };
    let precision = ratio(matched, detections.len());
    let recall = ratio(matched, planted.len());
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    Metrics {
        detected: detections.len(),
        planted: planted.len(),
        matched,
        precision,
        recall,
        f1,
        repair_agreements,
        repair_accuracy: (matched > 0).then(|| ratio(repair_agreements, matched)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted(client: &str, session: u32) -> PlantedRupture {
        PlantedRupture {
            client: client.to_owned(),
            rupture_session: session,
            magnitude: 5.0,
            repaired: true,
            repair_session: Some(session + 1),
        }
    }

    fn detected(client: &str, session: u32) -> Detection {
        Detection { client: client.to_owned(), onset_session: session, repaired: true }
    }

    #[test]
    fn each_truth_matches_once() {
        let truth = [planted("a", 5)];
        let found = [detected("a", 4), detected("a", 6), detected("b", 5)];
        let m = evaluate(&found, &truth, 1);
        assert_eq!((m.matched, m.detected, m.planted), (1, 3, 1));
        assert!((m.precision - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.recall, 1.0);
    }

    #[test]
    fn nothing_detected_is_zero_not_nan() {
        let m = evaluate(&[], &[planted("a", 3)], 1);
        assert_eq!((m.precision, m.recall, m.f1), (0.0, 0.0, 0.0));
        assert_eq!(m.repair_accuracy, None);
    }
}
