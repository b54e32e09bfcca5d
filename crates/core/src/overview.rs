//! Everything a therapist needs first about one client: the latest outcome against its expected course, the
//! alliance and its ruptures and repairs, and the signals that follow, each with its evidence, a plain
//! explanation and what to do. Decisions use only the sessions up to each point (real time).

use alliance_signals::change::{ChangeCategory, ChangeCriteria, ReliableChangeRule, classify_change};
use alliance_signals::rupture::{
    Mode, RepairStatus, RepairedBy, Reporter, Rupture, RuptureConfig, RuptureKind, RuptureReport, RuptureRule,
    SessionScore, detect_ruptures,
};
use alliance_signals::signal::{
    SessionRecord, Severity, Signal, SignalKind, change_signal, discrepancy_signal, disengagement_signal,
    low_alliance_signal, order_signals, risk_signal, rupture_signal,
};
use serde::Serialize;

use crate::catalog::{Catalog, GAD7, PHQ9, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use crate::instrument::{Direction, Scale};
use crate::practice::{ExpectedCourse, PracticeModel};
use crate::scoring::ResponseFlags;

/// Who answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Respondent {
    Client,
    Therapist,
}

/// One scale score of one session, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub session: u32,
    pub instrument: String,
    pub respondent: Respondent,
    pub scale: String,
    pub value: Option<f64>,
    pub concern: Option<bool>,
    pub flags: ResponseFlags,
}

/// A recorded session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionInfo {
    pub number: u32,
    pub attended: bool,
    /// The client's check may still arrive (the session is recent), so it does not count as missed yet.
    pub check_pending: bool,
}

/// The expected-treatment-response colour of the latest outcome (white, green, yellow, red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Track {
    /// In the functional range.
    White,
    /// As expected.
    Green,
    /// Worse than expected.
    Yellow,
    /// At risk of a poor outcome.
    Red,
}

impl Track {
    pub fn label(self) -> &'static str {
        match self {
            Track::White => "in the non-clinical range",
            Track::Green => "on track",
            Track::Yellow => "below expectation",
            Track::Red => "at risk of a poor outcome",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Track::White => "white",
            Track::Green => "green",
            Track::Yellow => "yellow",
            Track::Red => "red",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeSummary {
    pub instrument: String,
    pub first: f64,
    pub latest: f64,
    pub latest_session: u32,
    pub in_clinical_range: bool,
    pub change: Option<ChangeCategory>,
    pub track: Option<Track>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllianceSummary {
    pub latest: f64,
    pub latest_session: u32,
    /// Latest minus the mean of up to three earlier scores.
    pub trend: Option<f64>,
    pub below_cutoff: bool,
    pub therapist_latest: Option<f64>,
}

pub struct ClientOverview {
    pub outcome: Option<OutcomeSummary>,
    pub alliance: Option<AllianceSummary>,
    /// Most urgent first; risk always first.
    pub signals: Vec<Signal>,
    pub ruptures: Vec<Rupture>,
    /// The PHQ-9 expected course for this client's intake, for the chart.
    pub expected: Option<ExpectedCourse>,
}

impl ClientOverview {
    /// Signals that still ask for attention, given the keys of those already acknowledged. Risk from the latest
    /// outcome questionnaire is never hidden; earlier risk stays until someone acknowledges it. Purely
    /// informative signals (improvement, recovery) do not ask for attention.
    pub fn open_signals<'a>(&'a self, episode: i64, acknowledged: &[&str]) -> Vec<&'a Signal> {
        let latest_outcome = self.outcome.as_ref().map(|o| o.latest_session);
        self.signals
            .iter()
            .filter(|s| {
                let current_risk = s.kind == SignalKind::Risk && s.session == latest_outcome;
                current_risk || !acknowledged.contains(&signal_key(episode, s).as_str())
            })
            .filter(|s| s.severity >= Severity::Notice)
            .collect()
    }

    /// Caseload sort key, smallest first: the most severe open signal, then more open signals first.
    pub fn priority(&self, episode: i64, acknowledged: &[&str]) -> (u8, usize) {
        let open = self.open_signals(episode, acknowledged);
        let rank = match open.iter().map(|s| s.severity).max() {
            Some(Severity::Critical) => 0,
            Some(Severity::Urgent) => 1,
            Some(Severity::Warning) => 2,
            Some(_) => 3,
            None => 4,
        };
        (rank, usize::MAX - open.len())
    }
}

/// A stable key for a signal, to record its acknowledgement: episode of care, kind and session.
pub fn signal_key(episode: i64, signal: &Signal) -> String {
    format!("{episode}:{:?}:{}", signal.kind, signal.session.unwrap_or(0)).to_lowercase()
}

fn series<'a>(
    obs: &'a [Observation],
    instrument: &str,
    who: Respondent,
    scale: &str,
) -> Vec<(u32, f64, &'a ResponseFlags)> {
    let mut points: Vec<_> = obs
        .iter()
        .filter(|o| o.instrument == instrument && o.respondent == who && o.scale == scale)
        .filter_map(|o| o.value.map(|v| (o.session, v, &o.flags)))
        .collect();
    points.sort_by_key(|p| p.0);
    points
}

