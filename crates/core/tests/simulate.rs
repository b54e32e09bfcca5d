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
        assert!((4..=20).contains(&(client.sessions.len() as u32)));
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
