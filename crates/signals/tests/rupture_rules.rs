//! The rupture rules on small hand-made series (expected values worked out by hand).

use alliance_signals::rupture::{
    DipRule, Mode, RepairStatus, RepairedBy, Reporter, Rupture, RuptureConfig, RuptureEvent, RuptureKind,
    RupturePattern, RuptureReport, RuptureRule, RuptureTracker, SeriesError, SessionScore, detect_ruptures,
};
use alliance_signals::variability::PracticePrior;

fn scores(values: &[f64]) -> Vec<SessionScore> {
    values.iter().enumerate().map(|(i, &score)| SessionScore { session: i as u32 + 1, score }).collect()
}

fn strict() -> RuptureConfig {
    RuptureConfig::for_mode(Mode::Strict, PracticePrior::new(1.0).unwrap())
}

fn detect(values: &[f64]) -> Vec<Rupture> {
    detect_ruptures(&scores(values), &[], &strict()).unwrap()
}

#[test]
fn steady_series_has_no_rupture() {
    assert!(detect(&[50.0, 50.5, 50.0, 50.5, 50.0, 50.5, 50.0]).is_empty());
}

#[test]
fn simple_v() {
    let found = detect(&[50.0, 50.5, 50.0, 50.5, 50.0, 42.0, 50.5, 50.0]);
    assert_eq!(found.len(), 1);
    let r = &found[0];
    assert_eq!((r.onset_session, r.detected_at_session), (6, 6));
    assert_eq!(r.rules, vec![RuptureRule::Dip]);
    let level = (50.5 + 50.0 + 50.5 + 50.0) / 4.0; // mean of sessions 2-5
    assert!((r.reference.unwrap() - level).abs() < 1e-12);
    assert!((r.magnitude().unwrap() - (level - 42.0)).abs() < 1e-12);
    assert_eq!(r.repair, RepairStatus::Repaired { session: 7, by: RepairedBy::ScoreReturned });
    assert_eq!(r.pattern(), RupturePattern::SimpleV);
    assert_eq!(r.length, 1);
}

#[test]
fn decline_then_repair() {
    let found = detect(&[50.0, 50.0, 50.0, 50.0, 45.0, 41.0, 51.0, 50.0]);
    assert_eq!(found.len(), 1);
    let r = &found[0];
    assert_eq!(r.onset_session, 5);
    assert_eq!(r.pattern(), RupturePattern::DeclineThenRepair);
    assert_eq!(r.length, 2);
    assert_eq!(r.magnitude(), Some(9.0));
}

#[test]
fn lasting_drop_is_unrepaired_after_the_window() {
    let config = strict();
    let mut tracker = RuptureTracker::new(config);
    let values = [50.0, 50.0, 50.0, 50.0, 40.0, 40.0, 40.0, 40.0, 40.0];
    let mut escalations = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let session = i as u32 + 1;
        for event in tracker.push(session, Some(*v), &[]).unwrap() {
            if let RuptureEvent::Unrepaired { decided_at_session, .. } = event {
                escalations.push(decided_at_session);
            }
        }
    }
    assert_eq!(escalations, vec![8]); // onset 5 + W 3
    let found = tracker.ruptures();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].pattern(), RupturePattern::Unrepaired);
    // A 10-point fall from 50 is under 25 % of the earlier score: no Tang-DeRubeis loss.
    assert_eq!(found[0].rules, vec![RuptureRule::Dip]);
}

#[test]
fn repair_window_counts_sessions_not_rows() {
    // Scores at 6, 7 and 8 still low: the window (onset 5 + 3) ends at 8, decided unrepaired there.
    let s = vec![
        SessionScore { session: 1, score: 50.0 },
        SessionScore { session: 2, score: 50.0 },
        SessionScore { session: 3, score: 50.0 },
        SessionScore { session: 5, score: 40.0 },
        SessionScore { session: 6, score: 41.0 },
        SessionScore { session: 8, score: 41.0 },
        SessionScore { session: 9, score: 50.0 },
    ];
    let found = detect_ruptures(&s, &[], &strict()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].repair, RepairStatus::Unrepaired { decided_at_session: 8 });
}