fn criteria(scale: &Scale) -> Option<ChangeCriteria> {
    Some(ChangeCriteria {
        direction: match scale.direction {
            Direction::HigherIsBetter => alliance_signals::change::Direction::HigherIsBetter,
            Direction::HigherIsWorse => alliance_signals::change::Direction::LowerIsBetter,
        },
        reliable_change: ReliableChangeRule::Published { points: scale.reliable_change.as_ref()?.value },
        cutoff: scale.cutoff.as_ref()?.value,
    })
}

fn reports(obs: &[Observation]) -> Vec<RuptureReport> {
    let mut seen = Vec::new();
    for o in obs.iter().filter(|o| o.flags.has("rupture-reported")) {
        let reporter = if o.respondent == Respondent::Client { Reporter::Client } else { Reporter::Therapist };
        if seen.iter().any(|r: &RuptureReport| r.session == o.session && r.reporter == reporter) {
            continue; // one report per response, not per scale row
        }
        let kind = if o.flags.has("confrontation") {
            Some(RuptureKind::Confrontation)
        } else if o.flags.has("withdrawal") {
            Some(RuptureKind::Withdrawal)
        } else {
            None
        };
        // Only the client can say a moment that felt off for them was talked through; the therapist's view of
        // the repair stays their own evidence and does not close the client's rupture.
        let talked_through = reporter == Reporter::Client && o.flags.has("talked-through");
        seen.push(RuptureReport { session: o.session, reporter, kind, talked_through });
    }
    seen
}

