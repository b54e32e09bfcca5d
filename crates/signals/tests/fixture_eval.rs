//! Accuracy against planted ruptures: `fixtures/ruptures_practice*.csv` (300 synthetic clients)
//! and `fixtures/ruptures_large*.csv` (4,000 clients, same generator, another seed). The truth
//! files are used only here, to score the detectors and to choose the detector's settings by
//! cross-validation over client folds ([`alliance_signals::tuning`]).
//!
//! Scoring rule (the fixtures' own): a detection counts only at the exact session where the
//! planted rupture starts, each planted rupture matched once; repair accuracy over the matched.
//! One test gives the ±1-session figure the first results were reported with, for comparison.
//! The defaults were chosen on the 4,000-client file only, so the 300-client file is data they
//! never saw. On the 300-client file clients are also split by id parity, and each half
//! estimates its own practice prior, to show that the figures do not hang on a few clients.
//!
//! Every figure the report prints is checked. `planted` is a property of the fixture and must
//! match exactly; precision, recall, F1 and repair accuracy must stay at or above a floor.
//!
//! The floors are the figures measured when the detectors were last changed (the table in the
//! crate's README), rounded down to the hundredth and then lowered by one more hundredth. The
//! code and the fixture are deterministic, so the margin is not there for noise: it lets a
//! harmless change (a tie broken another way) pass and stops a detector that got worse. A
//! change that moves a figure below its floor must update this table and the README together,
//! saying why. Floors on the naive detectors keep the comparison honest: a baseline that
//! silently got worse would make the recommended detector look better than it is.

use alliance_signals::analyze::{detect_practice, detections, practice_prior};
use alliance_signals::csv_io::{ClientSeries, read_alliance_csv};
use alliance_signals::evaluation::{DEFAULT_TOLERANCE, Metrics, PlantedRupture, evaluate, read_truth_csv};
use alliance_signals::rupture::{DipRule, Mode, Reference, RuptureConfig};
use alliance_signals::tuning::{Candidate, CrossValidation, cross_validate, grid};

const SCORES: &[u8] = include_bytes!("fixtures/ruptures_practice.csv");
const TRUTH: &[u8] = include_bytes!("fixtures/ruptures_practice.truth.csv");
/// 4,000 clients from the same generator with another seed (copied from the fixtures this
/// project was given, as the small file was, so the test runs on a fresh clone).
const LARGE_SCORES: &[u8] = include_bytes!("fixtures/ruptures_large.csv");
const LARGE_TRUTH: &[u8] = include_bytes!("fixtures/ruptures_large.truth.csv");

/// The scoring rule: a detection counts only at the exact session where the planted rupture starts.
const EXACT: u32 = 0;

struct Fixture {
    series: Vec<ClientSeries>,
    truth: Vec<PlantedRupture>,
}

fn fixture() -> Fixture {
    Fixture { series: read_alliance_csv(SCORES).unwrap(), truth: read_truth_csv(TRUTH).unwrap() }
}

