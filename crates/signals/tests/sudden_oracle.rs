//! Tang & DeRubeis criteria: the oracle in docs/SCIENCE.md#oracles and the alliance orientation.

use alliance_signals::change::Direction;
use alliance_signals::sudden::{
    SuddenChangeCriteria, SuddenKind, T_CRITICAL_DF2, T_CRITICAL_DF3, T_CRITICAL_DF4, sudden_changes, t_critical,
};

fn series(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|&v| Some(v)).collect()
}

#[test]
fn oracle_gain_between_sessions_two_and_three_only() {
    let scores = series(&[35.0, 37.0, 23.0, 23.0, 24.0, 21.0]);
    let criteria = SuddenChangeCriteria::new(7.0).unwrap();
    let gains = sudden_changes(&scores, &criteria, Direction::LowerIsBetter, SuddenKind::Gain);
    let intervals: Vec<(usize, usize)> = gains.iter().map(|g| (g.pre_position, g.post_position)).collect();
    assert_eq!(intervals, vec![(2, 3)]);
    let losses = sudden_changes(&scores, &criteria, Direction::LowerIsBetter, SuddenKind::Loss);
    assert!(losses.is_empty());
}

#[test]
fn alliance_orientation_reads_the_same_fall_as_a_loss() {
    // The same numbers as alliance scores (higher is better): 37 -> 23 is a fall, so the
    // package's gain arithmetic becomes a loss, between sessions 2 and 3 only.
    let scores = series(&[35.0, 37.0, 23.0, 23.0, 24.0, 21.0]);
    let criteria = SuddenChangeCriteria::new(7.0).unwrap();
    let losses = sudden_changes(&scores, &criteria, Direction::HigherIsBetter, SuddenKind::Loss);
    let intervals: Vec<(usize, usize)> = losses.iter().map(|l| (l.pre_position, l.post_position)).collect();
    assert_eq!(intervals, vec![(2, 3)]);
    assert_eq!(losses[0].magnitude, 14.0);
    let gains = sudden_changes(&scores, &criteria, Direction::HigherIsBetter, SuddenKind::Gain);
    assert!(gains.is_empty());
}

#[test]
fn critical_values_by_degrees_of_freedom() {
    // |qt(0.025, df)| from R; suddengains rounds them to 4.303, 3.182, 2.776.
    assert_eq!(t_critical(2), Some(T_CRITICAL_DF2));
    assert_eq!(t_critical(3), Some(T_CRITICAL_DF3));
    assert_eq!(t_critical(4), Some(T_CRITICAL_DF4));
    assert!((T_CRITICAL_DF2 - 4.303).abs() < 5e-4);
    assert!((T_CRITICAL_DF3 - 3.182).abs() < 5e-4);
    assert!((T_CRITICAL_DF4 - 2.776).abs() < 5e-4);
    assert_eq!(t_critical(5), None);
}

#[test]
fn missing_score_makes_interval_unjudgeable() {
    let scores = vec![Some(35.0), None, Some(23.0), Some(23.0), Some(24.0), Some(21.0)];
    let criteria = SuddenChangeCriteria::new(7.0).unwrap();
    assert!(sudden_changes(&scores, &criteria, Direction::LowerIsBetter, SuddenKind::Gain).is_empty());
}
