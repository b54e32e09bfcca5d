//! Client overviews: change by published thresholds, the expected course from the fitted model, ruptures,
//! risk and the other signals, most urgent first.

use alliance_core::overview::{Observation, Respondent, SessionInfo, Track, overview, signal_key};
use alliance_core::practice::{EtrSource, OutcomeSeries, PracticeModel, SignalSettings, build, etr_clients};
use alliance_core::scoring::{ResponseFlags, RiskFlag};
use alliance_signals::change::ChangeCategory;
use alliance_signals::rupture::{RepairStatus, RepairedBy};
use alliance_signals::signal::{Severity, SignalKind};

use crate::catalog;

/// The model before the practice has data: the default rule, no expected course.
fn reference() -> PracticeModel {
    build(&[], &[], SignalSettings::default()).unwrap()
}

/// A practice model fitted on a generated practice of 200 clients (seed 11): PHQ-9 totals through the scoring path.
fn fitted(settings: SignalSettings) -> PracticeModel {
    use alliance_core::scoring::score;
    use alliance_core::simulate::{PracticeParams, practice};
    let c = catalog();
    let phq9 = c.get("phq9").unwrap();
    let p = practice(&PracticeParams { seed: 11, therapists: 10, clients: 200, ..PracticeParams::default() });
    let outcomes: Vec<OutcomeSeries> = p
        .clients
        .iter()
        .enumerate()
        .map(|(i, client)| OutcomeSeries {
            client: format!("c{i}"),
            therapist: client.therapist.to_string(),
            episode: i as i64,
            scores: client
                .sessions
                .iter()
                .map(|s| (s.number, score(phq9, &s.phq9).unwrap().value("total").unwrap()))
                .collect(),
        })
        .collect();
    let model = build(&outcomes, &[], settings).unwrap();
    assert!(matches!(model.etr_source, EtrSource::Practice { .. }), "{}", model.describe_source());
    model
}

