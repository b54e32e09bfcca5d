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

mod groups {
    use alliance_core::scoring::{Answer, Answers};
    use alliance_core::simulate::{PracticeParams, ResponseStyle, SimPractice, practice};

    fn total(answers: &Answers, ids: &[&str]) -> f64 {
        ids.iter()
            .map(|id| match answers.get(*id) {
                Some(Answer::Value(v)) => *v,
                other => panic!("{id}: {other:?}"),
            })
            .sum()
    }

    const ALLIANCE: [&str; 6] = ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"];
    const PHQ9_ITEMS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// The practice with `style` as the second of two groups, and the same with the groups swapped: every
    /// client answers once as drawn and once in `style`.
    fn pair(style: ResponseStyle) -> (SimPractice, SimPractice) {
        let drawn = ResponseStyle::as_drawn("reference");
        let params =
            PracticeParams { clients: 400, groups: vec![drawn.clone(), style.clone()], ..PracticeParams::default() };
        let swapped = PracticeParams { groups: vec![style, drawn], ..params.clone() };
        (practice(&params), practice(&swapped))
    }

    /// (as drawn, in the style) for every checked session of every client.
    fn paired_checks(style: ResponseStyle) -> Vec<(Answers, Answers)> {
        let (a, b) = pair(style);
        let mut out = Vec::new();
        for (x, y) in a.clients.iter().zip(&b.clients) {
            let (drawn, styled) = if x.group == 0 { (x, y) } else { (y, x) };
            for (s, t) in drawn.sessions.iter().zip(&styled.sessions) {
                if let (Some(c), Some(d)) = (&s.check, &t.check) {
                    out.push((c.clone(), d.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn a_practice_without_groups_is_drawn_exactly_as_before_and_one_group_as_drawn_changes_nothing() {
        let plain = practice(&PracticeParams::default());
        let one =
            practice(&PracticeParams { groups: vec![ResponseStyle::as_drawn("all")], ..PracticeParams::default() });
        assert_eq!(plain, one);
        assert!(plain.clients.iter().all(|c| c.group == 0));
    }

    #[test]
    fn a_style_changes_only_the_answers_never_the_latent_course() {
        let style = ResponseStyle {
            alliance_offset: -4.0,
            extremity: 1.5,
            item_noise: 2.0,
            symptom_offset: 3.0,
            ..ResponseStyle::as_drawn("styled")
        };
        let (a, b) = pair(style);
        assert_eq!(a.clients.len(), b.clients.len());
        for (x, y) in a.clients.iter().zip(&b.clients) {
            // The same index into lists that hold the styles the other way round: one answers as drawn, one styled.
            assert_eq!(x.group, y.group);
            assert_eq!((x.alliance_trait, x.log_slope, x.intake), (y.alliance_trait, y.log_slope, y.intake));
            assert_eq!(
                (x.not_on_track, x.dropped_out, x.sessions.len()),
                (y.not_on_track, y.dropped_out, y.sessions.len())
            );
            for (s, t) in x.sessions.iter().zip(&y.sessions) {
                assert_eq!(
                    (s.alliance_latent, s.rupture_planted, s.check.is_some()),
                    (t.alliance_latent, t.rupture_planted, t.check.is_some())
                );
                assert_eq!(s.reflection, t.reflection, "the therapist's answers do not change");
                assert_eq!(s.phq9.get("9"), t.phq9.get("9"), "the risk item follows the latent severity");
            }
        }
        // Clients alternate between the groups.
        assert_eq!(a.clients.iter().filter(|c| c.group == 1).count(), 200);
    }

    #[test]
    fn rating_lower_lowers_the_alliance_total_by_about_the_offset() {
        let pairs = paired_checks(ResponseStyle { alliance_offset: -4.0, ..ResponseStyle::as_drawn("lower") });
        // Away from the ceiling (as drawn below 27) the whole offset shows; at the ceiling (30) some is hidden.
        let away: Vec<f64> = pairs
            .iter()
            .map(|(d, s)| (total(d, &ALLIANCE), total(s, &ALLIANCE)))
            .filter(|(d, _)| *d <= 26.0 && *d >= 12.0)
            .map(|(d, s)| s - d)
            .collect();
        let mean = away.iter().sum::<f64>() / away.len() as f64;
        assert!(away.len() > 300, "{}", away.len());
        assert!((mean + 4.0).abs() < 0.25, "mean difference {mean}");
    }

    #[test]
    fn the_scale_ends_style_uses_the_ends_more_and_the_noisy_style_varies_more() {
        let ends = |answers: &[(Answers, Answers)], styled: bool| -> f64 {
            let values: Vec<f64> = answers
                .iter()
                .flat_map(|(d, s)| {
                    ALLIANCE.map(|id| match (if styled { s } else { d }).get(id) {
                        Some(Answer::Value(v)) => *v,
                        _ => f64::NAN,
                    })
                })
                .collect();
            values.iter().filter(|v| **v == 1.0 || **v == 5.0).count() as f64 / values.len() as f64
        };
        let stretched = paired_checks(ResponseStyle { extremity: 1.5, ..ResponseStyle::as_drawn("ends") });
        let (drawn_share, styled_share) = (ends(&stretched, false), ends(&stretched, true));
        assert!(styled_share > drawn_share + 0.1, "ends: {drawn_share} as drawn, {styled_share} stretched");
        // Item noise: the spread of an answer about the mean of the six, twice the noise, more spread.
        let noisy = paired_checks(ResponseStyle { item_noise: 2.0, ..ResponseStyle::as_drawn("noisy") });
        let spread = |styled: bool| -> f64 {
            let mut sum = 0.0;
            for (d, s) in &noisy {
                let a = if styled { s } else { d };
                let values: Vec<f64> = ALLIANCE.iter().map(|id| total(a, &[id])).collect();
                let mean = values.iter().sum::<f64>() / 6.0;
                sum += values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 5.0;
            }
            sum / noisy.len() as f64
        };
        assert!(spread(true) > 1.5 * spread(false), "{} vs {}", spread(true), spread(false));
    }

    #[test]
    fn reporting_more_symptoms_raises_the_phq9_total() {
        let (a, b) = pair(ResponseStyle { symptom_offset: 3.0, ..ResponseStyle::as_drawn("more") });
        let mut differences = Vec::new();
        for (x, y) in a.clients.iter().zip(&b.clients) {
            let (drawn, styled) = if x.group == 0 { (x, y) } else { (y, x) };
            for (s, t) in drawn.sessions.iter().zip(&styled.sessions) {
                let (d, m) = (total(&s.phq9, &PHQ9_ITEMS), total(&t.phq9, &PHQ9_ITEMS));
                // Away from the floor and the ceiling of the items.
                if (4.0..=16.0).contains(&d) {
                    differences.push(m - d);
                }
            }
        }
        let mean = differences.iter().sum::<f64>() / differences.len() as f64;
        // Three points of severity are spread over items 1-8 (8/9 of it): about 2.7 on the total.
        assert!((mean - 3.0 * 8.0 / 9.0).abs() < 0.3, "mean difference {mean}");
    }
}
