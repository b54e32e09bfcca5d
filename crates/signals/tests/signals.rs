//! Signals and caseload ordering.

use alliance_signals::change::{ChangeCriteria, Direction, classify_change};
use alliance_signals::rupture::{RepairStatus, RepairedBy, Rupture, RuptureKind, RuptureRule};
use alliance_signals::signal::{
    SessionRecord, Severity, Signal, SignalKind, change_signal, discrepancy_signal, disengagement_signal,
    not_on_track_signal, order_caseload, order_signals, risk_signal, rupture_signal,
};

fn rupture(kind: Option<RuptureKind>, repair: RepairStatus) -> Rupture {
    Rupture {
        onset_session: 5,
        detected_at_session: 5,
        rules: vec![RuptureRule::Dip],
        kind,
        reference: Some(50.0),
        lowest: Some(42.0),
        length: 1,
        repair,
        accounts: Vec::new(),
    }
}

#[test]
fn risk_fires_on_any_item9_answer_above_zero() {
    assert!(risk_signal(3, 0).unwrap().is_none());
    for answer in 1..=3 {
        let s = risk_signal(3, answer).unwrap().unwrap();
        assert_eq!((s.kind, s.severity), (SignalKind::Risk, Severity::Critical));
        assert_eq!(s.evidence[0].value, f64::from(answer));
        assert!(!s.actions.is_empty());
    }
    assert!(risk_signal(3, 4).is_err());
}

#[test]
fn risk_always_sorts_first() {
    let unrepaired = rupture_signal(&rupture(None, RepairStatus::Unrepaired { decided_at_session: 8 }));
    let mut critical_rupture = unrepaired.clone();
    critical_rupture.severity = Severity::Critical;
    let risk = risk_signal(2, 1).unwrap().unwrap();
    let mut signals = vec![unrepaired, critical_rupture, risk];
    order_signals(&mut signals);
    assert_eq!(signals[0].kind, SignalKind::Risk);
    assert_eq!(signals[1].severity, Severity::Critical);
}

#[test]
fn caseload_puts_risk_clients_first_and_keeps_everything() {
    let info = rupture_signal(&rupture(None, RepairStatus::Repaired { session: 6, by: RepairedBy::ScoreReturned }));
    let urgent = rupture_signal(&rupture(None, RepairStatus::Unrepaired { decided_at_session: 8 }));
    let risk = risk_signal(2, 2).unwrap().unwrap();
    let caseload = vec![
        ("calm", vec![info.clone()]),
        ("urgent", vec![urgent.clone()]),
        ("risk", vec![info.clone(), risk]),
        ("none", vec![]),
    ];
    let ordered = order_caseload(caseload);
    let names: Vec<&str> = ordered.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, vec!["risk", "urgent", "calm", "none"]);
    assert_eq!(ordered[0].1[0].kind, SignalKind::Risk);
    assert_eq!(ordered.iter().map(|(_, s)| s.len()).sum::<usize>(), 4);
}

#[test]
fn unrepaired_ruptures_escalate() {
    let open = rupture_signal(&rupture(None, RepairStatus::Open));
    let repaired = rupture_signal(&rupture(None, RepairStatus::Repaired { session: 6, by: RepairedBy::ScoreReturned }));
    let unrepaired = rupture_signal(&rupture(None, RepairStatus::Unrepaired { decided_at_session: 8 }));
    assert!(repaired.severity < open.severity);
    assert!(open.severity < unrepaired.severity);
    assert!(unrepaired.actions.iter().any(|a| a.text.contains("supervision")));
    assert!(unrepaired.evidence.iter().any(|e| e.name == "magnitude" && e.value == 8.0));
}

#[test]
fn repair_actions_depend_on_kind_and_are_not_presented_as_validated() {
    let withdrawal = rupture_signal(&rupture(Some(RuptureKind::Withdrawal), RepairStatus::Open));
    let confrontation = rupture_signal(&rupture(Some(RuptureKind::Confrontation), RepairStatus::Open));
    assert_ne!(withdrawal.actions, confrontation.actions);
    assert!(confrontation.actions.iter().any(|a| a.text.contains("your own part")));
    assert!(withdrawal.explanation().contains("pulled back"));
    for s in [&withdrawal, &confrontation] {
        assert!(s.actions.iter().all(|a| !a.validated));
    }
}

#[test]
fn discrepancy_threshold_is_configurable() {
    assert!(discrepancy_signal(4, 55.0, 50.0, 6.0).unwrap().is_none());
    let s = discrepancy_signal(4, 55.0, 48.0, 6.0).unwrap().unwrap();
    assert_eq!(s.kind, SignalKind::Discrepancy);
    assert!(s.evidence.iter().any(|e| e.name == "gap" && e.value == 7.0));
    assert!(discrepancy_signal(4, 48.0, 55.0, 6.0).unwrap().is_none());
    assert!(discrepancy_signal(4, f64::NAN, 55.0, 6.0).is_err());
    assert!(discrepancy_signal(4, 50.0, 55.0, 0.0).is_err());
}

