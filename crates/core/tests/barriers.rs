//! The barrier check (issue 18): every domain scored and flagged by hand-worked cases, the MSPSS scored as its
//! authors describe (item means, three sources of four items each), and the decision path for every combination
//! of flags.

use alliance_core::barriers::{BarrierDomain, DomainStatus, RECONSIDER_ACTIONS, decision_path, read};
use alliance_core::catalog::{BARRIER_CHECK, MSPSS};
use alliance_core::instrument::{Licence, Purpose};
use alliance_core::scoring::{Answer, Answers, score};

use crate::{all, catalog, with};

fn answers(alliance: [f64; 2], motivation: [f64; 2], support: [f64; 2], event: Option<Option<f64>>) -> Answers {
    let mut a = Answers::new();
    for (prefix, values) in [("alliance", alliance), ("motivation", motivation), ("support", support)] {
        for (i, v) in values.iter().enumerate() {
            a.insert(format!("{prefix}-{}", i + 1), Answer::Value(*v));
        }
    }
    match event {
        None => with(a, "life-event", Answer::Choice("no".into())),
        Some(impact) => {
            let a = with(a, "life-event", Answer::Choice("yes".into()));
            match impact {
                Some(v) => with(a, "life-event-impact", Answer::Value(v)),
                None => a,
            }
        }
    }
}

fn statuses(a: &Answers) -> Vec<(BarrierDomain, DomainStatus, Option<f64>)> {
    let c = catalog();
    let s = score(c.get(BARRIER_CHECK).unwrap(), a).unwrap();
    read(&s.scales, &s.flags).domains.iter().map(|d| (d.domain, d.status, d.score)).collect()
}

#[test]
fn the_barrier_check_is_the_projects_own_and_says_it_is_not_validated() {
    let c = catalog();
    let check = c.get(BARRIER_CHECK).unwrap();
    assert!(!check.validated);
    assert_eq!(check.licence, Licence::ProjectOwn);
    assert_eq!(check.purpose, Purpose::ClinicalSupport);
    assert_eq!(check.languages, ["en", "es", "ar"]);
    for scale in &check.scales {
        assert!(scale.cutoff.as_ref().unwrap().provisional, "{}: a project rule, marked provisional", scale.id);
    }
}

#[test]
fn each_domain_is_flagged_below_mostly_on_average() {
    use BarrierDomain::*;
    use DomainStatus::*;
    // Means: alliance (4+4)/2 = 4 is clear (the cut-off is "below 4"); motivation (4+3)/2 = 3.5 is flagged;
    // support (5+5)/2 = 5 is clear; no hard event.
    assert_eq!(
        statuses(&answers([4.0, 4.0], [4.0, 3.0], [5.0, 5.0], None)),
        vec![
            (Alliance, Clear, Some(4.0)),
            (Motivation, Flagged, Some(3.5)),
            (SocialSupport, Clear, Some(5.0)),
            (LifeEvents, Clear, None)
        ]
    );
    // Alliance (1+5)/2 = 3 flagged; support (3+4)/2 = 3.5 flagged; an event with impact 1 ("a little") is clear,
    // with impact 2 ("moderately") flagged, and with its impact left out flagged.
    let low = statuses(&answers([1.0, 5.0], [5.0, 5.0], [3.0, 4.0], Some(Some(1.0))));
    assert_eq!(low[0], (Alliance, Flagged, Some(3.0)));
    assert_eq!(low[1], (Motivation, Clear, Some(5.0)));
    assert_eq!(low[2], (SocialSupport, Flagged, Some(3.5)));
    assert_eq!(low[3], (LifeEvents, Clear, Some(1.0)));
    let moderate = statuses(&answers([5.0, 5.0], [5.0, 5.0], [5.0, 5.0], Some(Some(2.0))));
    assert_eq!(moderate[3], (LifeEvents, Flagged, Some(2.0)));
    let unsaid = statuses(&answers([5.0, 5.0], [5.0, 5.0], [5.0, 5.0], Some(None)));
    assert_eq!(unsaid[3], (LifeEvents, Flagged, None));
    // An impact given after "no" is dropped by the form's rule, and so counts for nothing.
    let c = catalog();
    let fields = [("life-event", "no"), ("life-event-impact", "4"), ("alliance-1", "5")];
    let parsed = alliance_core::scoring::parse_fields(c.get(BARRIER_CHECK).unwrap(), fields).unwrap();
    assert!(!parsed.contains_key("life-event-impact"));
}