#[test]
fn missing_checks_leave_repair_not_known_until_a_score_is_read() {
    // docs/SCIENCE.md#repair: unrepaired is decided on a score read at or after onset + W; with no check
    // read after the onset the rupture stays open (not known), and the first score read decides it.
    let base = [(1, 50.0), (2, 50.0), (3, 50.0), (5, 40.0)];
    let with = |extra: &[(u32, f64)]| {
        let s: Vec<SessionScore> =
            base.iter().chain(extra).map(|&(session, score)| SessionScore { session, score }).collect();
        detect_ruptures(&s, &[], &strict()).unwrap()
    };
    assert_eq!(with(&[])[0].repair, RepairStatus::Open);
    let back = with(&[(9, 50.0)]);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].repair, RepairStatus::Repaired { session: 9, by: RepairedBy::ScoreReturned });
    let still_low = with(&[(9, 41.0)]);
    assert_eq!(still_low[0].repair, RepairStatus::Unrepaired { decided_at_session: 9 });
}

#[test]
fn a_reported_rupture_is_repaired_by_the_score_returning() {
    // docs/SCIENCE.md#repair: the score's return counts for any rupture, one known only from a report too.
    let report = RuptureReport { session: 5, reporter: Reporter::Client, kind: None, talked_through: false };
    let found = detect_ruptures(&scores(&[28.0, 28.0, 28.0, 28.0, 22.0, 28.0]), &[report], &strict()).unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].rules.contains(&RuptureRule::Reported));
    assert_eq!(found[0].repair, RepairStatus::Repaired { session: 6, by: RepairedBy::ScoreReturned });
    assert_eq!(found[0].accounts, vec![report]);
}

#[test]
fn either_account_closes_and_a_later_report_reopens() {
    // docs/SCIENCE.md#reported-ruptures: the therapist's "repaired" closes a rupture as the client's
    // "talked through" does, each recorded with who said it; a later report opens the rupture again.
    let reports = [
        RuptureReport { session: 5, reporter: Reporter::Client, kind: None, talked_through: false },
        RuptureReport { session: 6, reporter: Reporter::Therapist, kind: None, talked_through: true },
        RuptureReport {
            session: 7,
            reporter: Reporter::Client,
            kind: Some(RuptureKind::Withdrawal),
            talked_through: false,
        },
    ];
    let found = detect_ruptures(&scores(&[20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0]), &reports, &strict()).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].repair, RepairStatus::Repaired { session: 6, by: RepairedBy::TherapistSaidRepaired });
    assert_eq!(
        found[0].accounts.iter().map(|a| a.reporter).collect::<Vec<_>>(),
        [Reporter::Client, Reporter::Therapist]
    );
    assert_eq!(found[1].onset_session, 7);
    assert_eq!(found[1].repair, RepairStatus::Open);
}

#[test]
fn no_decision_before_two_earlier_scores() {
    assert!(detect(&[55.0, 40.0, 40.0]).is_empty());
}

#[test]
fn report_talked_through_is_resolved_in_session() {
    let report = RuptureReport {
        session: 3,
        reporter: Reporter::Client,
        kind: Some(RuptureKind::Confrontation),
        talked_through: true,
    };
    let found = detect_ruptures(&scores(&[50.0, 50.0, 50.0, 50.0]), &[report], &strict()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rules, vec![RuptureRule::Reported]);
    assert_eq!(found[0].kind, Some(RuptureKind::Confrontation));
    assert_eq!(found[0].pattern(), RupturePattern::ResolvedInSession);
}

