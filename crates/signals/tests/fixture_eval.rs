//! Accuracy against the planted ruptures in `fixtures/ruptures_practice*.csv` (300 synthetic
//! clients). The truth file is used only here, to score the detectors; nothing in the detector
//! is estimated from it. Clients are also split by id parity to show both halves.

use alliance_signals::analyze::{detect_practice, detections, practice_prior};
use alliance_signals::csv_io::{ClientSeries, read_alliance_csv};
use alliance_signals::evaluation::{DEFAULT_TOLERANCE, Metrics, PlantedRupture, evaluate, read_truth_csv};
use alliance_signals::rupture::{DipRule, Mode, Reference, RuptureConfig};

const SCORES: &[u8] = include_bytes!("fixtures/ruptures_practice.csv");
const TRUTH: &[u8] = include_bytes!("fixtures/ruptures_practice.truth.csv");

struct Fixture {
    series: Vec<ClientSeries>,
    truth: Vec<PlantedRupture>,
}

fn fixture() -> Fixture {
    Fixture { series: read_alliance_csv(SCORES).unwrap(), truth: read_truth_csv(TRUTH).unwrap() }
}

#[derive(Clone, Copy, Debug)]
enum Half {
    All,
    Odd,
    Even,
}

impl Half {
    fn keeps(self, client: &str) -> bool {
        let id: u32 = client.parse().unwrap();
        match self {
            Half::All => true,
            Half::Odd => !id.is_multiple_of(2),
            Half::Even => id.is_multiple_of(2),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Detector {
    Strict,
    Lenient,
    /// The rule exactly as written: a(t) < a(t-1) - 2 sigma (same shrunk sigma).
    StrictPreviousScore,
    NaiveClientSd,
    NaiveOnePoint,
}

fn run(f: &Fixture, detector: Detector, half: Half) -> Metrics {
    let series: Vec<ClientSeries> = f.series.iter().filter(|s| half.keeps(&s.client)).cloned().collect();
    let truth: Vec<PlantedRupture> = f.truth.iter().filter(|t| half.keeps(&t.client)).cloned().collect();
    let prior = practice_prior(&series).unwrap();
    let config = match detector {
        Detector::Strict => RuptureConfig::for_mode(Mode::Strict, prior),
        Detector::Lenient => RuptureConfig::for_mode(Mode::Lenient, prior),
        Detector::StrictPreviousScore => RuptureConfig {
            dip: DipRule::Personal { k: 2.0, reference: Reference::PreviousScore },
            ..RuptureConfig::for_mode(Mode::Strict, prior)
        },
        Detector::NaiveClientSd => RuptureConfig::naive(prior),
        Detector::NaiveOnePoint => RuptureConfig { dip: DipRule::DropOfOnePoint, ..RuptureConfig::naive(prior) },
    };
    let results = detect_practice(&series, &config).unwrap();
    evaluate(&detections(&results), &truth, DEFAULT_TOLERANCE)
}

#[test]
fn report_all_detectors() {
    let f = fixture();
    for detector in [
        Detector::Strict,
        Detector::Lenient,
        Detector::StrictPreviousScore,
        Detector::NaiveClientSd,
        Detector::NaiveOnePoint,
    ] {
        for half in [Half::All, Half::Odd, Half::Even] {
            let m = run(&f, detector, half);
            eprintln!(
                "{detector:?} {half:?}: detected {} planted {} matched {} precision {:.3} \
                 recall {:.3} F1 {:.3} repair accuracy {:.3}",
                m.detected,
                m.planted,
                m.matched,
                m.precision,
                m.recall,
                m.f1,
                m.repair_accuracy.unwrap_or(f64::NAN)
            );
        }
    }
}

#[test]
fn strict_reaches_target_f1() {
    let m = run(&fixture(), Detector::Strict, Half::All);
    assert!(m.f1 >= 0.75, "strict F1 {:.3}", m.f1);
}

#[test]
fn strict_holds_on_both_halves() {
    let f = fixture();
    for half in [Half::Odd, Half::Even] {
        let m = run(&f, Detector::Strict, half);
        assert!(m.f1 >= 0.72, "{half:?}: strict F1 {:.3}", m.f1);
    }
}

#[test]
fn strict_beats_the_naive_rules() {
    let f = fixture();
    let strict = run(&f, Detector::Strict, Half::All);
    for naive in [Detector::NaiveClientSd, Detector::NaiveOnePoint] {
        let m = run(&f, naive, Half::All);
        assert!(strict.f1 > m.f1, "{naive:?}: {:.3} vs strict {:.3}", m.f1, strict.f1);
    }
}

#[test]
fn lenient_finds_more_than_strict() {
    let f = fixture();
    let strict = run(&f, Detector::Strict, Half::All);
    let lenient = run(&f, Detector::Lenient, Half::All);
    assert!(lenient.recall >= strict.recall);
    assert!(lenient.detected > strict.detected);
}

#[test]
fn repairs_mostly_agree_with_truth() {
    let m = run(&fixture(), Detector::Strict, Half::All);
    let accuracy = m.repair_accuracy.unwrap();
    assert!(accuracy >= 0.75, "repair accuracy {accuracy:.3}");
}

#[test]
fn fixture_has_expected_shape() {
    let f = fixture();
    assert_eq!(f.series.len(), 300);
    assert_eq!(f.truth.len(), 117);
}