#[test]
fn a_domain_left_out_is_not_answered_rather_than_clear() {
    let c = catalog();
    let a = all(&["alliance-1", "alliance-2"], 5.0);
    let a = with(a, "life-event", Answer::Choice("no".into()));
    // The scorer refuses an incomplete required form; the reading still treats an unscored scale as unknown.
    let s = score(c.get(BARRIER_CHECK).unwrap(), &a).unwrap();
    let reading = read(&s.scales, &s.flags);
    assert_eq!(reading.domains[0].status, DomainStatus::Clear);
    assert_eq!(reading.domains[1].status, DomainStatus::NotAnswered);
    assert_eq!(reading.domains[2].status, DomainStatus::NotAnswered);
    assert!(alliance_core::scoring::check(c.get(BARRIER_CHECK).unwrap(), &a, true).is_err());
}

#[test]
fn the_decision_path_takes_the_flagged_domains_in_order_then_reconsiders() {
    // Every combination of the four flags, built from answers (flagged: 2 on the items, or an event of impact 3).
    for mask in 0u8..16 {
        let low = |bit: u8| if mask & (1 << bit) != 0 { [2.0, 2.0] } else { [5.0, 5.0] };
        let event = (mask & 8 != 0).then_some(Some(3.0));
        let c = catalog();
        let s = score(c.get(BARRIER_CHECK).unwrap(), &answers(low(0), low(1), low(2), event)).unwrap();
        let reading = read(&s.scales, &s.flags);
        let path = decision_path(&reading);
        assert_eq!(path.len(), 5, "four domains and the last step");
        let expected_order = BarrierDomain::ORDER.map(Some);
        assert_eq!(path[..4].iter().map(|s| s.domain).collect::<Vec<_>>(), expected_order, "mask {mask}");
        assert_eq!(path[4].domain, None);
        assert_eq!(path[4].actions, RECONSIDER_ACTIONS);
        for (bit, step) in path[..4].iter().enumerate() {
            let flagged = mask & (1 << bit) != 0;
            let domain = BarrierDomain::ORDER[bit];
            assert_eq!(step.status, Some(if flagged { DomainStatus::Flagged } else { DomainStatus::Clear }));
            assert_eq!(step.actions, if flagged { domain.actions().to_vec() } else { Vec::new() }, "mask {mask}");
            // The first step is the lowest flagged bit: the alliance before motivation before support before events.
            assert_eq!(step.first, flagged && (mask & ((1 << bit) - 1)) == 0, "mask {mask}, bit {bit}");
        }
        assert_eq!(path[4].first, mask == 0, "reconsidering comes first only when nothing is flagged");
        assert_eq!(path.iter().filter(|s| s.first).count(), 1);
    }
}

#[test]
fn mspss_scores_item_means_for_the_total_and_each_source() {
    let c = catalog();
    let mspss = c.get(MSPSS).unwrap();
    assert_eq!(mspss.licence, Licence::FreeWithCredit);
    assert_eq!(mspss.languages, ["en"], "only the original ships: no ad-hoc translation of a validated measure");
    // Significant other (1, 2, 5, 10) all 7; family (3, 4, 8, 11) all 2; friends (6, 7, 9, 12) 4, 4, 5, 5.
    let mut a = all(&["1", "2", "5", "10"], 7.0);
    a.extend(all(&["3", "4", "8", "11"], 2.0));
    a.extend(all(&["6", "7"], 4.0));
    a.extend(all(&["9", "12"], 5.0));
    let s = score(mspss, &a).unwrap();
    assert_eq!(s.value("significant-other"), Some(7.0));
    assert_eq!(s.value("family"), Some(2.0));
    assert_eq!(s.value("friends"), Some(4.5));
    assert_eq!(s.value("total"), Some((28.0 + 8.0 + 18.0) / 12.0));
    assert_eq!(s.get("total").unwrap().concern, None, "no cut-off ships");
    assert!(score(mspss, &with(a, "1", Answer::Value(8.0))).is_err(), "1 to 7 only");
}
