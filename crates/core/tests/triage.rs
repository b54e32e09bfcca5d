//! The triage model (docs/TRIAGE.md): a fixed caseload comes out in the order the model says, and each signal
//! is in the lifecycle state the model gives it.

use alliance_core::overview::{AllianceSummary, ClientOverview, OutcomeSummary, Track, signal_key};
use alliance_core::triage::{SignalState, TriageInput, triage};
use alliance_signals::change::ChangeCategory;
use alliance_signals::signal::{Severity, Signal, SignalKind};
use time::macros::{date, datetime};
use time::{Date, Duration};

const TODAY: Date = date!(2026 - 11 - 30);

fn signal(kind: SignalKind, severity: Severity, session: u32) -> Signal {
    Signal {
        kind,
        severity,
        session: Some(session),
        evidence: vec![],
        text: Default::default(),
        actions: vec![],
        measure: None,
    }
}

fn phq(first: f64, latest: f64, session: u32, change: ChangeCategory, track: Track) -> OutcomeSummary {
    OutcomeSummary {
        instrument: "phq9".into(),
        first,
        latest,
        latest_session: session,
        in_clinical_range: latest >= 10.0,
        change: Some(change),
        track: Some(track),
    }
}

fn alliance(latest: f64, session: u32, trend: f64) -> Option<AllianceSummary> {
    Some(AllianceSummary {
        latest,
        latest_session: session,
        trend: Some(trend),
        below_cutoff: latest < 20.0,
        therapist_latest: None,
    })
}

fn client(outcome: OutcomeSummary, alliance: Option<AllianceSummary>, signals: Vec<Signal>) -> ClientOverview {
    ClientOverview { outcomes: vec![outcome], alliance, signals, ruptures: vec![], expected: None }
}

/// Weekly sessions 1..=n, the last one `last` days ago.
fn weekly(n: u32, last: i64) -> Vec<(u32, Date)> {
    (1..=n).map(|s| (s, TODAY - Duration::days(last + 7 * i64::from(n - s)))).collect()
}

struct Case {
    name: &'static str,
    overview: ClientOverview,
    sessions: Vec<(u32, Date)>,
    acknowledged: Vec<String>,
    /// Signals the reader has been shown on the client's page.
    seen: Vec<String>,
}

fn caseload() -> Vec<Case> {
    vec![
        // Quiet: on track, nothing flagged.
        Case {
            name: "quiet",
            overview: client(
                phq(14.0, 11.0, 8, ChangeCategory::Unchanged, Track::Green),
                alliance(26.0, 8, 0.3),
                vec![],
            ),
            sessions: weekly(8, 2),
            acknowledged: vec![],
            seen: vec![],
        },
        // Recovered (PHQ-9 1) with ruptures at sessions 1 and 6 whose alliance came back at every check since.
        Case {
            name: "recovered with old ruptures",
            overview: client(
                phq(16.0, 1.0, 12, ChangeCategory::Recovered, Track::White),
                alliance(27.0, 12, 0.5),
                vec![
                    signal(SignalKind::Rupture, Severity::Urgent, 1),
                    signal(SignalKind::Rupture, Severity::Urgent, 6),
                    signal(SignalKind::Recovery, Severity::Info, 12),
                ],
            ),
            sessions: weekly(12, 1),
            acknowledged: vec![],
            seen: vec![],
        },
        // Item 9 endorsed at sessions 1 and 13 of 20, both acknowledged with an action; otherwise improving.
        Case {
            name: "old acknowledged risk",
            overview: client(
                phq(19.0, 9.0, 20, ChangeCategory::Recovered, Track::Green),
                alliance(25.0, 20, 0.0),
                vec![signal(SignalKind::Risk, Severity::Critical, 1), signal(SignalKind::Risk, Severity::Critical, 13)],
            ),
            sessions: weekly(20, 3),
            acknowledged: vec!["5:risk:1".into(), "5:risk:13".into()],
            seen: vec![],
        },
        // PHQ-9 17, below expectation, a rupture three sessions ago not repaired, views of the alliance diverging.
        Case {
            name: "off track with an unrepaired rupture",
            overview: client(
                phq(18.0, 17.0, 9, ChangeCategory::Unchanged, Track::Yellow),
                alliance(17.0, 9, -4.0),
                vec![
                    signal(SignalKind::Rupture, Severity::Urgent, 6),
                    signal(SignalKind::NotOnTrack, Severity::Warning, 9),
                    signal(SignalKind::Discrepancy, Severity::Warning, 9),
                ],
            ),
            sessions: weekly(9, 4),
            acknowledged: vec![],
            // The therapist opened the page after the rupture, before the latest session's signals.
            seen: vec!["5:rupture:6".into()],
        },
        // Item 9 endorsed at today's session.
        Case {
            name: "today's risk",
            overview: client(
                phq(15.0, 14.0, 5, ChangeCategory::Unchanged, Track::Green),
                alliance(24.0, 5, 0.0),
                vec![signal(SignalKind::Risk, Severity::Critical, 5)],
            ),
            sessions: weekly(5, 0),
            acknowledged: vec![],
            seen: vec![],
        },
    ]
}

