//! Fairness of signals (issue 20, item 3; docs/SCIENCE.md#fairness-of-signals): at the same planted need, the
//! detectors that judge each client against their own baseline fire within 5 percentage points across groups that
//! answer in different styles; fixed cut-offs do not.

use alliance_core::catalog::Catalog;
use alliance_core::fairness::study::{Detector, FairnessReport, Measure, StudyOptions, run};
use alliance_core::scoring::{Answer, Answers};
use alliance_core::simulate::practice;

use crate::catalog;

/// The CLI's defaults, so the table `alliance analyze fairness` prints is the one asserted here.
const SEED: u64 = 2026;
const CLIENTS: usize = 20_000;

fn gap(report: &FairnessReport, measure: Measure, detector: Detector) -> (f64, f64) {
    let row = report.row(measure, detector).unwrap_or_else(|| panic!("no row {measure:?} {detector:?}"));
    (row.gap_points, row.gap_standard_error_points)
}

fn rate(report: &FairnessReport, measure: Measure, detector: Detector, group: &str) -> f64 {
    let g = report.groups.iter().position(|name| name == group).unwrap();
    report.row(measure, detector).unwrap().by_group[g].rate
}

#[test]
fn own_baseline_detectors_stay_within_five_points_across_groups_and_fixed_cut_offs_do_not() {
    let report = run(&catalog(), &StudyOptions::new(SEED, CLIENTS)).unwrap();
    eprintln!("{}", report.markdown());
    assert_eq!(report.practices_with_own_course, report.practices, "every practice fitted its own course");

    // The need is the same in every group: the latent truth and every row's denominators are identical.
    assert_eq!(gap(&report, Measure::LatentLowAlliance, Detector::Latent).0, 0.0);
    for row in &report.rows {
        let of: Vec<u64> = row.by_group.iter().map(|r| r.of).collect();
        assert!(of.windows(2).all(|w| w[0] == w[1]), "{:?} {:?}: denominators {of:?}", row.measure, row.detector);
        assert!(of[0] >= 1_000, "{:?} {:?}: only {} judged per group", row.measure, row.detector, of[0]);
    }

    // The bound: every own-baseline row within 5 points, with a Monte-Carlo standard error of the gap small enough
    // (at most 1.5 points) that the 5-point bound is not noise.
    let own: Vec<_> = report.rows.iter().filter(|r| r.detector.uses_own_baseline()).collect();
    assert_eq!(own.len(), 6, "rupture, expected course and default rule: sensitivity and false alarms");
    for row in own {
        let (g, se) = (row.gap_points, row.gap_standard_error_points);
        assert!(g <= 5.0, "{:?} {:?}: groups differ by {g:.1} points (SE {se:.1})", row.measure, row.detector);
        assert!(se <= 1.5, "{:?} {:?}: {g:.1} points, SE {se:.1}: too noisy", row.measure, row.detector);
    }

    // Fixed cut-offs do differ, for the groups whose style moves them, which is why the own baseline is needed.
    let lower = "rates-alliance-lower";
    let ends = "scale-ends-noisier";
    let symptoms = "reports-more-symptoms";
    for measure in [Measure::RuptureSensitivity, Measure::RuptureFalseAlarms] {
        let (g, se) = gap(&report, measure, Detector::FixedAllianceCutoff);
        assert!(g - 2.0 * se > 20.0, "{measure:?}: the alliance cut-off differs by only {g:.1} points");
        let (low, reference) = (
            rate(&report, measure, Detector::FixedAllianceCutoff, lower),
            rate(&report, measure, Detector::FixedAllianceCutoff, "reference"),
        );
        assert!(low > reference, "{measure:?}: the lower-rating group is flagged more ({low} vs {reference})");
        assert!(rate(&report, measure, Detector::FixedAllianceCutoff, ends) < reference, "{measure:?}");
    }
    let (g, se) = gap(&report, Measure::LowAllianceAlerts, Detector::LowAllianceSignal);
    assert!(g - 2.0 * se > 20.0, "the low-alliance signal differs by only {g:.1} points at the same need");
    for measure in [Measure::NotOnTrackSensitivity, Measure::NotOnTrackFalseAlarms] {
        let (g, se) = gap(&report, measure, Detector::FixedPhq9Cutoff);
        assert!(g - 2.0 * se > 5.0, "{measure:?}: the PHQ-9 cut-off differs by only {g:.1} points");
        let high = rate(&report, measure, Detector::FixedPhq9Cutoff, symptoms);
        assert!(high > rate(&report, measure, Detector::FixedPhq9Cutoff, "reference"), "{measure:?}");
    }

    // The default rule as the product runs it only signals in the clinical range (PHQ-9 of 10 or more), a fixed
    // cut-off: the group reporting more symptoms is turned red more often when it is on track. A finding, not
    // fixed here (docs/SCIENCE.md#fairness-of-signals).
    let (g, se) = gap(&report, Measure::NotOnTrackFalseAlarms, Detector::DefaultRuleGated);
    assert!(g - 2.0 * se > 5.0, "the gated default rule differs by {g:.1} points (SE {se:.1})");
}