#[test]
fn report_later_in_a_dip_tags_it_and_can_repair_it() {
    let report = RuptureReport {
        session: 6,
        reporter: Reporter::Therapist,
        kind: Some(RuptureKind::Withdrawal),
        talked_through: true,
    };
    let found = detect_ruptures(&scores(&[50.0, 50.0, 50.0, 50.0, 40.0, 41.0, 50.0]), &[report], &strict()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rules, vec![RuptureRule::Dip, RuptureRule::Reported]);
    assert_eq!(found[0].kind, Some(RuptureKind::Withdrawal));
    // The therapist's account of repair closes it, recorded as the therapist's (docs/SCIENCE.md#reported-ruptures).
    assert_eq!(found[0].repair, RepairStatus::Repaired { session: 6, by: RepairedBy::TherapistSaidRepaired });
}

#[test]
fn report_on_a_session_without_score() {
    let report = RuptureReport {
        session: 4,
        reporter: Reporter::Client,
        kind: Some(RuptureKind::Withdrawal),
        talked_through: false,
    };
    let s = vec![
        SessionScore { session: 1, score: 50.0 },
        SessionScore { session: 2, score: 50.0 },
        SessionScore { session: 3, score: 50.0 },
        SessionScore { session: 5, score: 50.0 },
    ];
    let found = detect_ruptures(&s, &[report], &strict()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].onset_session, 4);
    assert_eq!(found[0].repair, RepairStatus::Repaired { session: 5, by: RepairedBy::ScoreReturned });
}

#[test]
fn below_cutoff_rule() {
    // SRS-like: concern below 36. A fall from 38 to 35.5 is within noise for k = 2 with
    // sigma 1.5 but crosses the cut-off.
    let config =
        RuptureConfig { cutoff: Some(36.0), ..RuptureConfig::for_mode(Mode::Strict, PracticePrior::new(1.5).unwrap()) };
    let found = detect_ruptures(&scores(&[38.0, 38.0, 37.5, 35.5, 37.9]), &[], &config).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rules, vec![RuptureRule::BelowCutoff]);
    assert_eq!(found[0].onset_session, 4);
}

#[test]
fn sudden_loss_alone_is_decided_two_sessions_later() {
    let config = RuptureConfig {
        dip: DipRule::Personal {
            k: 100.0,
            reference: alliance_signals::rupture::Reference::RecentMean { sessions: 3 },
        },
        confirmed_dip_k: None,
        ..strict()
    };
    // Drop of 20 from 50 (40 %), well beyond cut-off 1.96; lasting.
    let found = detect_ruptures(&scores(&[50.0, 51.0, 50.0, 30.0, 31.0, 30.0, 30.0]), &[], &config).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rules, vec![RuptureRule::SuddenLoss]);
    assert_eq!((found[0].onset_session, found[0].detected_at_session), (4, 6));
    assert_eq!(found[0].repair, RepairStatus::Unrepaired { decided_at_session: 7 });
}

#[test]
fn dip_and_sudden_loss_merge() {
    let found = detect(&[50.0, 51.0, 50.0, 30.0, 31.0, 30.0, 30.0]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rules, vec![RuptureRule::Dip, RuptureRule::SuddenLoss]);
    assert_eq!(found[0].rules_label(), "dip+sudden_loss");
}

#[test]
fn tracker_rejects_bad_sessions() {
    let mut tracker = RuptureTracker::new(strict());
    tracker.push(3, Some(50.0), &[]).unwrap();
    assert_eq!(tracker.push(3, Some(50.0), &[]), Err(SeriesError::NotIncreasing { session: 3, previous: 3 }));
    assert!(matches!(tracker.push(4, Some(f64::NAN), &[]), Err(SeriesError::NonFinite { session: 4, .. })));
    assert!(detect_ruptures(&scores(&[50.0, 50.0]).into_iter().rev().collect::<Vec<_>>(), &[], &strict()).is_err());
}