fn phq(session: u32, total: f64, item9: f64) -> Observation {
    let risks = if item9 > 0.0 { vec![RiskFlag { item: "9".into(), value: item9 }] } else { vec![] };
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

fn gad(session: u32, total: f64) -> Observation {
    Observation {
        session,
        instrument: "gad7".into(),
        respondent: Respondent::Client,
        scale: "total".into(),
        value: Some(total),
        concern: Some(total >= 8.0),
        flags: ResponseFlags { risks: vec![], indicators: vec![] },
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

fn attended(n: u32) -> Vec<SessionInfo> {
    (1..=n).map(|number| SessionInfo { number, attended: true, check_pending: false }).collect()
}

fn change_of(first: f64, latest: f64) -> Option<ChangeCategory> {
    let o = overview(&catalog(), &reference(), &[phq(1, first, 0.0), phq(2, latest, 0.0)], &attended(2));
    o.outcome().unwrap().change
}

#[test]
fn phq9_change_uses_the_published_threshold_of_six() {
    assert_eq!(change_of(18.0, 12.0), Some(ChangeCategory::ReliablyImproved));
    assert_eq!(change_of(18.0, 13.0), Some(ChangeCategory::Unchanged));
    assert_eq!(change_of(14.0, 8.0), Some(ChangeCategory::Recovered), "crossed the cut-off of 10");
    assert_eq!(change_of(11.0, 17.0), Some(ChangeCategory::ReliablyDeteriorated));
    assert_eq!(change_of(8.0, 14.0), Some(ChangeCategory::Harmed), "worse and into the clinical range");
}

#[test]
fn without_practice_data_the_default_rule_applies_and_no_course_is_claimed() {
    let model = reference();
    assert!(matches!(model.etr_source, EtrSource::DefaultRule { .. }));
    assert!(model.etr.is_none());
    assert_eq!(model.expected_course(18.0, 12).unwrap(), None, "no synthetic course stands in for a norm");
    let text = model.describe_source();
    assert!(text.contains("default rule") && text.contains("session 8") && text.contains("6 points"), "{text}");
    assert!(!text.contains("published"), "{text}");
}

#[test]
fn the_review_probe_a_client_who_does_not_change_for_nine_sessions_is_not_on_track_by_default() {
    let c = catalog();
    let model = reference();
    for intake in [16.0, 20.0, 24.0] {
        let flat: Vec<Observation> = (1..=9).map(|s| phq(s, intake, 0.0)).collect();
        let o = overview(&c, &model, &flat, &attended(9));
        assert_eq!(o.outcome().unwrap().track, Some(Track::Red), "intake {intake}");
        let signal = o.signals.iter().find(|s| s.kind == SignalKind::NotOnTrack).expect("not on track raised");
        assert_eq!(signal.severity, Severity::Urgent);
        assert!(signal.explanation().contains("reliable improvement"), "{}", signal.explanation());
        assert!(o.expected.is_none());
        // Before session 8 the rule does not judge yet.
        let early = overview(&c, &model, &flat[..7], &attended(7));
        assert!(!early.signals.iter().any(|s| s.kind == SignalKind::NotOnTrack), "intake {intake}");
    }
    // A reliable improvement (6 points) by session 8 is on track; 5 points is not.
    let improved: Vec<Observation> = (1..=8).map(|s| phq(s, if s == 1 { 20.0 } else { 14.0 }, 0.0)).collect();
    let o = overview(&c, &model, &improved, &attended(8));
    assert_eq!(o.outcome().unwrap().track, Some(Track::Green));
    let partly: Vec<Observation> = (1..=8).map(|s| phq(s, if s == 1 { 20.0 } else { 15.0 }, 0.0)).collect();
    assert_eq!(overview(&c, &model, &partly, &attended(8)).outcome().unwrap().track, Some(Track::Red));
}

#[test]
fn with_a_practice_fit_a_client_who_does_not_improve_is_flagged_not_on_track() {
    let c = catalog();
    let model = fitted(SignalSettings::default());
    let course = model.expected_course(16.0, 10).unwrap().unwrap();
    assert!(course.red[5].upper > course.yellow[5].upper, "the red edge is further out");
    // Intake 16, then stuck at 22.
    let flat: Vec<Observation> = (1..=10).map(|s| phq(s, if s == 1 { 16.0 } else { 22.0 }, 0.0)).collect();
    let o = overview(&c, &model, &flat, &attended(10));
    let track = o.outcome().unwrap().track.unwrap();
    assert_eq!(track, Track::Red);
    assert!(o.signals.iter().any(|s| s.kind == SignalKind::NotOnTrack), "not on track raised");
    assert!(o.expected.is_some());
    let expected: Vec<Observation> = model
        .expected_course(24.0, 10)
        .unwrap()
        .unwrap()
        .yellow
        .iter()
        .map(|p| phq(p.session, p.expected.round(), 0.0))
        .collect();
    let o = overview(&c, &model, &expected, &attended(10));
    assert_eq!(o.outcome().unwrap().track, Some(Track::Green));
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::NotOnTrack));
}

#[test]
fn one_score_beyond_the_red_edge_is_not_enough() {
    // The rule needs `not_on_track_in_a_row` scores in a row beyond the edge (docs/SCIENCE.md#not-on-track).
    let model = fitted(SignalSettings::default());
    let k = model.settings.not_on_track_in_a_row;
    assert!(k >= 2);
    let course = model.expected_course(18.0, 12).unwrap().unwrap();
    let beyond = |s: u32| course.red[s as usize - 1].upper + 1.0;
    let within = |s: u32| course.yellow[s as usize - 1].expected;
    let mut points = vec![(1, 18.0)];
    points.extend((2..=5).map(|s| (s, within(s))));
    points.push((6, beyond(6)));
    assert_eq!(model.track(&points, Some(6), true).track, Some(alliance_core::overview::Track::Green));
    assert!(model.track(&points, Some(6), true).signal.is_none());
    points.extend((7..6 + k as u32).map(|s| (s, beyond(s))));
    let r = model.track(&points, None, true);
    assert_eq!(r.track, Some(Track::Red));
    assert_eq!(r.signal.unwrap().severity, Severity::Urgent);
}

#[test]
fn risk_comes_first_and_only_while_it_is_current() {
    let c = catalog();
    let model = reference();
    let obs = [phq(1, 20.0, 0.0), phq(2, 21.0, 2.0), alliance(2, 14.0, Respondent::Client, &["rupture-reported"])];
    let risky = overview(&c, &model, &obs, &attended(2));
    assert_eq!(risky.signals[0].kind, SignalKind::Risk);
    assert_eq!(risky.signals[0].severity, Severity::Critical);
    assert_eq!(risky.priority(1, &[]).0, 0);
    // Earlier risk stays open until someone acknowledges it; the latest risk can never be acknowledged away.
    let earlier = overview(&c, &model, &[phq(1, 20.0, 1.0), phq(2, 15.0, 0.0)], &attended(2));
    let risk = earlier.signals.iter().find(|s| s.kind == SignalKind::Risk).unwrap();
    let key = alliance_core::overview::signal_key(7, risk);
    assert_eq!(
        earlier.open_signals(7, &[]).len(),
        earlier.signals.iter().filter(|s| s.severity >= Severity::Notice).count()
    );
    assert!(!earlier.open_signals(7, &[key.as_str()]).iter().any(|s| s.kind == SignalKind::Risk));
    assert!(
        earlier.open_signals(8, &[key.as_str()]).iter().any(|s| s.kind == SignalKind::Risk),
        "keys are per episode"
    );
    let risky_key = alliance_core::overview::signal_key(7, &risky.signals[0]);
    assert!(risky.open_signals(7, &[risky_key.as_str()]).iter().any(|s| s.kind == SignalKind::Risk));
}

#[test]
fn reported_ruptures_discrepancy_and_missed_checks_are_signalled() {
    let c = catalog();
    let model = reference();
    let obs = [
        alliance(1, 28.0, Respondent::Client, &[]),
        alliance(2, 28.0, Respondent::Client, &[]),
        alliance(3, 28.0, Respondent::Client, &[]),
        alliance(4, 20.0, Respondent::Client, &["rupture-reported", "confrontation"]),
        alliance(4, 27.0, Respondent::Therapist, &[]),
    ];
    let o = overview(&c, &model, &obs, &attended(4));
    let kinds: Vec<SignalKind> = o.signals.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&SignalKind::Rupture) && kinds.contains(&SignalKind::Discrepancy), "{kinds:?}");
    let rupture = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).unwrap();
    assert!(!rupture.actions.is_empty() && !rupture.evidence.is_empty());
    assert_eq!(o.ruptures.len(), 1);
    assert_eq!(o.ruptures[0].onset_session, 4);
    assert!(o.alliance.unwrap().below_cutoff);

    let quiet = overview(&c, &model, &[alliance(1, 28.0, Respondent::Client, &[])], &attended(4));
    assert!(quiet.signals.iter().any(|s| s.kind == SignalKind::Disengagement));
    let fine = overview(&c, &model, &[alliance(4, 28.0, Respondent::Client, &[])], &attended(4));
    assert!(fine.signals.is_empty());
    assert_eq!(fine.priority(1, &[]).0, 4);
}

