//! The rupture-recognition loop and tracked repair (issue 18), by hand-worked cases.

use alliance_core::recognition::{PredictionPair, StrainMatch, per_item, summarise};
use alliance_core::repair::{
    Approach, RepairOutcome, STRATEGIES, outcome, rupture_for, strategies_for, strategy_by_code, strategy_table,
};
use alliance_signals::rupture::{RepairStatus, RepairedBy, Rupture, RuptureKind};

fn pair(session: u32, predicted: (f64, bool), client: (f64, bool), before_check: bool) -> PredictionPair {
    PredictionPair {
        session,
        predicted_rating: Some(predicted.0),
        predicted_strain: Some(predicted.1),
        client_rating: Some(client.0),
        client_strain: Some(client.1),
        before_check,
    }
}

#[test]
fn predictions_are_read_beside_the_clients_check() {
    assert_eq!(per_item(27.0), 4.5, "the check's total over its six items");
    let p = pair(3, (4.0, false), (per_item(21.0), true), true);
    assert_eq!(p.strain_match(), Some(StrainMatch::Missed));
    assert_eq!(p.rating_gap(), Some(0.5), "predicted 4, the client gave 3.5 per item");
    assert_eq!(pair(1, (3.0, true), (3.0, true), true).strain_match(), Some(StrainMatch::Spotted));
    assert_eq!(pair(1, (3.0, true), (3.0, false), true).strain_match(), Some(StrainMatch::NotReported));
    assert_eq!(pair(1, (3.0, false), (3.0, false), true).strain_match(), Some(StrainMatch::BothNone));
    let unknown = PredictionPair { predicted_strain: None, ..p };
    assert_eq!(unknown.strain_match(), None);
}

#[test]
fn the_summary_counts_only_predictions_made_before_the_check_arrived() {
    let pairs = [
        pair(1, (4.0, true), (3.0, true), true),   // spotted, gap +1
        pair(2, (5.0, false), (4.0, true), true),  // missed, gap +1
        pair(3, (3.0, true), (5.0, false), true),  // not reported, gap -2
        pair(4, (4.0, false), (4.0, false), true), // neither, gap 0
        pair(5, (2.0, true), (2.0, true), false),  // written with the check in view: not counted
    ];
    let s = summarise(&pairs);
    assert_eq!((s.compared, s.reported, s.spotted, s.missed, s.not_reported), (4, 2, 1, 1, 1));
    assert_eq!(s.spotted_share(), Some(0.5));
    assert_eq!(s.rated, 4);
    assert_eq!(s.mean_gap, Some(0.0), "(1 + 1 - 2 + 0) / 4");
    assert_eq!(s.mean_abs_gap, Some(1.0), "(1 + 1 + 2 + 0) / 4");
    assert_eq!(summarise(&[]).spotted_share(), None);
}

#[test]
fn strategies_are_matched_to_the_kind_then_the_approach() {
    let withdrawal: Vec<&str> = strategies_for(Some(RuptureKind::Withdrawal)).iter().map(|s| s.code).collect();
    assert_eq!(
        withdrawal,
        [
            "adjust-task",
            "invite-disagreement",
            "name-withdrawal",
            "clarify-rationale",
            "metacommunicate",
            "link-pattern"
        ]
    );
    let confrontation: Vec<&str> = strategies_for(Some(RuptureKind::Confrontation)).iter().map(|s| s.code).collect();
    assert_eq!(
        confrontation,
        ["acknowledge-part", "change-goal", "explore-anger", "clarify-rationale", "metacommunicate", "link-pattern"]
    );
    let any = strategies_for(None);
    assert_eq!(any.len(), STRATEGIES.len());
    assert_eq!(any[0].code, "clarify-rationale", "general strategies first when the kind is not known");
    assert!(strategies_for(Some(RuptureKind::Withdrawal)).iter().all(|s| s.kind != Some(RuptureKind::Confrontation)));
    assert_eq!(strategy_by_code("metacommunicate").map(|s| s.approach), Some(Approach::Exploratory));
    assert_eq!(strategy_by_code("nonsense"), None);
    let mut codes: Vec<&str> = STRATEGIES.iter().map(|s| s.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), STRATEGIES.len(), "codes are unique");
}

fn rupture(onset: u32, repair: RepairStatus) -> Rupture {
    Rupture {
        onset_session: onset,
        detected_at_session: onset,
        rules: Vec::new(),
        kind: None,
        reference: Some(25.0),
        lowest: Some(18.0),
        length: 1,
        repair,
        accounts: Vec::new(),
    }
}

#[test]
fn the_next_checks_say_whether_the_alliance_came_back() {
    let repaired = rupture(4, RepairStatus::Repaired { session: 6, by: RepairedBy::ScoreReturned });
    assert_eq!(outcome(&repaired, 5, &[4, 5, 6]), RepairOutcome::CameBack { session: 6 });
    assert_eq!(outcome(&repaired, 7, &[4, 5, 6]), RepairOutcome::BackBefore);
    let lost = rupture(4, RepairStatus::Unrepaired { decided_at_session: 7 });
    assert_eq!(outcome(&lost, 5, &[4, 5, 6, 7]), RepairOutcome::NotBack);
    let open = rupture(4, RepairStatus::Open);
    assert_eq!(outcome(&open, 5, &[4, 5]), RepairOutcome::NotYet);
    assert_eq!(outcome(&open, 5, &[4]), RepairOutcome::NoCheckSince);
    let ruptures = [rupture(2, RepairStatus::Open), rupture(6, RepairStatus::Open)];
    assert_eq!(rupture_for(&ruptures, 5).map(|r| r.onset_session), Some(2));
    assert_eq!(rupture_for(&ruptures, 6).map(|r| r.onset_session), Some(6));
    assert!(rupture_for(&ruptures, 1).is_none());
}

#[test]
fn the_research_table_counts_decided_attempts_and_hides_small_cells() {
    let back = RepairOutcome::CameBack { session: 5 };
    let mut attempts = Vec::new();
    // Metacommunication: six clients, seven decided attempts, five came back; one undecided attempt is left out.
    for client in 1..=6 {
        attempts.push((client, "metacommunicate", if client <= 4 { back } else { RepairOutcome::NotBack }));
    }
    attempts.push((1, "metacommunicate", back));
    attempts.push((7, "metacommunicate", RepairOutcome::NotYet));
    // Adjusting the task: three clients, all came back: too few clients to show a share.
    for client in 1..=3 {
        attempts.push((client, "adjust-task", back));
    }
    let table = strategy_table(&attempts);
    let row = |code: &str| table.iter().find(|r| r.code == code).unwrap().clone();
    let meta = row("metacommunicate");
    assert_eq!((meta.attempts, meta.clients, meta.came_back), (7, 6, 5));
    assert_eq!(meta.came_back_share(), Some(5.0 / 7.0));
    let adjust = row("adjust-task");
    assert_eq!((adjust.attempts, adjust.clients, adjust.came_back), (3, 3, 3));
    assert_eq!(adjust.came_back_share(), None, "fewer than 5 clients: suppressed");
    assert_eq!(row("explore-anger").attempts, 0);
}
