//! Everything a therapist needs first about one client: the latest outcome against its expected course, the
//! alliance and its ruptures and repairs, and the signals that follow, each with its evidence, a plain
//! explanation and what to do. Decisions use only the sessions up to each point (real time).

use alliance_signals::change::{ChangeCategory, ChangeCriteria, ReliableChangeRule, classify_change};
use alliance_signals::rupture::{
    Mode, RepairStatus, Reporter, Rupture, RuptureConfig, RuptureKind, RuptureReport, RuptureRule, SessionScore,
    detect_ruptures,
};
use alliance_signals::signal::{
    SessionRecord, Severity, Signal, SignalKind, discrepancy_signal, disengagement_signal, dropout_signal,
    escalate_disengagement_after_risk, low_alliance_episode_signal, measure_change_signal, order_signals, risk_signal,
    rupture_signal_as_of,
};
use serde::Serialize;

use crate::catalog::{Catalog, GAD7, PHQ9, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use crate::dropout::{MIN_SESSIONS, SessionHistory, warning};
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
    /// Every outcome measure the client completed (PHQ-9, GAD-7), the worst first (see [`outcome_rank`]).
    pub outcomes: Vec<OutcomeSummary>,
    pub alliance: Option<AllianceSummary>,
    /// Most urgent first; risk always first.
    pub signals: Vec<Signal>,
    pub ruptures: Vec<Rupture>,
    /// The PHQ-9 expected course for this client's intake, for the chart.
    pub expected: Option<ExpectedCourse>,
}

impl ClientOverview {
    /// The worst outcome measure, when there is one.
    pub fn outcome(&self) -> Option<&OutcomeSummary> {
        self.outcomes.first()
    }

    /// Signals that still ask for attention, given the keys of those already acknowledged. Risk from the latest
    /// outcome questionnaire is never hidden; earlier risk stays until someone acknowledges it. Purely
    /// informative signals (improvement, recovery) do not ask for attention.
    pub fn open_signals<'a>(&'a self, episode: i64, acknowledged: &[&str]) -> Vec<&'a Signal> {
        let latest_outcome = self.outcomes.iter().map(|o| o.latest_session).max();
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

/// A stable key for a signal, to record its acknowledgement: episode of care, kind and session, and the
/// measure for a measure other than PHQ-9 (so that PHQ-9 keys stored before GAD-7 could signal stay valid).
pub fn signal_key(episode: i64, signal: &Signal) -> String {
    let measure = match signal.measure.as_deref() {
        Some(m) if m != PHQ9 => format!(":{m}"),
        _ => String::new(),
    };
    format!("{episode}:{:?}:{}{measure}", signal.kind, signal.session.unwrap_or(0)).to_lowercase()
}

/// How bad an outcome looks, smallest first: harmed, red, reliably worse, yellow, unchanged or green, improved,
/// then recovered or in the non-clinical range; the measure in the clinical range first on a tie
/// (a **project rule**, docs/SCIENCE.md#reliable-change).
pub fn outcome_rank(o: &OutcomeSummary) -> (u8, bool) {
    let change = match o.change {
        Some(ChangeCategory::Harmed) => 0,
        Some(ChangeCategory::ReliablyDeteriorated) => 2,
        Some(ChangeCategory::Unchanged) | None => 4,
        Some(ChangeCategory::ReliablyImproved) => 5,
        Some(ChangeCategory::Recovered) => 6,
    };
    let track = match o.track {
        Some(Track::Red) => 1,
        Some(Track::Yellow) => 3,
        Some(Track::Green) | None => 4,
        Some(Track::White) => 6,
    };
    (change.min(track), !o.in_clinical_range)
}

/// A gap of this many points on the culture item (1-5), therapist above client, is flagged: two steps of the
/// five-point agreement scale (a **project rule**, docs/SCIENCE.md#culture-in-the-relationship).
pub const CULTURE_DISCREPANCY: f64 = 2.0;

/// The therapist believes the client feels understood in their background and values, and the client, at the
/// latest check that asked, says less so. Keyed apart from the alliance's discrepancy by its `measure`.
fn culture_discrepancy(obs: &[Observation]) -> Option<Signal> {
    let client = series(obs, RELATIONSHIP_CHECK, Respondent::Client, crate::culture::CULTURE_OPTION);
    let therapist = series(obs, THERAPIST_REFLECTION, Respondent::Therapist, crate::culture::CULTURE_OPTION);
    let &(session, latest, _) = client.last()?;
    let theirs = therapist.iter().find(|p| p.0 == session)?.1;
    let mut signal = discrepancy_signal(session, theirs, latest, CULTURE_DISCREPANCY).ok()??;
    signal.text.replace_id("signal-discrepancy", "signal-discrepancy-culture");
    signal.measure = Some(crate::culture::CULTURE_OPTION.to_owned());
    Some(signal)
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
        // Both accounts count and both are shown with who gave them: the client's "talked through" and the
        // therapist's "addressed and repaired" (docs/SCIENCE.md#reported-ruptures).
        let talked_through = o.flags.has("talked-through");
        seen.push(RuptureReport { session: o.session, reporter, kind, talked_through });
    }
    seen
}