#[test]
fn band_levels_are_configurable_and_checked() {
    let c = catalog();
    let strict = SignalSettings { yellow_level: 0.30, red_level: 0.50, ..SignalSettings::default() };
    assert!(strict.validate().is_ok());
    for bad in [
        SignalSettings { yellow_level: 0.9, red_level: 0.7, ..SignalSettings::default() },
        SignalSettings { red_level: 1.0, ..SignalSettings::default() },
        SignalSettings { discrepancy: f64::NAN, ..SignalSettings::default() },
        SignalSettings { disengagement_in_a_row: 0, ..SignalSettings::default() },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
    // A course a little worse than expected is on track with the default bands but not with narrow ones.
    let model = fitted(SignalSettings::default());
    let course = model.expected_course(16.0, 10).unwrap().unwrap();
    let slightly_worse: Vec<Observation> = course
        .yellow
        .iter()
        .map(|p| phq(p.session, if p.session == 1 { 16.0 } else { (p.expected + 4.0).round() }, 0.0))
        .collect();
    let default_track = overview(&c, &model, &slightly_worse, &attended(10)).outcome().unwrap().track;
    let narrow = fitted(strict);
    let narrow_track = overview(&c, &narrow, &slightly_worse, &attended(10)).outcome().unwrap().track;
    assert_eq!(default_track, Some(Track::Green));
    assert!(matches!(narrow_track, Some(Track::Yellow | Track::Red)), "{narrow_track:?}");
}

#[test]
fn either_account_closes_a_reported_rupture_and_both_are_shown() {
    // docs/SCIENCE.md#reported-ruptures: the client's "talked through" and the therapist's "repaired" both close a
    // rupture, and the signal says who said what.
    let c = catalog();
    let model = reference();
    let obs = [
        alliance(1, 28.0, Respondent::Client, &[]),
        alliance(2, 28.0, Respondent::Client, &[]),
        alliance(3, 27.0, Respondent::Client, &["rupture-reported", "confrontation"]),
        alliance(3, 26.0, Respondent::Therapist, &["rupture-reported", "talked-through"]),
    ];
    let o = overview(&c, &model, &obs, &attended(3));
    assert_eq!(o.ruptures[0].repair, RepairStatus::Repaired { session: 3, by: RepairedBy::TherapistSaidRepaired });
    let signal = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).expect("a recent rupture is shown");
    assert!(signal.explanation().contains("the client reported a rupture after session 3"), "{}", signal.explanation());
    assert!(signal.explanation().contains("the therapist reported a rupture after session 3 and said it was repaired"));
    let mut closed = obs.to_vec();
    closed[2] = alliance(3, 27.0, Respondent::Client, &["rupture-reported", "confrontation", "talked-through"]);
    closed.truncate(3);
    let o = overview(&c, &model, &closed, &attended(3));
    assert_eq!(o.ruptures[0].repair, RepairStatus::Repaired { session: 3, by: RepairedBy::TalkedThrough });
}