fn large() -> Fixture {
    Fixture { series: read_alliance_csv(LARGE_SCORES).unwrap(), truth: read_truth_csv(LARGE_TRUTH).unwrap() }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Half {
    All,
    Odd,
    Even,
}

const HALVES: [Half; 3] = [Half::All, Half::Odd, Half::Even];

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Detector {
    /// The recommended detector (`RuptureConfig::for_mode(Mode::Strict, ..)`).
    Strict,
    Lenient,
    /// The rule exactly as written: a(t) < a(t-1) - 2 sigma (same shrunk sigma).
    StrictPreviousScore,
    NaiveClientSd,
    NaiveOnePoint,
}

const DETECTORS: [Detector; 5] = [
    Detector::Strict,
    Detector::Lenient,
    Detector::StrictPreviousScore,
    Detector::NaiveClientSd,
    Detector::NaiveOnePoint,
];

/// The detectors the recommended one is claimed to beat.
const ALTERNATIVES: [Detector; 3] = [Detector::StrictPreviousScore, Detector::NaiveClientSd, Detector::NaiveOnePoint];

fn run(f: &Fixture, detector: Detector, half: Half) -> Metrics {
    run_with_tolerance(f, detector, half, EXACT)
}

fn run_with_tolerance(f: &Fixture, detector: Detector, half: Half, tolerance: u32) -> Metrics {
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
    evaluate(&detections(&results), &truth, tolerance)
}

/// What one detector must reach on one half.
struct Floor {
    detector: Detector,
    half: Half,
    planted: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    repair_accuracy: f64,
}

const fn floor(
    detector: Detector,
    half: Half,
    planted: usize,
    [precision, recall, f1, repair_accuracy]: [f64; 4],
) -> Floor {
    Floor { detector, half, planted, precision, recall, f1, repair_accuracy }
}

/// Floors for precision, recall, F1 and repair accuracy. The comment on each row gives what was
/// measured when the floors were set: detected / matched, then the same four figures.
#[rustfmt::skip]
const FLOORS: [Floor; 15] = {
    use Detector::*;
    use Half::*;
    [
        floor(Strict, All, 117, [0.80, 0.74, 0.77, 0.91]),              // 108 /  88: .815 .752 .782 .920
        floor(Strict, Odd, 55, [0.76, 0.75, 0.76, 0.89]),               //  54 /  42: .778 .764 .771 .905
        floor(Strict, Even, 62, [0.84, 0.73, 0.78, 0.92]),              //  54 /  46: .852 .742 .793 .935
        floor(Lenient, All, 117, [0.37, 0.86, 0.52, 0.89]),             // 264 / 102: .386 .872 .535 .902
        floor(Lenient, Odd, 55, [0.33, 0.82, 0.47, 0.88]),              // 135 /  46: .341 .836 .484 .891
        floor(Lenient, Even, 62, [0.43, 0.87, 0.57, 0.89]),             // 125 /  55: .440 .887 .588 .909
        floor(StrictPreviousScore, All, 117, [0.53, 0.69, 0.60, 0.88]), // 150 /  82: .547 .701 .614 .890
        floor(StrictPreviousScore, Odd, 55, [0.49, 0.71, 0.58, 0.84]),  //  79 /  40: .506 .727 .597 .850
        floor(StrictPreviousScore, Even, 62, [0.59, 0.66, 0.62, 0.91]), //  70 /  42: .600 .677 .636 .929
        floor(NaiveClientSd, All, 117, [0.44, 0.71, 0.55, 0.81]),       // 186 /  85: .457 .726 .561 .824
        floor(NaiveClientSd, Odd, 55, [0.39, 0.71, 0.51, 0.79]),        //  98 /  40: .408 .727 .523 .800
        floor(NaiveClientSd, Even, 62, [0.50, 0.71, 0.59, 0.83]),       //  88 /  45: .511 .726 .600 .844
        floor(NaiveOnePoint, All, 117, [0.09, 0.62, 0.17, 0.80]),       // 689 /  74: .107 .632 .184 .811
        floor(NaiveOnePoint, Odd, 55, [0.09, 0.64, 0.16, 0.74]),        // 359 /  36: .100 .655 .174 .750
        floor(NaiveOnePoint, Even, 62, [0.10, 0.60, 0.18, 0.85]),       // 330 /  38: .115 .613 .194 .868
    ]
};

/// How much higher the recommended detector's F1 must be than each alternative's, on every half.
/// Measured (exact session): at least .15 above the a(t-1) rule, .19 above the client-SD rule, .58 above
/// OpenFIT's.
const F1_MARGIN: f64 = 0.10;

fn measured(f: &Fixture) -> Vec<(Detector, Half, Metrics)> {
    FLOORS.iter().map(|row| (row.detector, row.half, run(f, row.detector, row.half))).collect()
}

fn metrics_of(all: &[(Detector, Half, Metrics)], detector: Detector, half: Half) -> Metrics {
    all.iter().find(|(d, h, _)| *d == detector && *h == half).map(|(_, _, m)| *m).unwrap()
}

/// Prints every figure (run with `--nocapture` to see them) and checks each against its floor.
#[test]
fn report_all_detectors() {
    let f = fixture();
    let all = measured(&f);
    let mut failures = Vec::new();
    for (row, (detector, half, m)) in FLOORS.iter().zip(&all) {
        let repair_accuracy = m.repair_accuracy.unwrap_or(f64::NAN);
        eprintln!(
            "{detector:?} {half:?}: detected {} planted {} matched {} precision {:.3} \
             recall {:.3} F1 {:.3} repair accuracy {:.3}",
            m.detected, m.planted, m.matched, m.precision, m.recall, m.f1, repair_accuracy
        );
        if m.planted != row.planted {
            failures.push(format!("{detector:?} {half:?}: {} planted ruptures, expected {}", m.planted, row.planted));
        }
        for (what, value, floor) in [
            ("precision", m.precision, row.precision),
            ("recall", m.recall, row.recall),
            ("F1", m.f1, row.f1),
            ("repair accuracy", repair_accuracy, row.repair_accuracy),
        ] {
            // A NaN figure fails too.
            if value.is_nan() || value < floor {
                failures.push(format!("{detector:?} {half:?}: {what} {value:.3} is below its floor {floor:.2}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_recommended_detector_beats_the_alternatives_on_every_half() {
    let all = measured(&fixture());
    for half in HALVES {
        let strict = metrics_of(&all, Detector::Strict, half);
        for other in ALTERNATIVES {
            let m = metrics_of(&all, other, half);
            assert!(
                strict.f1 >= m.f1 + F1_MARGIN,
                "{half:?}: strict F1 {:.3} is not {F1_MARGIN} above {other:?} {:.3}",
                strict.f1,
                m.f1
            );
            assert!(
                strict.precision > m.precision,
                "{half:?}: strict precision {:.3} vs {other:?} {:.3}",
                strict.precision,
                m.precision
            );
        }
    }
}

#[test]
fn lenient_trades_precision_for_recall_on_every_half() {
    let all = measured(&fixture());
    for half in HALVES {
        let strict = metrics_of(&all, Detector::Strict, half);
        let lenient = metrics_of(&all, Detector::Lenient, half);
        assert!(lenient.recall > strict.recall, "{half:?}: recall {:.3} vs {:.3}", lenient.recall, strict.recall);
        assert!(lenient.detected > strict.detected, "{half:?}");
        assert!(lenient.precision < strict.precision, "{half:?}");
    }
}

fn line(label: &str, m: &Metrics) -> String {
    format!(
        "{label}: detected {} planted {} matched {} precision {:.3} recall {:.3} F1 {:.3} repair accuracy {:.3}",
        m.detected,
        m.planted,
        m.matched,
        m.precision,
        m.recall,
        m.f1,
        m.repair_accuracy.unwrap_or(f64::NAN)
    )
}

/// `[precision, recall, F1, repair accuracy]` each at or above its floor (NaN fails).
fn check_floors(label: &str, m: &Metrics, floors: [f64; 4]) {
    let figures = [m.precision, m.recall, m.f1, m.repair_accuracy.unwrap_or(f64::NAN)];
    for ((what, value), floor) in ["precision", "recall", "F1", "repair accuracy"].iter().zip(figures).zip(floors) {
        assert!(!value.is_nan() && value >= floor, "{label}: {what} {value:.3} is below its floor {floor:.2}");
    }
}

/// The figures above count a detection only at the exact session. Within one session either
/// way (the rule the first figures were reported with, and flattering), for comparison.
/// Measured: 108 detected, 93 matched; .861 .795 .827 .914.
#[test]
fn strict_within_one_session() {
    let m = run_with_tolerance(&fixture(), Detector::Strict, Half::All, DEFAULT_TOLERANCE);
    eprintln!("{}", line("Strict All, within one session", &m));
    assert_eq!(m.planted, 117);
    check_floors("within one session", &m, [0.85, 0.78, 0.81, 0.90]);
}

/// The 4,000-client file, exact session, every detector on all clients (the settings were chosen
/// on this file, so the recommended detector's figures here are in-sample; the cross-validated
/// ones are below). Measured (detected / matched: precision recall F1 repair accuracy):
#[rustfmt::skip]
const LARGE_FLOORS: [(Detector, [f64; 4]); 5] = [
    (Detector::Strict, [0.78, 0.71, 0.74, 0.93]),              // 1451 / 1154: .795 .723 .757 .943
    (Detector::Lenient, [0.35, 0.84, 0.50, 0.92]),             // 3701 / 1361: .368 .853 .514 .937
    (Detector::StrictPreviousScore, [0.50, 0.72, 0.59, 0.89]), // 2294 / 1177: .513 .737 .605 .907
    (Detector::NaiveClientSd, [0.44, 0.68, 0.53, 0.89]),       // 2450 / 1105: .451 .692 .546 .900
    (Detector::NaiveOnePoint, [0.09, 0.62, 0.17, 0.79]),       // 9448 / 1016: .108 .637 .184 .808
];

#[test]
fn large_file_every_detector_at_the_exact_session() {
    let f = large();
    let mut strict_f1 = 0.0;
    for (detector, floors) in LARGE_FLOORS {
        let m = run(&f, detector, Half::All);
        eprintln!("{}", line(&format!("large {detector:?}"), &m));
        assert_eq!(m.planted, 1596);
        check_floors(&format!("large {detector:?}"), &m, floors);
        if detector == Detector::Strict {
            strict_f1 = m.f1;
        } else {
            assert!(strict_f1 >= m.f1 + 0.05, "large: strict F1 {strict_f1:.3} vs {detector:?} {:.3}", m.f1);
        }
    }
}

/// The candidate settings cross-validation chooses among (docs/SCIENCE.md#choosing-the-rupture-settings).
fn candidates() -> Vec<Candidate> {
    grid(&[3, 4, 5], &[1.9, 2.0, 2.1], &[None, Some(1.3), Some(1.4), Some(1.5)], &[0.0, 0.5], &[3.0, 10.0])
}

const FOLDS: usize = 5;

fn cross_validated(f: &Fixture) -> CrossValidation {
    let prior = practice_prior(&f.series).unwrap();
    cross_validate(&f.series, &f.truth, &candidates(), FOLDS, prior, EXACT).unwrap().unwrap()
}

fn report_cross_validation(label: &str, cv: &CrossValidation) {
    eprintln!("{}", line(&format!("{label}, {FOLDS}-fold over clients, held out"), &cv.held_out));
    for (fold, (m, chosen)) in cv.per_fold.iter().zip(&cv.chosen).enumerate() {
        eprintln!("  fold {fold}: {} chosen {chosen:?}", line("held out", m));
    }
}

/// The honest figure: in each of five client folds the settings are chosen on the other four
/// and scored on the fold; the held-out detections of all folds are scored together.
/// Measured on the 4,000-client file: 1438 detected, 1134 matched; precision .789, recall .711,
/// F1 .748, repair accuracy .936 (folds: F1 .723-.766, repair accuracy .882-.952).
#[test]
fn large_file_cross_validated_over_client_folds() {
    let cv = cross_validated(&large());
    report_cross_validation("large", &cv);
    assert_eq!(cv.held_out.planted, 1596);
    check_floors("large cross-validated", &cv.held_out, [0.77, 0.70, 0.73, 0.92]);
    assert!(cv.chosen.contains(&Candidate::recommended()), "the defaults are one fold's choice");
}

/// The same on the 300-client file (small folds: 20-30 planted ruptures each, so noisy).
/// Measured: 107 detected, 90 matched; .841 .769 .804 .900.
#[test]
fn practice_file_cross_validated_over_client_folds() {
    let cv = cross_validated(&fixture());
    report_cross_validation("practice", &cv);
    assert_eq!(cv.held_out.planted, 117);
    check_floors("practice cross-validated", &cv.held_out, [0.83, 0.75, 0.79, 0.89]);
}

/// Data the defaults never saw: they were chosen on the 4,000-client file only, and the 300-client
/// file is another seed of the same generator. Measured: 108 detected, 88 matched; .815 .752 .782 .920
/// (before this choice: 109 / 85, .780 .726 .752 .835).
#[test]
fn defaults_chosen_on_the_large_file_carry_over_to_the_practice_file() {
    let m = run(&fixture(), Detector::Strict, Half::All);
    eprintln!("{}", line("practice, defaults from the large file", &m));
    check_floors("practice, defaults", &m, [0.80, 0.74, 0.77, 0.91]);
}

#[test]
fn every_detector_and_half_has_one_floor() {
    for detector in DETECTORS {
        for half in HALVES {
            let rows = FLOORS.iter().filter(|r| r.detector == detector && r.half == half).count();
            assert_eq!(rows, 1, "{detector:?} {half:?}");
        }
    }
}

#[test]
fn fixture_has_expected_shape() {
    let f = fixture();
    assert_eq!(f.series.len(), 300);
    assert_eq!(f.truth.len(), 117);
    let odd = f.truth.iter().filter(|t| Half::Odd.keeps(&t.client)).count();
    assert_eq!((odd, f.truth.len() - odd), (55, 62));
    let large = large();
    assert_eq!((large.series.len(), large.truth.len()), (4000, 1596));
}
