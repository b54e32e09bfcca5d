//! The dropout warning (issue 18): hand-worked cases of the score, the AUC and the refit, and the warning's
//! figures on held-out generated practices against floors set from what was measured (docs/SCIENCE.md#dropout-
//! warning). The default weights were tuned on seeds 101-108; seeds 201-204 were never used for tuning.

use alliance_core::dropout::{
    DropoutWeights, EpisodeHistory, FEATURES, RefitError, RefitMinimum, SessionHistory, TUNING_CLIENTS, TUNING_SEEDS,
    auc, default_rupture_config, evaluate, features, generated_episodes, prepare, refit, tune, warning,
};
use alliance_core::simulate::{DropoutModel, PracticeParams, practice};

use crate::catalog;

/// The held-out practices: seeds 201-204 of 250 clients (the CLI test runs the same).
pub const HELD_OUT: (u64, usize, usize) = (201, 4, 250);

fn session(number: u32, attended: bool, alliance: Option<f64>) -> SessionHistory {
    SessionHistory {
        number,
        attended,
        alliance,
        check_pending: false,
        rupture_reported: false,
        rupture_talked_through: false,
    }
}

fn stable() -> Vec<SessionHistory> {
    (1..=8).map(|n| session(n, true, Some(27.0))).collect()
}

/// A falling alliance, two rupture reports never talked through, and two missed sessions.
fn falling() -> Vec<SessionHistory> {
    let scores = [27.0, 27.0, 26.0, 20.0, 19.0, 18.0];
    let mut sessions: Vec<SessionHistory> =
        scores.iter().enumerate().map(|(i, &a)| session(i as u32 + 1, true, Some(a))).collect();
    sessions[3].rupture_reported = true;
    sessions[5].rupture_reported = true;
    sessions.push(session(7, false, None));
    sessions.push(session(8, false, None));
    sessions
}

#[test]
fn a_falling_alliance_with_open_ruptures_and_missed_sessions_scores_above_a_stable_one() {
    let (weights, config) = (DropoutWeights::default(), default_rupture_config());
    let (low, high) = (warning(&stable(), &weights, &config), warning(&falling(), &weights, &config));
    assert!(high.probability > low.probability, "{} vs {}", high.probability, low.probability);
    assert!(high.alert && !low.alert, "{high:?} {low:?}");
    // Hand-worked features of the falling client, as of session 8: the latest score 18 against the three before
    // it (26, 20, 19, mean 21.67), a trend of -3.67; the last three (20, 19, 18) average 19, 7.7 below the
    // reference 26.7; one rupture still open (the fall at session 4 with its report; the second report, at
    // session 6, falls inside that rupture's repair window and joins it); no skipped check at an attended session;
    // two missed sessions among the last four.
    let f = features(&falling(), weights.reference_alliance, &config);
    assert!((f.values[0] - (18.0 - (26.0 + 20.0 + 19.0) / 3.0)).abs() < 1e-9, "{:?}", f.values);
    assert!((f.values[1] - (26.7 - 19.0)).abs() < 1e-9, "{:?}", f.values);
    assert_eq!(f.values[2], 1.0);
    assert_eq!(f.values[3], 0.0);
    assert_eq!(f.values[4], 2.0);
    let s = features(&stable(), weights.reference_alliance, &config);
    assert_eq!(s.values, [0.0, 26.7 - 27.0, 0.0, 0.0, 0.0]);
}

#[test]
fn each_contribution_is_its_weight_times_its_feature_and_they_make_the_probability() {
    let (weights, config) = (DropoutWeights::default(), default_rupture_config());
    let w = warning(&falling(), &weights, &config);
    let f = features(&falling(), weights.reference_alliance, &config);
    assert_eq!(w.session, 8);
    assert_eq!(w.contributions.iter().map(|c| c.name).collect::<Vec<_>>(), FEATURES);
    for ((c, weight), value) in w.contributions.iter().zip(weights.coefficients()).zip(f.values) {
        assert_eq!(c.value, value);
        assert!((c.contribution - weight * value).abs() < 1e-12, "{c:?}");
    }
    let linear = w.intercept + w.contributions.iter().map(|c| c.contribution).sum::<f64>();
    assert!((w.probability - 1.0 / (1.0 + (-linear).exp())).abs() < 1e-12);
    // A skipped check at an attended session counts; a pending one does not.
    let mut sessions = stable();
    sessions[7].alliance = None;
    assert_eq!(features(&sessions, 26.7, &config).values[3], 1.0);
    sessions[7].check_pending = true;
    assert_eq!(features(&sessions, 26.7, &config).values[3], 0.0);
}