#[test]
fn recent_sessions_do_not_count_as_missed_checks() {
    let c = catalog();
    let mut sessions = attended(4);
    sessions[2].check_pending = true;
    sessions[3].check_pending = true;
    let o = overview(&c, &reference(), &[alliance(2, 28.0, Respondent::Client, &[])], &sessions);
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::Disengagement));
}

#[test]
fn no_not_on_track_signal_in_the_non_clinical_range() {
    let o = overview(&catalog(), &reference(), &[phq(1, 2.0, 0.0), phq(2, 9.0, 0.0)], &attended(2));
    assert_eq!(o.outcome().unwrap().track, Some(Track::White));
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::NotOnTrack));
}

#[test]
fn a_reported_then_recovered_rupture_does_not_escalate() {
    // Review probe (issue 12): a reported rupture whose alliance score came back is repaired by the score
    // (docs/SCIENCE.md#repair), so it is neither Urgent nor sent to supervision.
    let c = catalog();
    let mut obs: Vec<Observation> = (1..=8).map(|s| alliance(s, 28.0, Respondent::Client, &[])).collect();
    obs[3] = alliance(4, 21.0, Respondent::Client, &["rupture-reported", "withdrawal"]);
    let o = overview(&c, &reference(), &obs, &attended(8));
    assert_eq!(o.ruptures.len(), 1);
    assert_eq!(o.ruptures[0].repair, RepairStatus::Repaired { session: 5, by: RepairedBy::ScoreReturned });
    for s in o.signals.iter().filter(|s| s.kind == SignalKind::Rupture) {
        assert!(s.severity < Severity::Urgent, "{s:?}");
        assert!(!s.actions.iter().any(|a| a.text.contains("supervision")), "{s:?}");
    }
    // At the ceiling, the score staying where it was is the score's return too.
    let mut ceiling: Vec<Observation> = (1..=4).map(|s| alliance(s, 30.0, Respondent::Client, &[])).collect();
    ceiling[2] = alliance(3, 30.0, Respondent::Client, &["rupture-reported", "withdrawal"]);
    let o = overview(&c, &reference(), &ceiling, &attended(4));
    assert_eq!(o.ruptures[0].repair, RepairStatus::Repaired { session: 4, by: RepairedBy::ScoreReturned });
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::Rupture && s.severity >= Severity::Urgent));
}

