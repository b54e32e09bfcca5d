//! Property tests.

use alliance_signals::change::{ChangeCriteria, Direction, ReliableChangeRule, classify_change, reliable_change_index};
use alliance_signals::csv_io::read_alliance_csv;
use alliance_signals::evaluation::{Detection, PlantedRupture, evaluate};
use alliance_signals::rupture::{
    Mode, RepairStatus, Reporter, Rupture, RuptureConfig, RuptureKind, RuptureReport, SessionScore, detect_ruptures,
};
use alliance_signals::sudden::{SuddenChangeCriteria, SuddenKind, sudden_changes};
use alliance_signals::variability::PracticePrior;
use proptest::prelude::*;

fn series_strategy() -> impl Strategy<Value = Vec<SessionScore>> {
    // Either noise over the whole scale, or a steady course with sudden lasting drops and
    // returns (so that dips, sudden losses and repairs all occur).
    let uniform = prop::collection::vec((1u32..3, 12.0f64..60.0), 1..30).boxed();
    let steady = prop::collection::vec((1u32..3, -1.0f64..1.0, 0u8..10), 1..30)
        .prop_map(|steps| {
            let mut level = 50.0;
            steps
                .into_iter()
                .map(|(gap, noise, event)| {
                    level = match event {
                        0 => level - 20.0,
                        1 => 50.0,
                        _ => level,
                    };
                    (gap, level + noise)
                })
                .collect::<Vec<_>>()
        })
        .boxed();
    prop_oneof![uniform, steady].prop_map(|steps| {
        let mut session = 0;
        steps
            .into_iter()
            .map(|(gap, score)| {
                session += gap;
                SessionScore { session, score }
            })
            .collect()
    })
}

fn reports_strategy() -> impl Strategy<Value = Vec<RuptureReport>> {
    prop::collection::vec((1u32..60, any::<bool>(), any::<bool>(), any::<bool>()), 0..4).prop_map(|raw| {
        raw.into_iter()
            .map(|(session, client, withdrawal, talked_through)| RuptureReport {
                session,
                reporter: if client { Reporter::Client } else { Reporter::Therapist },
                kind: Some(if withdrawal { RuptureKind::Withdrawal } else { RuptureKind::Confrontation }),
                talked_through,
            })
            .collect()
    })
}