/// Sessions after a positive PHQ-9 item 9 within which missed sessions or checks escalate to Urgent: about a
/// month of weekly sessions, the span in which the next PHQ-9 would normally have asked item 9 again
/// (docs/SCIENCE.md#risk; a **project default**).
pub const RISK_FOLLOW_UP_SESSIONS: u32 = 4;

/// The ruptures of one episode's observations exactly as [`overview`] finds them, without the rest of the
/// overview (for research tables over many episodes).
pub fn ruptures(practice: &PracticeModel, obs: &[Observation]) -> Vec<Rupture> {
    let config = RuptureConfig::for_mode(Mode::Strict, practice.rupture_prior);
    let scores: Vec<SessionScore> = series(obs, RELATIONSHIP_CHECK, Respondent::Client, "alliance")
        .iter()
        .map(|&(session, score, _)| SessionScore { session, score })
        .collect();
    detect_ruptures(&scores, &reports(obs), &config).unwrap_or_default()
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

    // Outcome: every measure the client completed, each with reliable change against its published threshold
    // and the measure named (docs/SCIENCE.md#reliable-change); the expected course for PHQ-9.
    let mut expected = None;
    let found = [PHQ9, GAD7].into_iter().filter_map(|id| {
        let scale = catalog.get(id)?.primary()?;
        let points = series(obs, id, Respondent::Client, &scale.id);
        let (&(_, first, _), &(session, latest, _)) = (points.first()?, points.last()?);
        let change = match criteria(scale) {
            Some(c) if points.len() >= 2 => classify_change(&c, first, latest).ok(),
            _ => None,
        };
        if let Some(outcome) = &change {
            let name = catalog.get(id).map_or(id, |i| i.short_name.as_str());
            signals.extend(measure_change_signal(id, name, session, first, latest, outcome));
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
    let mut outcomes: Vec<OutcomeSummary> = found.collect();
    outcomes.sort_by_key(outcome_rank);
    // The expected course exists for PHQ-9 only: its not-on-track signal names it.
    for signal in signals.iter_mut().filter(|s| s.kind == SignalKind::NotOnTrack && s.measure.is_none()) {
        let name = catalog.get(PHQ9).map_or(PHQ9, |i| i.short_name.as_str());
        signal.name_measure(name);
        signal.measure = Some(PHQ9.to_owned());
    }

    // Risk: every outcome questionnaire with a critical item answered (the latest is never suppressed).
    let mut risk_sessions: Vec<(u32, f64)> = Vec::new();
    for o in obs.iter().filter(|o| o.respondent == Respondent::Client && !o.flags.risks.is_empty()) {
        let value = o.flags.risks.iter().map(|r| r.value).fold(0.0, f64::max);
        match risk_sessions.iter_mut().find(|r| r.0 == o.session) {
            Some(r) => r.1 = r.1.max(value),
            None => risk_sessions.push((o.session, value)),
        }
    }
    for &(session, value) in &risk_sessions {
        if let Ok(Some(signal)) = risk_signal(session, value.clamp(0.0, 3.0) as u8) {
            signals.push(signal);
        }
    }

    // Alliance: ruptures and repairs (strict mode, shrunk towards the practice's variability), discrepancy.
    let client_alliance = series(obs, RELATIONSHIP_CHECK, Respondent::Client, "alliance");
    let therapist_alliance = series(obs, THERAPIST_REFLECTION, Respondent::Therapist, "alliance");
    let alliance_scale = catalog.get(RELATIONSHIP_CHECK).and_then(|i| i.scale("alliance"));
    // No cut-off rule here: the relationship check's cut-off has no source, and below it is one debounced
    // low-alliance signal instead (docs/SCIENCE.md#below-the-cut-off).
    let config = RuptureConfig::for_mode(Mode::Strict, practice.rupture_prior);
    let cutoff = alliance_scale.and_then(|s| s.cutoff.as_ref()).map(|c| c.value);
    let scores: Vec<SessionScore> =
        client_alliance.iter().map(|&(session, score, _)| SessionScore { session, score }).collect();
    let ruptures = ruptures(practice, obs);
    let recent = latest_session.unwrap_or(0).saturating_sub(config.repair_window);
    let last_scored = scores.last().map(|s| s.session);
    for rupture in &ruptures {
        if !rupture.is_repaired() || rupture.onset_session > recent {
            // Open past its window: no check was read since, so whether it was repaired is not known
            // (docs/SCIENCE.md#repair).
            let window_passed = latest_session.unwrap_or(0) >= rupture.onset_session + config.repair_window;
            let not_known_since = (rupture.repair == RepairStatus::Open && window_passed)
                .then(|| last_scored.unwrap_or(rupture.onset_session));
            let mut signal = rupture_signal_as_of(rupture, not_known_since);
            // At the first check there is no earlier level: the detector's reference is then the cut-off, which
            // the evidence must not show as "the level before" nor its distance as a drop (issue 13).
            if !scores.iter().any(|s| s.session < rupture.onset_session) {
                signal.evidence.retain(|e| !matches!(e.name.as_str(), "pre_rupture_level" | "magnitude"));
                // A repair by score then means back at the cut-off, not back to a level the client had.
                signal.text.replace_id("rupture-status-score-returned", "rupture-status-score-at-cutoff");
                signal.then(alliance_i18n::Text::new("rupture-first-check"));
            }
            // A moment that felt off but left the scores where they were is worth a conversation, not an alarm.
            let no_drop = rupture.magnitude().is_none_or(|m| m <= 0.0);
            if rupture.rules == [RuptureRule::Reported] && no_drop {
                signal.severity = signal.severity.min(Severity::Warning);
            }
            signals.push(signal);
        }
    }
    // Low alliance: one signal per episode of strain, threshold provisional (docs/SCIENCE.md#low-alliance).
    if let Some(cutoff) = cutoff {
        let points: Vec<(u32, f64)> = client_alliance.iter().map(|&(session, score, _)| (session, score)).collect();
        if let Ok(Some(signal)) = low_alliance_episode_signal(&points, cutoff) {
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
        AllianceSummary {
            latest,
            latest_session: session,
            trend,
            below_cutoff: alliance_scale.and_then(|s| s.in_concern_range(latest)).unwrap_or(false),
            therapist_latest,
        }
    });

    // The culture item beside its twin in the reflection (issue 20): the same rule on the item's own 1-5 scale.
    if let Some(signal) = culture_discrepancy(obs) {
        signals.push(signal);
    }

    // Disengagement: missed sessions or checks in a row.
    let records: Vec<SessionRecord> = sessions
        .iter()
        .map(|s| SessionRecord {
            session: s.number,
            attended: s.attended,
            measure_completed: s.check_pending || client_alliance.iter().any(|p| p.0 == s.number),
        })
        .collect();
    let mut disengaged = disengagement_signal(&records, settings.disengagement_in_a_row);
    // Missed sessions or checks soon after a positive item 9, with no PHQ-9 answered since, escalate
    // (docs/SCIENCE.md#risk).
    let positive_risk = risk_sessions.iter().filter(|r| r.1 > 0.0).map(|r| r.0).max();
    let latest_phq9 =
        obs.iter().filter(|o| o.instrument == PHQ9 && o.respondent == Respondent::Client).map(|o| o.session).max();
    if let (Some(signal), Some(risk_session)) = (&mut disengaged, positive_risk) {
        let missed = signal.evidence.iter().find(|e| e.name == "missed_measures_in_a_row").map_or(0.0, |e| e.value);
        let run_start = records.len().checked_sub(missed as usize).and_then(|i| records.get(i)).map(|r| r.session);
        let nothing_since = latest_phq9.is_none_or(|s| s <= risk_session);
        if nothing_since && run_start.is_some_and(|start| start <= risk_session + RISK_FOLLOW_UP_SESSIONS) {
            escalate_disengagement_after_risk(signal, risk_session);
        }
    }
    signals.extend(disengaged);

    // The early warning of dropout, from the sessions so far (docs/SCIENCE.md#dropout-warning): shown from the
    // third session, when the score is at or above the practice's threshold.
    if sessions.len() >= MIN_SESSIONS {
        let client_reports: Vec<RuptureReport> =
            reports(obs).into_iter().filter(|r| r.reporter == Reporter::Client).collect();
        let mut history: Vec<SessionHistory> = sessions
            .iter()
            .map(|s| {
                let report = client_reports.iter().find(|r| r.session == s.number);
                SessionHistory {
                    number: s.number,
                    attended: s.attended,
                    alliance: client_alliance.iter().find(|p| p.0 == s.number).map(|p| p.1),
                    check_pending: s.check_pending,
                    rupture_reported: report.is_some(),
                    rupture_talked_through: report.is_some_and(|r| r.talked_through),
                }
            })
            .collect();
        history.sort_by_key(|s| s.number);
        let dropout = warning(&history, &practice.dropout, &config);
        let terms: Vec<(&str, f64, f64)> =
            dropout.contributions.iter().map(|c| (c.name, c.value, c.contribution)).collect();
        if let Ok(Some(mut signal)) =
            dropout_signal(dropout.session, dropout.probability, practice.dropout.threshold, &terms)
        {
            // Weights the practice refitted on its own history are not the project default: the text says which.
            if matches!(practice.dropout_refit, Some(crate::dropout::RefitOutcome::Fitted { adopted: true, .. })) {
                signal.text.replace_id("signal-dropout-risk", "signal-dropout-risk-refit");
            }
            signals.push(signal);
        }
    }

    order_signals(&mut signals);
    ClientOverview { outcomes, alliance, signals, ruptures, expected }
}