#[test]
fn after_missed_checks_repair_is_not_known_until_a_score_is_read() {
    // Review probe (issue 12): 28, 28, 28, 20, checks missed at 5-7, 28 at session 8. docs/SCIENCE.md#repair:
    // unrepaired is decided only on a score read, so this must never say "not repaired by session 8".
    let c = catalog();
    let obs: Vec<Observation> = [(1, 28.0), (2, 28.0), (3, 28.0), (4, 20.0)]
        .iter()
        .map(|&(s, v)| alliance(s, v, Respondent::Client, &[]))
        .collect();
    // Before session 8 is read: past the window with no check, so "not known", a Warning.
    let o = overview(&c, &reference(), &obs, &attended(7));
    let signal = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).expect("the rupture is shown");
    assert_eq!(signal.severity, Severity::Warning);
    assert!(signal.explanation().contains("not known"), "{}", signal.explanation());
    assert!(!signal.explanation().contains("not repaired"), "{}", signal.explanation());
    // Session 8 read at the earlier level: repaired then.
    let mut back = obs.clone();
    back.push(alliance(8, 28.0, Respondent::Client, &[]));
    let o = overview(&c, &reference(), &back, &attended(8));
    assert_eq!(o.ruptures[0].repair, RepairStatus::Repaired { session: 8, by: RepairedBy::ScoreReturned });
    assert!(!o.signals.iter().any(|s| s.explanation().contains("not repaired by session 8")));
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::Rupture && s.severity >= Severity::Urgent));
}

#[test]
fn a_persistently_low_alliance_is_signalled_and_report_only_ruptures_stay_proportionate() {
    let c = catalog();
    let low: Vec<Observation> = (1..=6).map(|s| alliance(s, 12.0, Respondent::Client, &[])).collect();
    let o = overview(&c, &reference(), &low, &attended(6));
    let signal = o.signals.iter().find(|s| s.kind == SignalKind::LowAlliance).expect("low alliance flagged");
    // One signal for the episode of strain, about its first session (docs/SCIENCE.md#low-alliance).
    assert_eq!(signal.session, Some(1));
    assert!(signal.evidence.iter().any(|e| e.name == "cutoff" && e.value == 24.0));
    assert!(signal.explanation().contains("provisional"), "{}", signal.explanation());

    // A report at the ceiling, never talked through, with no fall in the score: a warning, not an urgent alarm.
    let mut steady: Vec<Observation> = (1..=8).map(|s| alliance(s, 29.0, Respondent::Client, &[])).collect();
    steady[2] = alliance(3, 29.0, Respondent::Client, &["rupture-reported"]);
    // docs/SCIENCE.md#repair: the score at its level at session 4 repairs it; it is noted while recent, never urgent.
    let o = overview(&c, &reference(), &steady, &attended(8));
    assert_eq!(o.ruptures[0].repair, RepairStatus::Repaired { session: 4, by: RepairedBy::ScoreReturned });
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::Rupture && s.severity > Severity::Warning));
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::LowAlliance));
    let o = overview(&c, &reference(), &steady[..4], &attended(4));
    let rupture = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).expect("a recent rupture is noted");
    assert_eq!(rupture.severity, Severity::Info);
}

#[test]
fn starting_below_the_cut_off_is_a_low_alliance_not_a_rupture() {
    let c = catalog();
    let obs: Vec<Observation> =
        [20.0, 21.0, 22.0].iter().zip(1..).map(|(v, s)| alliance(s, *v, Respondent::Client, &[])).collect();
    let o = overview(&c, &reference(), &obs, &attended(3));
    assert!(o.ruptures.is_empty(), "{:?}", o.ruptures);
    assert!(o.signals.iter().any(|s| s.kind == SignalKind::LowAlliance));
    // Falling below it from above is still a rupture.
    let fall: Vec<Observation> =
        [28.0, 28.0, 28.0, 18.0].iter().zip(1..).map(|(v, s)| alliance(s, *v, Respondent::Client, &[])).collect();
    assert_eq!(overview(&c, &reference(), &fall, &attended(4)).ruptures.len(), 1);
}

/// A synthetic practice of 60 clients under four therapists, six PHQ-9 totals each, except every sixth client
/// with two (not eligible for the fit). Episode ids are a permutation of the clients, so that recency is not
/// client order.
fn courses(keep: impl Fn(&str) -> bool) -> Vec<OutcomeSeries> {
    (0..60u32)
        .map(|i| {
            let intake = 12.0 + f64::from(i % 9);
            let sessions = if i % 6 == 0 { 2 } else { 6 };
            // Each client's own level and rate of change, so that the fit is not singular.
            let (level, rate) = (f64::from(i * 5 % 13) - 6.0, 1.0 + 0.4 * f64::from(i * 3 % 11));
            OutcomeSeries {
                client: format!("c{i}"),
                therapist: format!("t{}", i % 4),
                episode: 1000 + i64::from(i * 37 % 60),
                scores: (1..=sessions)
                    .map(|s| {
                        let noise = f64::from((i * 7 + s * s * 3) % 5) - 2.0;
                        let own = if s == 1 { 0.0 } else { level - rate * f64::from(s).ln() };
                        (s, intake + own + noise)
                    })
                    .collect(),
            }
        })
        .filter(|o| keep(&o.client))
        .collect()
}