#[test]
fn auc_counts_pairs_and_ties_half() {
    assert_eq!(auc(&[(0.9, true), (0.8, true), (0.2, false), (0.1, false)]), 1.0);
    assert_eq!(auc(&[(0.1, true), (0.2, true), (0.8, false), (0.9, false)]), 0.0);
    assert_eq!(auc(&[(0.5, true), (0.5, false), (0.5, true), (0.5, false)]), 0.5);
    // Pairs (dropout, other): 0.9>0.5, 0.9>0.1, 0.5=0.5 (half), 0.5>0.1: 3.5 of 4.
    assert_eq!(auc(&[(0.9, true), (0.5, false), (0.5, true), (0.1, false)]), 0.875);
    assert_eq!(auc(&[(0.9, true)]), 0.5, "no one to compare with");
}

#[test]
fn the_refit_refuses_too_few_episodes_or_dropouts() {
    let config = default_rupture_config();
    let few: Vec<EpisodeHistory> =
        (0..39).map(|i| EpisodeHistory { sessions: falling(), dropped_out: i % 2 == 0 }).collect();
    let error = refit(&few, &DropoutWeights::default(), &RefitMinimum::default(), &config).unwrap_err();
    assert_eq!(error, RefitError::TooFew { episodes: 39, dropouts: 20, min_episodes: 40, min_dropouts: 8 });
    assert!(error.to_string().contains("needs at least 40 episodes with 8 dropouts"), "{error}");
    let mostly_completed: Vec<EpisodeHistory> =
        (0..100).map(|i| EpisodeHistory { sessions: stable(), dropped_out: i < 7 }).collect();
    let error = refit(&mostly_completed, &DropoutWeights::default(), &RefitMinimum::default(), &config).unwrap_err();
    assert!(matches!(error, RefitError::TooFew { episodes: 100, dropouts: 7, .. }), "{error}");
}

#[test]
fn the_refit_on_a_generated_history_beats_a_constant_and_points_the_generating_way() {
    let c = catalog();
    let history = generated_episodes(&c, 301, 2, 200);
    let refit =
        refit(&history, &DropoutWeights::default(), &RefitMinimum::default(), &default_rupture_config()).unwrap();
    eprintln!("{refit:?}");
    assert!(refit.n_episodes >= 350 && refit.n_dropouts >= 60, "{refit:?}");
    assert_eq!(refit.folds, 5);
    // A constant score has an AUC of 0.5; the cross-validated refit must be well above it, near the default.
    assert!(refit.auc_refit_cross_validated >= 0.70, "{refit:?}");
    assert!(refit.auc_default >= 0.70, "{refit:?}");
    assert!((refit.auc_refit_cross_validated - refit.auc_default).abs() <= 0.08, "{refit:?}");
    // The generator's hazard rises most with a weaker alliance and missed sessions (on these seeds: shortfall
    // 0.56, missed sessions 0.49, trend -0.05; the skipped checks' and open ruptures' weights came out against
    // their direction and were dropped to 0).
    let w = refit.weights;
    assert!(w.alliance_shortfall > 0.3 && w.missed_sessions > 0.2, "{w:?}");
    assert!(w.alliance_trend <= 0.0 && w.open_ruptures >= 0.0 && w.missed_checks >= 0.0, "{w:?}");
    assert!(w.threshold > 0.0 && w.threshold < 1.0, "{w:?}");
}

#[test]
fn held_out_practices_meet_the_floors() {
    let c = catalog();
    let weights = DropoutWeights::default();
    let episodes = generated_episodes(&c, HELD_OUT.0, HELD_OUT.1, HELD_OUT.2);
    let e = evaluate(&prepare(&episodes, weights.reference_alliance, &default_rupture_config()), &weights);
    eprintln!("{e:?}");
    // Measured on seeds 201-204: AUC .790, sensitivity .280 at an alert rate of .098, median lead 1 session (every
    // alert comes at least one session before the last attended one, by the definition); 8 other sets of 4
    // practices gave AUC .785-.832 and sensitivity .26-.32. Floors leave a margin; the AUC floor is the issue's.
    assert!(e.auc >= 0.75, "AUC {}", e.auc);
    assert!(e.sensitivity >= 0.22, "sensitivity {}", e.sensitivity);
    assert!((0.05..=0.15).contains(&e.alert_rate), "alert rate {}", e.alert_rate);
    assert!(e.median_lead_sessions >= 1.0, "lead {}", e.median_lead_sessions);
    assert_eq!(e.threshold, weights.threshold);
    assert!(e.n_clients >= 900 && e.n_clients <= 1000, "{} clients", e.n_clients);
    assert!((0.15..=0.35).contains(&(e.n_dropouts as f64 / e.n_clients as f64)), "{} dropouts", e.n_dropouts);
}