fn acknowledged(case: &Case) -> Vec<(&str, time::OffsetDateTime)> {
    case.acknowledged.iter().map(|k| (k.as_str(), datetime!(2026-11-01 10:00 UTC))).collect()
}

fn seen(case: &Case) -> Vec<&str> {
    case.seen.iter().map(String::as_str).collect()
}

#[test]
fn the_fixed_caseload_comes_out_in_triage_order() {
    let cases = caseload();
    let mut ranked: Vec<(_, &str)> = cases
        .iter()
        .map(|case| {
            let (acks, seen) = (acknowledged(case), seen(case));
            let input =
                TriageInput { episode: 5, sessions: &case.sessions, acknowledged: &acks, seen: &seen, today: TODAY };
            (triage(&case.overview, &input).key, case.name)
        })
        .collect();
    ranked.sort();
    let order: Vec<&str> = ranked.iter().map(|r| r.1).collect();
    assert_eq!(
        order,
        [
            "today's risk",
            "off track with an unrepaired rupture",
            "old acknowledged risk",
            "quiet",
            "recovered with old ruptures",
        ]
    );
}

#[test]
fn each_signal_is_in_its_lifecycle_state() {
    let cases = caseload();
    let state_of = |name: &str, kind: SignalKind, session: u32| {
        let case = cases.iter().find(|c| c.name == name).unwrap();
        let (acks, seen) = (acknowledged(case), seen(case));
        let input =
            TriageInput { episode: 5, sessions: &case.sessions, acknowledged: &acks, seen: &seen, today: TODAY };
        let t = triage(&case.overview, &input);
        t.signals.iter().find(|s| s.signal.kind == kind && s.signal.session == Some(session)).unwrap().state
    };
    assert_eq!(state_of("today's risk", SignalKind::Risk, 5), SignalState::New);
    assert_eq!(state_of("old acknowledged risk", SignalKind::Risk, 13), SignalState::Acknowledged);
    assert_eq!(state_of("recovered with old ruptures", SignalKind::Rupture, 6), SignalState::ResolvedByData);
    assert_eq!(state_of("recovered with old ruptures", SignalKind::Recovery, 12), SignalState::Informative);
    // Shown to the therapist since it was raised and the alliance still low: open, no longer new.
    assert_eq!(state_of("off track with an unrepaired rupture", SignalKind::Rupture, 6), SignalState::Open);
    assert_eq!(state_of("off track with an unrepaired rupture", SignalKind::NotOnTrack, 9), SignalState::New);
}