#[test]
fn the_practice_fit_is_capped_at_the_most_recent_eligible_clients() {
    let all = courses(|_| true);
    let (chosen, eligible) = etr_clients(&all, 20);
    assert_eq!((chosen.len(), eligible), (20, 50));
    let mut recent: Vec<&OutcomeSeries> = all.iter().filter(|o| o.scores.len() >= 3).collect();
    recent.sort_by_key(|o| std::cmp::Reverse(o.episode));
    let want: Vec<&str> = recent[..20].iter().map(|o| o.client.as_str()).collect();
    assert_eq!(chosen.iter().map(|o| o.client.as_str()).collect::<Vec<_>>(), want, "most recent first");
    assert_eq!(etr_clients(&all, 100).0.len(), 50, "no cap below the eligible count");

    let settings = SignalSettings {
        min_clients_for_practice_etr: 10,
        max_clients_for_practice_etr: 20,
        ..SignalSettings::default()
    };
    let capped = build(&all, &[], settings).unwrap();
    // The first score of each client is its intake, not an outcome row: 5 rows from 6 scores.
    assert_eq!(capped.etr_source, EtrSource::Practice { clients: 20, eligible: 50, observations: 100 });
    let etr = capped.etr.as_ref().unwrap();
    assert_eq!((etr.result.n_clients, etr.result.n_obs), (20, 100));
    assert!(etr.result.converged);
    let d = capped.diagnostics.as_ref().unwrap();
    assert!(!d.singular && d.correlation.is_some_and(|r| r.abs() < 0.99), "{d:?}");
    // The same fit as on those 20 clients alone.
    let only = courses(|c| want.contains(&c));
    let alone = build(&only, &[], SignalSettings { max_clients_for_practice_etr: 2_000, ..settings }).unwrap();
    assert_eq!(alone.etr_source, EtrSource::Practice { clients: 20, eligible: 20, observations: 100 });
    assert_eq!(alone.etr.unwrap().result, etr.result);

    assert_eq!(
        capped.etr_source.describe().english(),
        "Expected course fitted on this practice's PHQ-9 data: the 20 most recent of 50 clients with three or more \
         scores (100 outcome scores after intake)."
    );
    assert_eq!(
        alone.etr_source.describe().english(),
        "Expected course fitted on this practice's PHQ-9 data (20 clients, 100 outcome scores after intake)."
    );
    // Eligibility is counted before the cap: 50 eligible clients reach a minimum of 40 whatever the cap.
    let enough = SignalSettings { min_clients_for_practice_etr: 40, max_clients_for_practice_etr: 40, ..settings };
    let forty = build(&all, &[], enough).unwrap();
    assert!(matches!(forty.etr_source, EtrSource::Practice { clients: 40, .. }), "{}", forty.describe_source());
    for bad in [
        SignalSettings { max_clients_for_practice_etr: 0, min_clients_for_practice_etr: 0, ..settings },
        SignalSettings { max_clients_for_practice_etr: 29, ..SignalSettings::default() },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
    assert!(SignalSettings::default().validate().is_ok());
}

#[test]
fn gad7_deteriorates_while_phq9_is_stable() {
    // Review probe (issue 12): PHQ-9 stable while GAD-7 goes 4 to 14. docs/SCIENCE.md#gad-7: reliable change 4
    // points, cut-off 8, so 4 -> 14 is reliably worse and into the clinical range (harmed); both measures are kept,
    // the worse first, and the signal names GAD-7.
    let c = catalog();
    let obs = [phq(1, 12.0, 0.0), gad(1, 4.0), phq(2, 12.0, 0.0), gad(2, 9.0), phq(3, 12.0, 0.0), gad(3, 14.0)];
    let o = overview(&c, &reference(), &obs, &attended(3));
    let measures: Vec<&str> = o.outcomes.iter().map(|x| x.instrument.as_str()).collect();
    assert_eq!(measures, ["gad7", "phq9"], "both measures, the worse first");
    assert_eq!(o.outcomes[0].change, Some(ChangeCategory::Harmed));
    let worse: Vec<_> = o.signals.iter().filter(|s| s.kind == SignalKind::Deterioration).collect();
    assert_eq!(worse.len(), 1, "{worse:?}");
    assert_eq!(worse[0].measure.as_deref(), Some("gad7"));
    assert!(worse[0].explanation().contains("GAD-7"), "{}", worse[0].explanation());
    assert!(worse[0].severity >= Severity::Warning);
    assert!(worse[0].actions.iter().any(|a| a.text.contains("Re-check risk")));
}

#[test]
fn an_alliance_alternating_24_23_raises_one_low_alliance_signal() {
    // Review probe (issue 12): the score alternates around the provisional cut-off of 24. docs/SCIENCE.md#low-alliance:
    // one signal per episode of strain (it ends after two scores in a row at or above the cut-off), so every prefix
    // shows the same signal, keyed to the episode's first session: acknowledged once, not once per dip.
    let c = catalog();
    let values = [28.0, 28.0, 28.0, 23.0, 24.0, 23.0, 24.0, 23.0, 24.0, 23.0];
    let obs: Vec<Observation> = values.iter().zip(1..).map(|(v, s)| alliance(s, *v, Respondent::Client, &[])).collect();
    let mut keys = Vec::new();
    for n in 4..=values.len() {
        let o = overview(&c, &reference(), &obs[..n], &attended(n as u32));
        let low: Vec<_> = o.signals.iter().filter(|s| s.kind == SignalKind::LowAlliance).collect();
        assert_eq!(low.len(), 1, "after session {n}: {low:?}");
        assert_eq!(low[0].session, Some(4));
        keys.push(signal_key(1, low[0]));
    }
    keys.dedup();
    assert_eq!(keys.len(), 1, "{keys:?}");
    // Two scores at or above the cut-off end the episode; a later dip is a new one.
    let mut recovered = obs.clone();
    recovered.extend([alliance(11, 26.0, Respondent::Client, &[]), alliance(12, 26.0, Respondent::Client, &[])]);
    let o = overview(&c, &reference(), &recovered, &attended(12));
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::LowAlliance));
}