#[test]
fn the_default_weights_are_what_tuning_gives() {
    let tuned = tune(&catalog(), TUNING_SEEDS.0, TUNING_SEEDS.1, TUNING_CLIENTS, &default_rupture_config()).unwrap();
    assert_eq!(tuned, DropoutWeights::default());
}

#[test]
fn the_dependent_generator_drops_weak_alliances_and_skips_checks_at_missed_sessions() {
    let params =
        PracticeParams { seed: 9, clients: 600, dropout_model: DropoutModel::AllianceDependent, ..Default::default() };
    let p = practice(&params);
    let share = |weak: bool| {
        let group: Vec<_> = p.clients.iter().filter(|c| (c.alliance_trait < -0.5) == weak).collect();
        group.iter().filter(|c| c.dropped_out).count() as f64 / group.len() as f64
    };
    assert!(share(true) > 2.0 * share(false), "weak {} strong {}", share(true), share(false));
    for client in &p.clients {
        assert!(client.sessions[0].attended);
        assert!(client.sessions.iter().filter(|s| !s.attended).all(|s| s.check.is_none() && s.phq9.is_empty()));
        if client.dropped_out {
            assert!(client.sessions.len() >= 4, "the dependent model starts at the fourth session");
        }
    }
    let missed = p.clients.iter().flat_map(|c| &c.sessions).filter(|s| !s.attended).count();
    assert!(missed > 0);
    // The independent model, the default, has every session attended.
    let independent = practice(&PracticeParams { seed: 9, clients: 600, ..Default::default() });
    assert!(independent.clients.iter().flat_map(|c| &c.sessions).all(|s| s.attended));
}

/// The overview's observations and sessions for a history: the client's alliance scores with their rupture
/// reports.
fn overview_input(
    history: &[SessionHistory],
) -> (Vec<alliance_core::overview::Observation>, Vec<alliance_core::overview::SessionInfo>) {
    use alliance_core::overview::{Observation, Respondent, SessionInfo};
    use alliance_core::scoring::ResponseFlags;
    let observations = history
        .iter()
        .filter_map(|s| {
            let indicators = if s.rupture_reported { vec!["rupture-reported".to_owned()] } else { Vec::new() };
            Some(Observation {
                session: s.number,
                instrument: "relationship-check".into(),
                respondent: Respondent::Client,
                scale: "alliance".into(),
                value: Some(s.alliance?),
                concern: None,
                flags: ResponseFlags { risks: Vec::new(), indicators },
            })
        })
        .collect();
    let sessions =
        history.iter().map(|s| SessionInfo { number: s.number, attended: s.attended, check_pending: false }).collect();
    (observations, sessions)
}

#[test]
fn the_overview_shows_the_warning_with_its_evidence_at_or_above_the_threshold_only() {
    use alliance_core::practice::{SignalSettings, build};
    use alliance_signals::signal::{Severity, SignalKind};
    let (c, model) = (catalog(), build(&[], &[], SignalSettings::default()).unwrap());
    let (obs, sessions) = overview_input(&falling());
    let o = alliance_core::overview::overview(&c, &model, &obs, &sessions);
    let signal = o.signals.iter().find(|s| s.kind == SignalKind::DropoutRisk).expect("a dropout warning");
    assert_eq!(signal.severity, Severity::Warning);
    assert_eq!(signal.session, Some(8));
    let expected = warning(&falling(), &model.dropout, &default_rupture_config());
    let evidence = |name: &str| signal.evidence.iter().find(|e| e.name == name).unwrap().value;
    assert!((evidence("probability") - expected.probability).abs() < 1e-12);
    assert_eq!(evidence("threshold"), model.dropout.threshold);
    for term in &expected.contributions {
        assert_eq!(evidence(term.name), term.value);
        assert_eq!(evidence(&format!("{}_contribution", term.name)), term.contribution);
    }
    let text = signal.explanation();
    assert!(text.contains("not validated on real clinical data"), "{text}");
    assert!(text.contains("missed sessions") || text.contains("alliance"), "{text}");
    assert_eq!(signal.actions.len(), 3);
    assert!(signal.actions.iter().all(|a| !a.validated && !a.text.is_empty()));
    // A stable client, and any client before the third session, gets none.
    let (obs, sessions) = overview_input(&stable());
    let o = alliance_core::overview::overview(&c, &model, &obs, &sessions);
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::DropoutRisk));
    let early = [session(1, true, Some(12.0)), session(2, false, None)];
    assert!(warning(&early, &model.dropout, &default_rupture_config()).alert, "would alert without the rule");
    let (obs, sessions) = overview_input(&early);
    let o = alliance_core::overview::overview(&c, &model, &obs, &sessions);
    assert!(!o.signals.iter().any(|s| s.kind == SignalKind::DropoutRisk));
}
