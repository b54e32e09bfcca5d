//! Oracles O1, O3, O5, O6 of docs/SCIENCE.md#oracles (Jacobson & Truax 1991).

use alliance_signals::change::{
    ChangeCategory, ChangeCriteria, Direction, Norms, RCI_CRITICAL, ReliableChangeRule, classify_change, r_to_d,
    reliable_change_index, standard_error, standard_error_of_difference,
};

fn close(actual: f64, expected: f64, tolerance: f64) {
    assert!((actual - expected).abs() <= tolerance, "{actual} differs from {expected} by more than {tolerance}");
}

#[test]
fn o1_standard_errors() {
    let se = standard_error(10.5, 0.961).unwrap();
    close(se, 2.073584, 1e-6);
    let s_diff = standard_error_of_difference(se);
    close(s_diff, 2.932490, 1e-6);
    close(RCI_CRITICAL * s_diff, 5.747681, 1e-6);
}

#[test]
fn o3_rci_values() {
    let s_diff = standard_error_of_difference(standard_error(5.0, 0.80).unwrap());
    close(s_diff, 3.162278, 1e-6);
    let expected = [-2.529822, -1.264911, 0.0, 1.264911, 2.529822];
    for (change, want) in [-8.0, -4.0, 0.0, 4.0, 8.0].into_iter().zip(expected) {
        close(reliable_change_index(20.0, 20.0 + change, s_diff).unwrap(), want, 1e-6);
    }
}

#[test]
fn o3_reliability_follows_direction() {
    let s_diff = 3.162278;
    let lower_better = ChangeCriteria {
        direction: Direction::LowerIsBetter,
        reliable_change: ReliableChangeRule::Rci { s_diff },
        cutoff: 0.0, // everything is clinical: no crossing
    };
    let category = |change: f64| classify_change(&lower_better, 20.0, 20.0 + change).unwrap().category;
    assert_eq!(category(-8.0), ChangeCategory::ReliablyImproved);
    assert_eq!(category(-4.0), ChangeCategory::Unchanged);
    assert_eq!(category(4.0), ChangeCategory::Unchanged);
    assert_eq!(category(8.0), ChangeCategory::ReliablyDeteriorated);
}

#[test]
fn o5_cutoff_c() {
    let norms = Norms { clinical_mean: 35.475, clinical_sd: 8.158636, functional_mean: 7.0, functional_sd: 7.0 };
    close(norms.cutoff_c().unwrap(), 20.149, 5e-4);
}

#[test]
fn cutoffs_a_and_b_use_their_own_sd() {
    // Definitions of docs/SCIENCE.md#clinical-significance applied to the O5 norms (lower is better).
    let norms = Norms { clinical_mean: 35.475, clinical_sd: 8.158636, functional_mean: 7.0, functional_sd: 7.0 };
    close(norms.cutoff_a(Direction::LowerIsBetter).unwrap(), 35.475 - 2.0 * 8.158636, 1e-9);
    close(norms.cutoff_b(Direction::LowerIsBetter).unwrap(), 7.0 + 2.0 * 7.0, 1e-9);
    close(norms.cutoff_b(Direction::HigherIsBetter).unwrap(), 7.0 - 2.0 * 7.0, 1e-9);
}

#[test]
fn o6_r_to_d() {
    close(r_to_d(0.278).unwrap(), 0.579, 5e-4);
    close(r_to_d(0.28).unwrap(), 0.583, 5e-4);
    close(r_to_d(0.11).unwrap(), 0.221, 5e-4);
    assert!(r_to_d(1.0).is_err());
    assert!(r_to_d(f64::NAN).is_err());
}

#[test]
fn published_thresholds_take_precedence() {
    // PHQ-9: decrease of 6 or more is reliable; GAD-7: 4 or more (docs/SCIENCE.md#reliable-change).
    let phq9 = ChangeCriteria::phq9();
    assert_eq!(classify_change(&phq9, 20.0, 14.0).unwrap().category, ChangeCategory::ReliablyImproved);
    assert_eq!(classify_change(&phq9, 20.0, 15.0).unwrap().category, ChangeCategory::Unchanged);
    assert_eq!(classify_change(&phq9, 14.0, 8.0).unwrap().category, ChangeCategory::Recovered);
    let gad7 = ChangeCriteria::gad7();
    assert_eq!(classify_change(&gad7, 12.0, 8.0).unwrap().category, ChangeCategory::ReliablyImproved);
    assert_eq!(classify_change(&gad7, 12.0, 9.0).unwrap().category, ChangeCategory::Unchanged);
    assert_eq!(classify_change(&gad7, 5.0, 9.0).unwrap().category, ChangeCategory::Harmed);
    assert_eq!(classify_change(&gad7, 12.0, 7.0).unwrap().category, ChangeCategory::Recovered);
}

#[test]
fn higher_is_better_instrument_mirrors() {
    let criteria = ChangeCriteria {
        direction: Direction::HigherIsBetter,
        reliable_change: ReliableChangeRule::Published { points: 5.0 },
        cutoff: 25.0,
    };
    assert_eq!(classify_change(&criteria, 20.0, 30.0).unwrap().category, ChangeCategory::Recovered);
    assert_eq!(classify_change(&criteria, 30.0, 20.0).unwrap().category, ChangeCategory::Harmed);
    assert_eq!(classify_change(&criteria, 35.0, 29.0).unwrap().category, ChangeCategory::ReliablyDeteriorated);
}