/// Everything in `early` (the analysis of a prefix ending at `last`) must hold unchanged in
/// `full`, except decisions that `full` made after `last`.
fn consistent(early: &[Rupture], full: &[Rupture], last: u32) -> Result<(), TestCaseError> {
    for r in early {
        let f = full.iter().find(|f| f.onset_session == r.onset_session);
        prop_assert!(f.is_some(), "rupture at {} vanished", r.onset_session);
        let Some(f) = f else { continue };
        prop_assert_eq!(f.detected_at_session, r.detected_at_session);
        prop_assert_eq!(f.reference, r.reference);
        prop_assert!(r.rules.iter().all(|rule| f.rules.contains(rule)));
        match r.repair {
            RepairStatus::Open => {
                let decided_later = match f.repair {
                    RepairStatus::Open => true,
                    RepairStatus::Repaired { session, .. } => session > last,
                    RepairStatus::Unrepaired { decided_at_session } => decided_at_session > last,
                };
                prop_assert!(decided_later, "{:?} -> {:?}", r.repair, f.repair);
            }
            decided => prop_assert_eq!(f.repair, decided),
        }
    }
    for f in full.iter().filter(|f| f.detected_at_session <= last) {
        prop_assert!(
            early.iter().any(|r| r.onset_session == f.onset_session),
            "rupture detected at {} missing from the prefix",
            f.detected_at_session
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn rci_is_antisymmetric(a in -100.0f64..100.0, b in -100.0f64..100.0, s in 0.01f64..50.0) {
        let forward = reliable_change_index(a, b, s).unwrap();
        let backward = reliable_change_index(b, a, s).unwrap();
        prop_assert!((forward + backward).abs() < 1e-9);
    }

    #[test]
    fn direction_mirrors_categories(pre in 0.0f64..40.0, post in 0.0f64..40.0, cutoff in 1.0f64..39.0, s in 0.5f64..10.0) {
        let lower = ChangeCriteria { direction: Direction::LowerIsBetter, reliable_change: ReliableChangeRule::Rci { s_diff: s }, cutoff };
        let higher = ChangeCriteria { direction: Direction::HigherIsBetter, reliable_change: ReliableChangeRule::Rci { s_diff: s }, cutoff: -cutoff };
        let a = classify_change(&lower, pre, post).unwrap().category;
        let b = classify_change(&higher, -pre, -post).unwrap().category;
        prop_assert_eq!(a, b);
    }

    #[test]
    fn gains_on_lower_better_are_losses_on_higher_better(values in prop::collection::vec(0.0f64..60.0, 0..20), cutoff in 0.5f64..15.0) {
        let scores: Vec<Option<f64>> = values.into_iter().map(Some).collect();
        let criteria = SuddenChangeCriteria::new(cutoff).unwrap();
        let gains = sudden_changes(&scores, &criteria, Direction::LowerIsBetter, SuddenKind::Gain);
        let losses = sudden_changes(&scores, &criteria, Direction::HigherIsBetter, SuddenKind::Loss);
        prop_assert_eq!(gains, losses);
    }

    #[test]
    fn appending_sessions_never_changes_earlier_decisions(
        scores in series_strategy(),
        reports in reports_strategy(),
        cut in 0usize..30,
        strict in any::<bool>(),
        cutoff in prop::option::of(20.0f64..55.0),
    ) {
        let mode = if strict { Mode::Strict } else { Mode::Lenient };
        let config = RuptureConfig {
            cutoff,
            ..RuptureConfig::for_mode(mode, PracticePrior::new(2.0).unwrap())
        };
        let cut = cut.min(scores.len());
        let Some(last) = scores[..cut].last().map(|s| s.session) else { return Ok(()) };
        // A report is known from its session on.
        let early_reports: Vec<RuptureReport> = reports.iter().filter(|r| r.session <= last).copied().collect();
        let early = detect_ruptures(&scores[..cut], &early_reports, &config).unwrap();
        let full = detect_ruptures(&scores, &reports, &config).unwrap();
        consistent(&early, &full, last)?;
    }

    #[test]
    fn rupture_invariants(scores in series_strategy(), reports in reports_strategy()) {
        let config = RuptureConfig::for_mode(Mode::Lenient, PracticePrior::new(1.5).unwrap());
        let found = detect_ruptures(&scores, &reports, &config).unwrap();
        for pair in found.windows(2) {
            prop_assert!(pair[0].onset_session < pair[1].onset_session);
        }
        for r in &found {
            prop_assert!(r.onset_session <= r.detected_at_session);
            prop_assert!(!r.rules.is_empty());
            if let RepairStatus::Repaired { session, .. } = r.repair {
                prop_assert!(session >= r.onset_session);
                // Past the window only when no score was read from the window's end until then (not known).
                let window_end = r.onset_session + config.repair_window;
                if session > window_end {
                    prop_assert!(!scores.iter().any(|s| s.session >= window_end && s.session < session));
                }
            }
        }
    }

    #[test]
    fn csv_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_alliance_csv(bytes.as_slice());
    }

    #[test]
    fn csv_reader_never_panics_on_csv_like_text(text in "[a-z0-9,.\"\\-\n \\r]{0,300}") {
        let _ = read_alliance_csv(format!("client,session,alliance\n{text}").as_bytes());
    }

    #[test]
    fn prior_scales_with_the_data(values in prop::collection::vec(0.0f64..60.0, 25..60), scale in 0.1f64..10.0) {
        let scaled: Vec<f64> = values.iter().map(|v| v * scale).collect();
        let a = PracticePrior::estimate([values.as_slice()]);
        let b = PracticePrior::estimate([scaled.as_slice()]);
        if let (Some(a), Some(b)) = (a, b) {
            prop_assert!((a.sigma * scale - b.sigma).abs() < 1e-9 * b.sigma.max(1.0));
        }
    }

    #[test]
    fn metrics_are_bounded(
        found in prop::collection::vec((0u8..4, 1u32..20, any::<bool>()), 0..15),
        planted in prop::collection::vec((0u8..4, 1u32..20, any::<bool>()), 0..15),
    ) {
        let detections: Vec<Detection> = found.iter().map(|&(c, s, r)| Detection { client: c.to_string(), onset_session: s, repaired: r }).collect();
        let truth: Vec<PlantedRupture> = planted.iter().map(|&(c, s, r)| PlantedRupture { client: c.to_string(), rupture_session: s, magnitude: 1.0, repaired: r, repair_session: None }).collect();
        let m = evaluate(&detections, &truth, 1);
        prop_assert!(m.matched <= m.detected.min(m.planted));
        for v in [m.precision, m.recall, m.f1] {
            prop_assert!((0.0..=1.0).contains(&v));
        }
    }
}
