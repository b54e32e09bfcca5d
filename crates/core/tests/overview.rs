//! Caseload summaries: change judged by the published thresholds, and the most urgent client first.

use alliance_core::overview::{Attention, AttentionSettings, Change, Observation, Respondent, overview};
use alliance_core::scoring::{ResponseFlags, RiskFlag};

use crate::catalog;

fn phq(session: u32, total: f64, risk: bool) -> Observation {
    let risks = if risk { vec![RiskFlag { item: "9".into(), value: 1.0 }] } else { vec![] };
    Observation {
        session,
        instrument: "phq9".into(),
        respondent: Respondent::Client,
        scale: "total".into(),
        value: Some(total),
        concern: Some(total >= 10.0),
        flags: ResponseFlags { risks, indicators: vec![] },
    }
}

fn alliance(session: u32, value: f64, who: Respondent, indicators: &[&str]) -> Observation {
    Observation {
        session,
        instrument: if who == Respondent::Client { "relationship-check" } else { "therapist-reflection" }.into(),
        respondent: who,
        scale: "alliance".into(),
        value: Some(value),
        concern: None,
        flags: ResponseFlags { risks: vec![], indicators: indicators.iter().map(|s| (*s).to_owned()).collect() },
    }
}

fn change_of(first: f64, latest: f64) -> Change {
    let o =
        overview(&catalog(), &[phq(1, first, false), phq(2, latest, false)], Some(2), &AttentionSettings::default());
    o.outcome.unwrap().change
}

#[test]
fn phq9_change_uses_the_published_threshold_of_six() {
    assert_eq!(change_of(18.0, 12.0), Change::Improved);
    assert_eq!(change_of(18.0, 13.0), Change::Unchanged);
    assert_eq!(change_of(14.0, 8.0), Change::Recovered, "crossed the cut-off of 10");
    assert_eq!(change_of(8.0, 14.0), Change::Deteriorated);
    assert_eq!(change_of(8.0, 13.0), Change::Unchanged);
}

#[test]
fn risk_comes_first_and_only_while_it_is_current() {
    let c = catalog();
    let s = AttentionSettings::default();
    let risky = overview(&c, &[phq(1, 20.0, false), phq(2, 21.0, true)], Some(2), &s);
    assert_eq!(risky.attention[0], Attention::Risk { session: 2 });
    assert_eq!(risky.priority().0, 0);
    let resolved = overview(&c, &[phq(1, 20.0, true), phq(2, 15.0, false)], Some(2), &s);
    assert!(!resolved.attention.iter().any(|a| matches!(a, Attention::Risk { .. })));
}

#[test]
fn alliance_reasons_are_found_and_ordered() {
    let c = catalog();
    let s = AttentionSettings::default();
    let obs = [
        alliance(1, 28.0, Respondent::Client, &[]),
        alliance(2, 28.0, Respondent::Client, &[]),
        alliance(3, 21.0, Respondent::Client, &["rupture-reported", "withdrawal"]),
        alliance(3, 27.0, Respondent::Therapist, &[]),
    ];
    let o = overview(&c, &obs, Some(3), &s);
    assert_eq!(
        o.attention,
        vec![
            Attention::RuptureNotTalkedThrough { session: 3 },
            Attention::AllianceDrop { by: 7.0 },
            Attention::AllianceBelowCutoff { score: 21.0 },
            Attention::Discrepancy { therapist: 27.0, client: 21.0 },
        ]
    );
    let a = o.alliance.unwrap();
    assert_eq!((a.latest, a.trend, a.below_cutoff, a.therapist_latest), (21.0, Some(-7.0), true, Some(27.0)));
}

#[test]
fn missed_checks_are_counted_from_the_last_answered_session() {
    let o = overview(&catalog(), &[alliance(1, 28.0, Respondent::Client, &[])], Some(4), &AttentionSettings::default());
    assert_eq!(o.attention, vec![Attention::MissedChecks { sessions: 3 }]);
    let fine =
        overview(&catalog(), &[alliance(4, 28.0, Respondent::Client, &[])], Some(4), &AttentionSettings::default());
    assert!(fine.attention.is_empty());
    assert_eq!(fine.priority().0, u8::MAX);
}
