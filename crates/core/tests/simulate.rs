//! The synthetic practice generator is deterministic and produces answers the real scoring path accepts.

use alliance_core::scoring::{check, score};
use alliance_core::simulate::{PracticeParams, practice};

use crate::catalog;

#[test]
fn the_same_seed_gives_the_same_practice_and_another_seed_another() {
    let params = PracticeParams::default();
    assert_eq!(practice(&params), practice(&params));
    let other = practice(&PracticeParams { seed: 7, ..params.clone() });
    assert_ne!(practice(&params), other);
}

#[test]
fn every_generated_answer_is_valid_and_complete() {
    let c = catalog();
    let params = PracticeParams { clients: 60, ..PracticeParams::default() };
    let p = practice(&params);
    assert_eq!(p.clients.len(), 60);
    for client in &p.clients {
        assert!((2..=20).contains(&(client.sessions.len() as u32)), "dropouts end after session 2");
        for s in &client.sessions {
            check(c.get("phq9").unwrap(), &s.phq9, true).unwrap();
            check(c.get("gad7").unwrap(), &s.gad7, true).unwrap();
            check(c.get("therapist-reflection").unwrap(), &s.reflection, true).unwrap();
            if let Some(answers) = &s.check {
                check(c.get("relationship-check").unwrap(), answers, true).unwrap();
                assert!(score(c.get("relationship-check").unwrap(), answers).unwrap().value("alliance").is_some());
            }
        }
        let days: Vec<i64> = client.sessions.iter().map(|s| s.days_ago).collect();
        assert!(days.windows(2).all(|w| w[0] > w[1]), "sessions go forward in time");
    }
}

#[test]
fn rupture_reports_fall_in_the_published_range() {
    // Clients report tension in 19-42 % of sessions (Eubanks et al. 2018); the default parameters aim inside.
    let p = practice(&PracticeParams { clients: 400, ..PracticeParams::default() });
    let (mut yes, mut answered) = (0usize, 0usize);
    for s in p.clients.iter().flat_map(|c| &c.sessions).filter(|s| s.number > 1) {
        if let Some(check) = &s.check {
            answered += 1;
            if check.get("rupture") == Some(&alliance_core::scoring::Answer::Choice("yes".into())) {
                yes += 1;
            }
        }
    }
    let share = yes as f64 / answered as f64;
    assert!((0.19..=0.42).contains(&share), "reported in {share:.3} of sessions");
}

#[test]
fn alliance_sits_near_the_ceiling_with_dropout_and_deterioration() {
    let c = catalog();
    let (phq9, check) = (c.get("phq9").unwrap(), c.get("relationship-check").unwrap());
    let p = practice(&PracticeParams { seed: 2032, therapists: 20, clients: 4_000, ..PracticeParams::default() });
    let checks: Vec<f64> = p
        .clients
        .iter()
        .flat_map(|c| &c.sessions)
        .filter_map(|s| s.check.as_ref())
        .map(|a| score(check, a).unwrap().value("alliance").unwrap())
        .collect();
    let mean = checks.iter().sum::<f64>() / checks.len() as f64;
    let sd = (checks.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (checks.len() - 1) as f64).sqrt();
    let at_ceiling = checks.iter().filter(|&&x| x >= 29.0).count() as f64 / checks.len() as f64;
    let n = p.clients.len() as f64;
    let dropped = p.clients.iter().filter(|c| c.dropped_out).count() as f64 / n;
    let planted = p.clients.iter().filter(|c| c.not_on_track).count() as f64 / n;
    let total = |s: &alliance_core::simulate::SimSession| score(phq9, &s.phq9).unwrap().value("total").unwrap();
    let deteriorated =
        p.clients.iter().filter(|c| total(c.sessions.last().unwrap()) - total(&c.sessions[0]) >= 6.0).count() as f64
            / n;
    eprintln!(
        "alliance mean {mean:.2} SD {sd:.2}, {at_ceiling:.3} at 29-30; dropout {dropped:.3}; planted not on \
         track {planted:.3}; reliably deteriorated {deteriorated:.3}"
    );
    // Near the ceiling of the 6-30 check, with a real spread (docs/SCIENCE.md#synthetic-practice).
    assert!((25.0..=28.5).contains(&mean) && sd >= 2.0, "mean {mean:.2} SD {sd:.2}");
    assert!(at_ceiling < 0.5, "{at_ceiling:.3} at the ceiling");
    // Dropout near the one in five Swift & Greenberg (2012) pooled.
    assert!((0.17..=0.23).contains(&dropped), "dropout {dropped:.3}");
    assert!((0.02..=0.04).contains(&planted), "planted {planted:.3}");
    // Reliable deterioration (6 PHQ-9 points, docs/SCIENCE.md#reliable-change): about twice the 1.6 % the
    // generator had before (3.5 % on this seed), at the low end of the several per cent routine care reports; a
    // project default, limited by what the bands' calibration tolerates (docs/SCIENCE.md#synthetic-practice).
    assert!((0.03..=0.10).contains(&deteriorated), "reliable deterioration {deteriorated:.3}");
}