#[test]
fn sigma_shrinks_toward_the_client() {
    let mut tracker = RuptureTracker::new(strict());
    assert_eq!(tracker.sigma(), 1.0); // the prior (floor is also 1)
    for (i, v) in [50.0, 54.0, 50.0, 54.0, 50.0].iter().enumerate() {
        tracker.push(i as u32 + 1, Some(*v), &[]).unwrap();
    }
    // (10 * 1 + 4 * 16) / (10 + 4) = 74 / 14
    assert!((tracker.sigma() - (74.0f64 / 14.0).sqrt()).abs() < 1e-12);
}

fn steady_then(tail: &[f64]) -> Vec<f64> {
    let mut values = vec![50.0, 50.5, 50.0, 50.5, 50.0];
    values.extend_from_slice(tail);
    values
}

#[test]
fn two_low_scores_in_a_row_start_a_rupture_at_the_first() {
    // Level 50.25 (sessions 2-5), sigma 1 (the floor): 48.3 is 1.95 below, not a one-session dip
    // (k = 2 needs below 48.25), so one such score is noise; two in a row, each more than 1.4 sigma
    // below (48.85), are a rupture.
    let found = detect(&steady_then(&[48.3, 48.3, 48.4, 48.3, 48.2]));
    assert_eq!(found.len(), 1, "{found:?}");
    let r = &found[0];
    assert_eq!((r.onset_session, r.detected_at_session), (6, 7));
    assert_eq!(r.rules, vec![RuptureRule::Dip]);
    assert_eq!(r.length, 4, "sessions 6-9 low, decided unrepaired at 9 = onset + window");
    assert_eq!(r.repair, RepairStatus::Unrepaired { decided_at_session: 9 });
    // One such score followed by a return is not a rupture.
    assert!(detect(&steady_then(&[48.3, 50.2, 50.0])).is_empty());
    // Switched off, two in a row are not enough either.
    let off = RuptureConfig { confirmed_dip_k: None, ..strict() };
    assert!(detect_ruptures(&scores(&steady_then(&[48.3, 48.3, 48.4])), &[], &off).unwrap().is_empty());
}

#[test]
fn a_return_to_within_half_a_sigma_of_the_level_is_a_repair() {
    // Level 50.25 (sessions 2-5); the dip to 40 is followed by 49.9: 0.35 short of the level, within
    // half a sigma (sigma is at least 1), so repaired at session 7.
    let found = detect(&steady_then(&[40.0, 49.9, 50.0]));
    assert_eq!(found[0].repair, RepairStatus::Repaired { session: 7, by: RepairedBy::ScoreReturned });
    // With no margin the same return is not enough, and the rupture stays unrepaired.
    let exact = RuptureConfig { repair_margin: 0.0, ..strict() };
    let found = detect_ruptures(&scores(&steady_then(&[40.0, 49.9, 49.9, 49.9])), &[], &exact).unwrap();
    assert_eq!(found[0].repair, RepairStatus::Unrepaired { decided_at_session: 9 });
}

#[test]
fn a_practice_at_the_ceiling_is_analysed_with_the_sigma_floor() {
    // 20 clients at the top of a 12-60 scale; one dips by 8 points at session 4 and comes back.
    let mut csv = String::from("client,session,alliance\n");
    for client in 1..=20 {
        for session in 1..=8 {
            let score = if client == 7 && session == 4 { 52 } else { 60 };
            csv.push_str(&format!("{client},{session},{score}\n"));
        }
    }
    let mut out = Vec::new();
    let summary =
        alliance_signals::analyze::analyze_ruptures(csv.as_bytes(), &mut out, alliance_signals::rupture::Mode::Strict)
            .expect("most differences are zero, but not all: the floor applies");
    assert_eq!(summary.prior_sigma, alliance_signals::rupture::DEFAULT_SIGMA_FLOOR);
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().any(|l| l.starts_with("7,4,")), "{text}");
    assert_eq!(summary.ruptures, 1);
}