#[test]
fn missed_sessions_soon_after_a_positive_item9_escalate() {
    // docs/SCIENCE.md#risk: missed sessions or checks within 4 sessions of a positive item 9, with no PHQ-9
    // answered since, make the disengagement signal Urgent, with re-checking risk among its actions.
    let c = catalog();
    let mut sessions = attended(5);
    sessions[3].attended = false;
    sessions[4].attended = false;
    let checks = |n: u32| (1..=n).map(|s| alliance(s, 28.0, Respondent::Client, &[])).collect::<Vec<_>>();
    let mut obs = checks(3);
    obs.extend([phq(1, 15.0, 0.0), phq(3, 15.0, 1.0)]);
    let o = overview(&c, &reference(), &obs, &sessions);
    let gone = o.signals.iter().find(|s| s.kind == SignalKind::Disengagement).expect("disengagement");
    assert_eq!(gone.severity, Severity::Urgent);
    assert!(gone.actions.iter().any(|a| a.text.contains("Re-check risk")), "{:?}", gone.actions);
    assert!(o.signals.iter().any(|s| s.kind == SignalKind::Risk && s.severity == Severity::Critical));

    // Item 9 answered 0 since: the risk was asked again, an ordinary Warning.
    let mut asked_again = checks(3);
    asked_again.extend([phq(1, 15.0, 1.0), phq(3, 15.0, 0.0)]);
    let o = overview(&c, &reference(), &asked_again, &sessions);
    let gone = o.signals.iter().find(|s| s.kind == SignalKind::Disengagement).expect("disengagement");
    assert_eq!(gone.severity, Severity::Warning);

    // Positive item 9 long before (session 1, missed run from session 9): not "soon after".
    let mut late = attended(10);
    late[8].attended = false;
    late[9].attended = false;
    let mut long_ago = checks(8);
    long_ago.push(phq(1, 15.0, 1.0));
    let o = overview(&c, &reference(), &long_ago, &late);
    let gone = o.signals.iter().find(|s| s.kind == SignalKind::Disengagement).expect("disengagement");
    assert_eq!(gone.severity, Severity::Warning);
    // The disengagement text names the measure it counts.
    assert!(gone.explanation().contains("missed") || gone.explanation().contains("relationship check"));
}