/// The six relationship-check alliance items summed: the alliance total, without the scoring engine.
fn alliance_total(answers: &Answers) -> f64 {
    ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"]
        .iter()
        .map(|id| match answers.get(*id) {
            Some(Answer::Value(v)) => *v,
            other => panic!("item {id}: {other:?}"),
        })
        .sum()
}

#[test]
fn the_fixed_cut_off_and_low_alliance_rows_match_an_independent_count() {
    // Recounted here from the generated practices with this test's own code: the alliance as the sum of its
    // items, a flag at every checked session below 24, quiet sessions those with no planted rupture within one.
    let options = StudyOptions::new(5, 600);
    let report = run(&catalog(), &options).unwrap();
    let groups = options.groups.len();
    let (mut alarms, mut quiet, mut alerted, mut with_check) =
        (vec![0_u64; groups], vec![0_u64; groups], vec![0_u64; groups], vec![0_u64; groups]);
    for index in 0..options.practices() {
        for rotation in 0..groups {
            for client in practice(&options.practice_params(index, rotation)).clients {
                let group = (client.group + rotation) % groups;
                let planted: Vec<u32> =
                    client.sessions.iter().filter(|s| s.rupture_planted).map(|s| s.number).collect();
                let scores: Vec<(u32, f64)> = client
                    .sessions
                    .iter()
                    .filter_map(|s| s.check.as_ref().map(|c| (s.number, alliance_total(c))))
                    .collect();
                for &(session, score) in &scores {
                    if planted.iter().all(|p| p.abs_diff(session) > 1) {
                        quiet[group] += 1;
                        alarms[group] += u64::from(score < 24.0);
                    }
                }
                if !scores.is_empty() {
                    with_check[group] += 1;
                    alerted[group] += u64::from(scores.iter().any(|s| s.1 < 24.0));
                }
            }
        }
    }
    let fixed = report.row(Measure::RuptureFalseAlarms, Detector::FixedAllianceCutoff).unwrap();
    let low = report.row(Measure::LowAllianceAlerts, Detector::LowAllianceSignal).unwrap();
    for g in 0..groups {
        assert_eq!((fixed.by_group[g].count, fixed.by_group[g].of), (alarms[g], quiet[g]), "group {g}");
        assert_eq!((low.by_group[g].count, low.by_group[g].of), (alerted[g], with_check[g]), "group {g}");
        assert!((low.by_group[g].rate - alerted[g] as f64 / with_check[g] as f64).abs() < 1e-12);
    }
}

#[test]
fn the_study_refuses_an_empty_design() {
    let c: Catalog = catalog();
    assert!(run(&c, &StudyOptions::new(1, 0)).is_err());
    let mut none = StudyOptions::new(1, 10);
    none.groups.clear();
    assert!(run(&c, &none).is_err());
}