/// Summarises one client's latest episode. `observations` may come in any order.
pub fn overview(
    catalog: &Catalog,
    practice: &PracticeModel,
    obs: &[Observation],
    sessions: &[SessionInfo],
) -> ClientOverview {
    let settings = &practice.settings;
    let mut signals = Vec::new();
    let latest_session = sessions.iter().map(|s| s.number).max();

    // Outcome: reliable change against the published threshold, and the expected course (PHQ-9).
    let mut expected = None;
    let outcome = [PHQ9, GAD7].into_iter().find_map(|id| {
        let scale = catalog.get(id)?.primary()?;
        let points = series(obs, id, Respondent::Client, &scale.id);
        let (&(_, first, _), &(session, latest, _)) = (points.first()?, points.last()?);
        let change = match criteria(scale) {
            Some(c) if points.len() >= 2 => classify_change(&c, first, latest).ok(),
            _ => None,
        };
        if let Some(outcome) = &change {
            signals.extend(change_signal(session, first, latest, outcome));
        }
        let in_clinical_range = scale.in_concern_range(latest).unwrap_or(false);
        let mut track = None;
        if id == PHQ9 {
            let result = practice.track(
                &points.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
                latest_session,
                in_clinical_range,
            );
            (track, expected) = (result.track, result.course);
            signals.extend(result.signal);
        }
        Some(OutcomeSummary {
            instrument: id.to_owned(),
            first,
            latest,
            latest_session: session,
            in_clinical_range,
            change: change.map(|c| c.category),
            track,
        })
    });

    // Risk: every outcome questionnaire with a critical item answered (the latest is never suppressed).
    let mut risk_sessions: Vec<(u32, f64)> = Vec::new();
    for o in obs.iter().filter(|o| o.respondent == Respondent::Client && !o.flags.risks.is_empty()) {
        let value = o.flags.risks.iter().map(|r| r.value).fold(0.0, f64::max);
        match risk_sessions.iter_mut().find(|r| r.0 == o.session) {
            Some(r) => r.1 = r.1.max(value),
            None => risk_sessions.push((o.session, value)),
        }
    }
    for (session, value) in risk_sessions {
        if let Ok(Some(signal)) = risk_signal(session, value.clamp(0.0, 3.0) as u8) {
            signals.push(signal);
        }
    }

    // Alliance: ruptures and repairs (strict mode, shrunk towards the practice's variability), discrepancy.
    let client_alliance = series(obs, RELATIONSHIP_CHECK, Respondent::Client, "alliance");
    let therapist_alliance = series(obs, THERAPIST_REFLECTION, Respondent::Therapist, "alliance");
    let alliance_scale = catalog.get(RELATIONSHIP_CHECK).and_then(|i| i.scale("alliance"));
    let mut config = RuptureConfig::for_mode(Mode::Strict, practice.rupture_prior);
    config.cutoff = alliance_scale.and_then(|s| s.cutoff.as_ref()).map(|c| c.value);
    let scores: Vec<SessionScore> =
        client_alliance.iter().map(|&(session, score, _)| SessionScore { session, score }).collect();
    let mut ruptures = detect_ruptures(&scores, &reports(obs), &config).unwrap_or_default();
    // A client who starts below the cut-off has a low alliance (signalled below), not a rupture: a rupture is a
    // change, and there is nothing before the first score to change from.
    let first_scored = scores.first().map(|s| s.session);
    ruptures.retain(|r| !(r.rules == [RuptureRule::BelowCutoff] && Some(r.onset_session) == first_scored));
    for rupture in &mut ruptures {
        // A rupture known only from a report, with a score that never fell (often at the ceiling), cannot show a
        // repair by the score coming back: only the client's saying it was talked through closes it.
        let report_only = rupture.rules == [RuptureRule::Reported];
        if report_only && matches!(rupture.repair, RepairStatus::Repaired { by: RepairedBy::ScoreReturned, .. }) {
            let deadline = rupture.onset_session + config.repair_window;
            rupture.repair = if latest_session.unwrap_or(0) >= deadline {
                RepairStatus::Unrepaired { decided_at_session: deadline }
            } else {
                RepairStatus::Open
            };
        }
    }
    let recent = latest_session.unwrap_or(0).saturating_sub(config.repair_window);
    for rupture in &ruptures {
        if !rupture.is_repaired() || rupture.onset_session > recent {
            let mut signal = rupture_signal(rupture);
            // A moment that felt off but left the scores where they were is worth a conversation, not an alarm.
            let no_drop = rupture.magnitude().is_none_or(|m| m <= 0.0);
            if rupture.rules == [RuptureRule::Reported] && no_drop {
                signal.severity = signal.severity.min(Severity::Warning);
            }
            signals.push(signal);
        }
    }
    let alliance = client_alliance.last().map(|&(session, latest, _)| {
        let earlier: Vec<f64> = client_alliance.iter().rev().skip(1).take(3).map(|p| p.1).collect();
        let trend = (!earlier.is_empty()).then(|| latest - earlier.iter().sum::<f64>() / earlier.len() as f64);
        let therapist_latest = therapist_alliance.iter().find(|p| p.0 == session).map(|p| p.1);
        if let Some(t) = therapist_latest
            && let Ok(Some(signal)) = discrepancy_signal(session, t, latest, settings.discrepancy)
        {
            signals.push(signal);
        }
        if let Some(cutoff) = config.cutoff
            && let Ok(Some(signal)) = low_alliance_signal(session, latest, cutoff)
        {
            signals.push(signal);
        }
        AllianceSummary {
            latest,
            latest_session: session,
            trend,
            below_cutoff: alliance_scale.and_then(|s| s.in_concern_range(latest)).unwrap_or(false),
            therapist_latest,
        }
    });

    // Disengagement: missed sessions or checks in a row.
    let records: Vec<SessionRecord> = sessions
        .iter()
        .map(|s| SessionRecord {
            session: s.number,
            attended: s.attended,
            measure_completed: s.check_pending || client_alliance.iter().any(|p| p.0 == s.number),
        })
        .collect();
    signals.extend(disengagement_signal(&records, settings.disengagement_in_a_row));

    order_signals(&mut signals);
    ClientOverview { outcome, alliance, signals, ruptures, expected }
}