#[test]
fn disengagement_counts_trailing_runs() {
    let record = |session, attended, measure_completed| SessionRecord { session, attended, measure_completed };
    let records = [record(1, true, true), record(2, false, false), record(3, false, false)];
    let s = disengagement_signal(&records, 2).unwrap();
    assert!(s.explanation().contains("missed the last 2 sessions"));
    assert!(disengagement_signal(&records, 3).is_none());
    let measures = [record(1, true, true), record(2, true, false), record(3, false, false), record(4, true, false)];
    let s = disengagement_signal(&measures, 3).unwrap();
    assert!(s.evidence.iter().any(|e| e.name == "missed_measures_in_a_row" && e.value == 3.0));
    let back = [record(1, false, false), record(2, false, false), record(3, true, true)];
    assert!(disengagement_signal(&back, 2).is_none());
    assert!(disengagement_signal(&[], 1).is_none());
}

#[test]
fn change_signals() {
    let phq9 = ChangeCriteria::phq9();
    let harmed = classify_change(&phq9, 6.0, 14.0).unwrap();
    let s = change_signal(9, 6.0, 14.0, &harmed).unwrap();
    assert_eq!((s.kind, s.severity), (SignalKind::Deterioration, Severity::Urgent));
    assert!(s.actions.iter().any(|a| a.text.contains("motivation")));
    let same = classify_change(&phq9, 12.0, 10.0).unwrap();
    assert!(change_signal(9, 12.0, 10.0, &same).is_none());
    let recovered = classify_change(&phq9, 16.0, 6.0).unwrap();
    assert_eq!(change_signal(9, 16.0, 6.0, &recovered).map(|s| s.kind), Some(SignalKind::Recovery));
}

#[test]
fn not_on_track_checks_the_five_areas() {
    assert!(not_on_track_signal(6, 14.0, 12.0, 16.0, Direction::LowerIsBetter).unwrap().is_none());
    let s: Signal = not_on_track_signal(6, 18.0, 12.0, 16.0, Direction::LowerIsBetter).unwrap().unwrap();
    assert_eq!(s.kind, SignalKind::NotOnTrack);
    let text: String = s.actions.iter().map(|a| a.text.to_lowercase()).collect();
    for area in ["alliance", "motivation", "social support", "goals", "life events"] {
        assert!(text.contains(area), "{area}");
    }
}

#[test]
fn action_wording_follows_the_review() {
    // docs/SCIENCE.md#suggested-actions (issue 12, item 8).
    use alliance_signals::signal::actions::{off_track_actions, repair_actions};
    let texts = |actions: Vec<alliance_signals::signal::SuggestedAction>| -> Vec<String> {
        actions.into_iter().map(|a| a.text).collect()
    };
    let confrontation = texts(repair_actions(Some(RuptureKind::Confrontation), false)).join(" ");
    assert!(confrontation.contains("your own part in what went wrong, where you see one"), "{confrontation}");
    assert!(confrontation.contains("do not press the rationale"), "{confrontation}");
    assert!(texts(repair_actions(None, false)).join(" ").contains("where you see one"));
    let off_track = texts(off_track_actions()).join(" ");
    for needed in ["formulation", "medication or referral review", "chart", "Re-check risk"] {
        assert!(off_track.contains(needed), "not-on-track actions lack {needed}: {off_track}");
    }
    let low = alliance_signals::signal::low_alliance_signal(4, 20.0, 24.0).unwrap().unwrap();
    assert!(low.explanation().contains("provisional"));
    let records: Vec<SessionRecord> = (1..=3)
        .map(|session| SessionRecord { session, attended: session == 1, measure_completed: session == 1 })
        .collect();
    let records = [records[0], SessionRecord { session: 2, attended: true, measure_completed: false }, records[2]];
    let gone = disengagement_signal(&records, 2).unwrap();
    assert!(gone.explanation().contains("relationship check"), "{}", gone.explanation());
}

#[test]
fn a_rupture_signal_names_who_said_what_and_says_not_known() {
    use alliance_signals::rupture::{Reporter, RuptureReport};
    use alliance_signals::signal::rupture_signal_as_of;
    let mut r = rupture(None, RepairStatus::Repaired { session: 6, by: RepairedBy::TherapistSaidRepaired });
    r.rules = vec![RuptureRule::Reported];
    r.accounts = vec![
        RuptureReport { session: 5, reporter: Reporter::Client, kind: None, talked_through: false },
        RuptureReport { session: 6, reporter: Reporter::Therapist, kind: None, talked_through: true },
    ];
    let s = rupture_signal(&r);
    assert!(s.explanation().contains("the client reported a rupture after session 5"), "{}", s.explanation());
    assert!(s.explanation().contains("the therapist reported a rupture after session 6 and said it was repaired"));
    assert!(s.explanation().contains("The therapist said it was addressed and repaired in session 6"));
    let open = rupture_signal_as_of(&rupture(None, RepairStatus::Open), Some(5));
    assert_eq!(open.severity, Severity::Warning);
    assert!(open.explanation().contains("not known"), "{}", open.explanation());
}