#[test]
fn a_rupture_at_the_first_check_claims_no_earlier_level_or_drop() {
    // Issue 13: a rupture flagged at the client's first check showed "level before 24 · drop 6": 24 was the
    // cut-off, not a level the client had; nothing before it is known.
    let c = catalog();
    let model = reference();
    let obs = [alliance(1, 18.0, Respondent::Client, &["rupture-reported", "withdrawal"])];
    let o = overview(&c, &model, &obs, &attended(1));
    let rupture = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).expect("the reported rupture");
    let names: Vec<&str> = rupture.evidence.iter().map(|e| e.name.as_str()).collect();
    assert!(!names.contains(&"pre_rupture_level") && !names.contains(&"magnitude"), "{names:?}");
    assert!(rupture.explanation().contains("no earlier score"), "{}", rupture.explanation());
    assert!(!rupture.explanation().contains("fell"), "{}", rupture.explanation());

    // Repaired by the next score: "back at the cut-off", not "back to its earlier level", which it never had.
    let repaired = [obs[0].clone(), alliance(2, 28.0, Respondent::Client, &[])];
    let o = overview(&c, &model, &repaired, &attended(2));
    let rupture = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).expect("a recent repair is shown");
    assert!(!rupture.explanation().contains("earlier level"), "{}", rupture.explanation());

    // With earlier checks the level before and the drop are real and stay.
    let later = [
        alliance(1, 28.0, Respondent::Client, &[]),
        alliance(2, 28.0, Respondent::Client, &[]),
        alliance(3, 18.0, Respondent::Client, &["rupture-reported"]),
    ];
    let o = overview(&c, &model, &later, &attended(3));
    let rupture = o.signals.iter().find(|s| s.kind == SignalKind::Rupture).expect("the reported rupture");
    assert!(rupture.evidence.iter().any(|e| e.name == "pre_rupture_level"));
    assert!(!rupture.explanation().contains("no earlier score"));
}

/// The culture item beside its twin (issue 20): a therapist 2 or more points above the client on the 1-5 item is
/// flagged as its own discrepancy, keyed apart from the alliance's at the same session.
#[test]
fn the_culture_item_joins_the_discrepancy_rule() {
    let c = catalog();
    let model = reference();
    let culture = |session, value, who| Observation { scale: "culture".into(), ..alliance(session, value, who, &[]) };
    let same_alliance = [alliance(3, 28.0, Respondent::Client, &[]), alliance(3, 28.0, Respondent::Therapist, &[])];
    let with = |client: f64, therapist: f64| {
        let mut obs = same_alliance.to_vec();
        obs.extend([culture(3, client, Respondent::Client), culture(3, therapist, Respondent::Therapist)]);
        overview(&c, &model, &obs, &attended(3))
    };
    let discrepancies = |o: &alliance_core::overview::ClientOverview| {
        o.signals.iter().filter(|s| s.kind == SignalKind::Discrepancy).cloned().collect::<Vec<_>>()
    };
    // Client 2, therapist 4: a gap of 2, the rule's threshold (docs/SCIENCE.md#culture-in-the-relationship).
    let flagged = discrepancies(&with(2.0, 4.0));
    assert_eq!(flagged.len(), 1, "the alliance totals agree, the culture item does not");
    assert_eq!(flagged[0].text.id, "signal-discrepancy-culture");
    assert_eq!(flagged[0].session, Some(3));
    assert_eq!(signal_key(7, &flagged[0]), "7:discrepancy:3:culture");
    assert!(discrepancies(&with(3.0, 4.0)).is_empty(), "a gap of 1 is not flagged");
    assert!(discrepancies(&with(4.0, 2.0)).is_empty(), "the client rating higher is not a discrepancy");
    // Without the therapist's twin for that session, nothing to compare.
    let mut obs = same_alliance.to_vec();
    obs.push(culture(3, 1.0, Respondent::Client));
    assert!(discrepancies(&overview(&c, &model, &obs, &attended(3))).is_empty());
}