#[test]
fn risk_is_never_resolved_by_later_answers_and_old_signals_weigh_less() {
    // Item 9 at session 2, ten sessions ago, everything since fine: still open and still first.
    let overview = client(
        phq(15.0, 3.0, 12, ChangeCategory::Recovered, Track::White),
        alliance(28.0, 12, 1.0),
        vec![signal(SignalKind::Risk, Severity::Critical, 2), signal(SignalKind::Discrepancy, Severity::Warning, 2)],
    );
    let sessions = weekly(12, 1);
    // Both shown to the therapist long ago.
    let keys: Vec<String> = overview.signals.iter().map(|s| signal_key(5, s)).collect();
    let seen: Vec<&str> = keys.iter().map(String::as_str).collect();
    let t = triage(
        &overview,
        &TriageInput { episode: 5, sessions: &sessions, acknowledged: &[], seen: &seen, today: TODAY },
    );
    assert!(t.open_risk());
    assert_eq!(t.key.tier, 0);
    assert_eq!(t.signals[0].weight, Severity::Critical);
    let discrepancy = t.signals.iter().find(|s| s.signal.kind == SignalKind::Discrepancy).unwrap();
    assert_eq!((discrepancy.state, discrepancy.weight), (SignalState::Open, Severity::Notice));
    // Acknowledging it (with the episode's key) is what closes it.
    let key = signal_key(5, &overview.signals[0]);
    let acks = [(key.as_str(), datetime!(2026-11-29 9:00 UTC))];
    let t = triage(
        &overview,
        &TriageInput { episode: 5, sessions: &sessions, acknowledged: &acks, seen: &[], today: TODAY },
    );
    assert!(!t.open_risk());
}

#[test]
fn a_signal_is_new_to_each_reader_until_their_first_look() {
    let overview = client(
        phq(18.0, 17.0, 9, ChangeCategory::Unchanged, Track::Yellow),
        alliance(17.0, 9, -4.0),
        vec![signal(SignalKind::Rupture, Severity::Urgent, 9)],
    );
    let sessions = weekly(9, 0);
    let key = signal_key(5, &overview.signals[0]);
    let for_reader = |seen: &[&str]| {
        let t =
            triage(&overview, &TriageInput { episode: 5, sessions: &sessions, acknowledged: &[], seen, today: TODAY });
        (t.signals[0].state, t.key.nothing_new)
    };
    // The therapist has looked; the supervisor has not: one signal, a state per reader.
    assert_eq!(for_reader(&[key.as_str()]), (SignalState::Open, true));
    assert_eq!(for_reader(&[]), (SignalState::New, false));
    // Age does not make a signal seen: five weeks unopened is still news to that reader.
    let old = weekly(9, 35);
    let t = triage(&overview, &TriageInput { episode: 5, sessions: &old, acknowledged: &[], seen: &[], today: TODAY });
    assert_eq!((t.signals[0].state, t.signals[0].age_days), (SignalState::New, Some(35)));
}

#[test]
fn in_one_tier_something_the_reader_has_not_seen_comes_before_what_they_have() {
    // Same state, same kind of signal; the older one has never been shown to the reader.
    let outcome = || phq(15.0, 14.0, 6, ChangeCategory::Unchanged, Track::Yellow);
    let looked_at =
        client(outcome(), alliance(22.0, 6, 0.0), vec![signal(SignalKind::NotOnTrack, Severity::Warning, 6)]);
    let unopened =
        client(outcome(), alliance(22.0, 6, 0.0), vec![signal(SignalKind::NotOnTrack, Severity::Warning, 5)]);
    let sessions = weekly(6, 1);
    let seen_key = signal_key(5, &looked_at.signals[0]);
    let seen = [seen_key.as_str()];
    let key_of = |overview: &ClientOverview, seen: &[&str]| {
        triage(overview, &TriageInput { episode: 5, sessions: &sessions, acknowledged: &[], seen, today: TODAY }).key
    };
    let (a, b) = (key_of(&looked_at, &seen), key_of(&unopened, &seen));
    assert_eq!((a.tier, b.tier), (2, 2));
    assert!(a.newest_age_days < b.newest_age_days, "the seen signal is the newer one");
    assert!(b < a, "the unseen signal ranks first although older: {b:?} vs {a:?}");
}
