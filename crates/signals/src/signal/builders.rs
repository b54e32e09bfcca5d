//! Pure functions that turn numbers into [`Signal`]s.

use serde::{Deserialize, Serialize};

use super::actions::{
    discrepancy_actions, disengagement_actions, disengagement_after_risk_actions, dropout_actions,
    low_alliance_actions, off_track_actions, repair_actions, risk_actions,
};
use super::{Evidence, Severity, Signal, SignalKind};
use crate::change::{ChangeCategory, ChangeOutcome, Direction, check_finite, check_positive};
use crate::error::InvalidInput;
use crate::rupture::{RepairStatus, RepairedBy, Rupture, RuptureKind};
use alliance_i18n::Text;

/// PHQ-9 item 9 answers 1-3, in words (0 raises no signal).
const ITEM9_LABELS: [&str; 4] = ["", "item9-1", "item9-2", "item9-3"];

/// PHQ-9 item 9 above 0: a Critical signal at once. Errors on answers outside 0-3.
pub fn risk_signal(session: u32, item9: u8) -> Result<Option<Signal>, InvalidInput> {
    let Some(label) = ITEM9_LABELS.get(usize::from(item9)) else {
        return Err(InvalidInput::new("PHQ-9 item 9", f64::from(item9), "must be 0-3"));
    };
    if item9 == 0 {
        return Ok(None);
    }
    Ok(Some(Signal {
        kind: SignalKind::Risk,
        severity: Severity::Critical,
        session: Some(session),
        evidence: vec![Evidence::new("phq9_item9", f64::from(item9))],
        text: Text::new("signal-risk")
            .number("session", f64::from(session))
            .text("how", Text::new(label))
            .number("item9", f64::from(item9)),
        actions: risk_actions(),
        measure: None,
    }))
}

/// The therapist rated the alliance at least `threshold` points above the client.
pub fn discrepancy_signal(
    session: u32,
    therapist_rating: f64,
    client_rating: f64,
    threshold: f64,
) -> Result<Option<Signal>, InvalidInput> {
    check_finite("therapist rating", therapist_rating)?;
    check_finite("client rating", client_rating)?;
    check_positive("discrepancy threshold", threshold)?;
    let gap = therapist_rating - client_rating;
    if gap < threshold {
        return Ok(None);
    }
    Ok(Some(Signal {
        kind: SignalKind::Discrepancy,
        severity: Severity::Warning,
        session: Some(session),
        evidence: vec![
            Evidence::new("therapist_rating", therapist_rating),
            Evidence::new("client_rating", client_rating),
            Evidence::new("gap", gap),
            Evidence::new("threshold", threshold),
        ],
        text: Text::new("signal-discrepancy")
            .number("session", f64::from(session))
            .score("therapist", therapist_rating)
            .score("client", client_rating)
            .score("gap", gap)
            .score("threshold", threshold),
        actions: discrepancy_actions(),
        measure: None,
    }))
}

/// Attendance and measurement of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub session: u32,
    pub attended: bool,
    pub measure_completed: bool,
}

/// `in_a_row` or more of the latest sessions were missed, or had no completed measure.
/// `records` are in session order.
pub fn disengagement_signal(records: &[SessionRecord], in_a_row: usize) -> Option<Signal> {
    let trailing = |missed: fn(&SessionRecord) -> bool| records.iter().rev().take_while(|r| missed(r)).count();
    let missed_sessions = trailing(|r| !r.attended);
    let missed_measures = trailing(|r| !r.attended || !r.measure_completed);
    if in_a_row == 0 || missed_measures < in_a_row {
        return None;
    }
    let latest = records.last().map(|r| r.session);
    let text = if missed_sessions >= in_a_row {
        Text::new("signal-missed-sessions").number("missed", missed_sessions as f64)
    } else {
        Text::new("signal-missed-checks")
            .number("missed", missed_measures as f64)
            .number("sessions", missed_sessions as f64)
    };
    Some(Signal {
        kind: SignalKind::Disengagement,
        severity: Severity::Warning,
        session: latest,
        evidence: vec![
            Evidence::new("missed_sessions_in_a_row", missed_sessions as f64),
            Evidence::new("missed_measures_in_a_row", missed_measures as f64),
            Evidence::new("threshold", in_a_row as f64),
        ],
        text,
        actions: disengagement_actions(),
        measure: None,
    })
}

/// One term of the dropout score: the feature's name, its value and its contribution (weight × value) to the
/// log-odds.
pub type DropoutTerm<'a> = (&'a str, f64, f64);

/// The early warning of dropout (issue 18) at `session`: a Warning when `probability` is at or above
/// `threshold`, with the probability, the threshold and every term of the score as evidence (each feature's
/// value, then its contribution as `<name>_contribution`), naming the term that adds most. The explanation says
/// the score is not validated on real clinical data.
pub fn dropout_signal(
    session: u32,
    probability: f64,
    threshold: f64,
    terms: &[DropoutTerm<'_>],
) -> Result<Option<Signal>, InvalidInput> {
    check_finite("dropout probability", probability)?;
    check_finite("dropout threshold", threshold)?;
    if probability < threshold {
        return Ok(None);
    }
    let mut evidence = vec![Evidence::new("probability", probability), Evidence::new("threshold", threshold)];
    for &(name, value, contribution) in terms {
        evidence.push(Evidence::new(name, value));
        evidence.push(Evidence::new(&format!("{name}_contribution"), contribution));
    }
    let main = terms.iter().filter(|t| t.2 > 0.0).max_by(|a, b| a.2.total_cmp(&b.2)).map_or(
        "dropout-feature-none",
        |t| match t.0 {
            "alliance_trend" => "dropout-feature-alliance-trend",
            "alliance_shortfall" => "dropout-feature-alliance-shortfall",
            "open_ruptures" => "dropout-feature-open-ruptures",
            "missed_checks" => "dropout-feature-missed-checks",
            "missed_sessions" => "dropout-feature-missed-sessions",
            _ => "dropout-feature-none",
        },
    );
    Ok(Some(Signal {
        kind: SignalKind::DropoutRisk,
        severity: Severity::Warning,
        session: Some(session),
        evidence,
        text: Text::new("signal-dropout-risk")
            .number("percent", (probability * 100.0).round())
            .number("threshold", (threshold * 100.0).round())
            .text("main", Text::new(main)),
        actions: dropout_actions(),
        measure: None,
    }))
}

/// A rupture as a signal: open ruptures warn, unrepaired ones escalate, repaired ones are
/// noted for review.
pub fn rupture_signal(rupture: &Rupture) -> Signal {
    rupture_signal_as_of(rupture, None)
}

/// [`rupture_signal`], saying for a rupture still open after its repair window that whether it was
/// repaired is not known: `not_known_since` is the session of the last relationship check read, when the
/// window passed without one (docs/SCIENCE.md#repair).
pub fn rupture_signal_as_of(rupture: &Rupture, not_known_since: Option<u32>) -> Signal {
    let onset = rupture.onset_session;
    let mut evidence = vec![Evidence::new("onset_session", f64::from(onset))];
    let mut push = |name: &str, value: Option<f64>| {
        if let Some(v) = value {
            evidence.push(Evidence::new(name, v));
        }
    };
    push("pre_rupture_level", rupture.reference);
    push("lowest_score", rupture.lowest);
    push("magnitude", rupture.magnitude());
    push("length_sessions", Some(f64::from(rupture.length)));
    let how = describe_rules(rupture);
    let (severity, status, session) = match rupture.repair {
        RepairStatus::Open => match not_known_since {
            Some(last) => (
                Severity::Warning,
                Text::new("rupture-status-not-known").number("last", f64::from(last)),
                rupture.detected_at_session,
            ),
            None => (Severity::Warning, Text::new("rupture-status-open"), rupture.detected_at_session),
        },
        RepairStatus::Unrepaired { decided_at_session } => (
            Severity::Urgent,
            Text::new("rupture-status-unrepaired").number("session", f64::from(decided_at_session)),
            decided_at_session,
        ),
        RepairStatus::Repaired { session, by } => {
            push("repair_session", Some(f64::from(session)));
            let status = Text::new(match by {
                RepairedBy::ScoreReturned => "rupture-status-score-returned",
                RepairedBy::TalkedThrough => "rupture-status-talked-through",
                RepairedBy::TherapistSaidRepaired => "rupture-status-therapist-repaired",
            })
            .number("session", f64::from(session));
            (Severity::Info, status, session)
        }
    };
    let text = match rupture.kind {
        Some(kind) => Text::new("signal-rupture-of-kind").text(
            "kind",
            Text::new(match kind {
                RuptureKind::Withdrawal => "rupture-kind-withdrawal",
                RuptureKind::Confrontation => "rupture-kind-confrontation",
            }),
        ),
        None => Text::new("signal-rupture"),
    }
    .number("onset", f64::from(onset))
    .text("how", how)
    .text("status", status);
    let unrepaired = matches!(rupture.repair, RepairStatus::Unrepaired { .. });
    Signal {
        kind: SignalKind::Rupture,
        severity,
        session: Some(session),
        evidence,
        text,
        actions: repair_actions(rupture.kind, unrepaired),
        measure: None,
    }
}

/// A list of sentences joined by a message that puts two together (`{ $first }; { $rest }`).
fn joined(parts: Vec<Text>, by: &str) -> Text {
    let mut parts = parts.into_iter().rev();
    let last = parts.next().unwrap_or_default();
    parts.fold(last, |rest, first| Text::new(by).text("first", first).text("rest", rest))
}

fn describe_rules(rupture: &Rupture) -> Text {
    use crate::rupture::RuptureRule;
    let parts: Vec<Text> = rupture
        .rules
        .iter()
        .map(|rule| match rule {
            RuptureRule::Dip => match (rupture.reference, rupture.lowest) {
                (Some(r), Some(l)) => Text::new("rupture-rule-dip-from").score("from", r).score("to", l),
                _ => Text::new("rupture-rule-dip"),
            },
            RuptureRule::SuddenLoss => Text::new("rupture-rule-sudden-loss"),
            // "was", not "fell": at the first check nothing earlier is known.
            RuptureRule::BelowCutoff => Text::new("rupture-rule-below-cutoff"),
            RuptureRule::Reported if rupture.accounts.is_empty() => Text::new("rupture-rule-reported"),
            RuptureRule::Reported => describe_accounts(&rupture.accounts),
        })
        .collect();
    joined(parts, "rupture-rules-and")
}

/// Who said what: each report with its reporter, its session and what it said about repair.
fn describe_accounts(accounts: &[crate::rupture::RuptureReport]) -> Text {
    use crate::rupture::Reporter;
    let parts: Vec<Text> = accounts
        .iter()
        .map(|a| {
            let id = match (a.reporter, a.talked_through) {
                (Reporter::Client, false) => "rupture-account-client",
                (Reporter::Client, true) => "rupture-account-client-talked",
                (Reporter::Therapist, false) => "rupture-account-therapist",
                (Reporter::Therapist, true) => "rupture-account-therapist-repaired",
            };
            Text::new(id).number("session", f64::from(a.session))
        })
        .collect();
    joined(parts, "rupture-accounts-and")
}

/// Reliable change as a signal (none when unchanged).
pub fn change_signal(session: u32, pre: f64, post: f64, outcome: &ChangeOutcome) -> Option<Signal> {
    let (kind, severity, words) = match outcome.category {
        ChangeCategory::Unchanged => return None,
        ChangeCategory::Recovered => (SignalKind::Recovery, Severity::Info, "signal-change-recovered"),
        ChangeCategory::ReliablyImproved => (SignalKind::Improvement, Severity::Info, "signal-change-improved"),
        ChangeCategory::ReliablyDeteriorated => {
            (SignalKind::Deterioration, Severity::Warning, "signal-change-deteriorated")
        }
        ChangeCategory::Harmed => (SignalKind::Deterioration, Severity::Urgent, "signal-change-harmed"),
    };
    let mut evidence =
        vec![Evidence::new("pre", pre), Evidence::new("post", post), Evidence::new("change", outcome.change)];
    if let Some(rci) = outcome.rci {
        evidence.push(Evidence::new("rci", rci));
    }
    let actions = if kind == SignalKind::Deterioration { off_track_actions() } else { Vec::new() };
    Some(Signal {
        kind,
        severity,
        session: Some(session),
        evidence,
        text: Text::new("signal-change")
            .score("pre", pre)
            .score("post", post)
            .number("session", f64::from(session))
            .text("words", Text::new(words)),
        actions,
        measure: None,
    })
}

/// Outcome beyond the tolerance boundary of the expected treatment response, on the worse side
/// (`boundary` is the edge of the band the client should stay within).
pub fn not_on_track_signal(
    session: u32,
    observed: f64,
    expected: f64,
    boundary: f64,
    direction: Direction,
) -> Result<Option<Signal>, InvalidInput> {
    check_finite("observed", observed)?;
    check_finite("expected", expected)?;
    check_finite("boundary", boundary)?;
    if direction.improvement(boundary, observed) >= 0.0 {
        return Ok(None);
    }
    Ok(Some(Signal {
        kind: SignalKind::NotOnTrack,
        severity: Severity::Warning,
        session: Some(session),
        evidence: vec![
            Evidence::new("observed", observed),
            Evidence::new("expected", expected),
            Evidence::new("boundary", boundary),
        ],
        text: Text::new("signal-not-on-track")
            .number("session", f64::from(session))
            .score("observed", observed)
            .score("expected", expected)
            .score("boundary", boundary),
        actions: off_track_actions(),
        measure: None,
    }))
}

/// The latest alliance score is below the instrument's cut-off (higher is better).
pub fn low_alliance_signal(session: u32, score: f64, cutoff: f64) -> Result<Option<Signal>, InvalidInput> {
    check_finite("alliance score", score)?;
    check_finite("cut-off", cutoff)?;
    if score >= cutoff {
        return Ok(None);
    }
    Ok(Some(Signal {
        kind: SignalKind::LowAlliance,
        severity: Severity::Warning,
        session: Some(session),
        evidence: vec![Evidence::new("alliance", score), Evidence::new("cutoff", cutoff)],
        text: Text::new("signal-low-alliance")
            .number("session", f64::from(session))
            .score("score", score)
            .score("cutoff", cutoff),
        actions: low_alliance_actions(),
        measure: None,
    }))
}

/// Scores at or above the cut-off in a row that end an episode of strain: a single score back at the
/// cut-off does not end it, so a score alternating 24/23 is one episode (debounce; docs/SCIENCE.md#low-alliance,
/// **project default**).
pub const LOW_ALLIANCE_CLEAR_AFTER: usize = 2;

/// A low alliance as one signal per episode of strain (higher is better): the episode begins at the
/// first score below `cutoff` and lasts until [`LOW_ALLIANCE_CLEAR_AFTER`] scores in a row are at or
/// above it. The signal is about the episode's first session, so it is raised (and acknowledged) once
/// per episode, not per dip. `scores` are (session, score) in session order.
pub fn low_alliance_episode_signal(scores: &[(u32, f64)], cutoff: f64) -> Result<Option<Signal>, InvalidInput> {
    check_finite("cut-off", cutoff)?;
    let mut episode: Option<(u32, f64)> = None;
    let mut at_or_above = 0;
    for &(session, score) in scores {
        check_finite("alliance score", score)?;
        if score < cutoff {
            at_or_above = 0;
            episode = Some(match episode {
                Some((start, lowest)) => (start, lowest.min(score)),
                None => (session, score),
            });
        } else if episode.is_some() {
            at_or_above += 1;
            if at_or_above >= LOW_ALLIANCE_CLEAR_AFTER {
                episode = None;
            }
        }
    }
    let (Some((start, lowest)), Some(&(latest_session, latest))) = (episode, scores.last()) else {
        return Ok(None);
    };
    let since = if start == latest_session {
        Text::new("low-alliance-since-one").number("start", f64::from(start)).score("latest", latest)
    } else {
        Text::new("low-alliance-since-many")
            .number("start", f64::from(start))
            .score("lowest", lowest)
            .score("latest", latest)
            .number("latestSession", f64::from(latest_session))
    };
    Ok(Some(Signal {
        kind: SignalKind::LowAlliance,
        severity: Severity::Warning,
        session: Some(start),
        evidence: vec![
            Evidence::new("alliance", latest),
            Evidence::new("lowest", lowest),
            Evidence::new("episode_start_session", f64::from(start)),
            Evidence::new("cutoff", cutoff),
        ],
        text: Text::new("signal-low-alliance-episode")
            .text("since", since)
            .score("cutoff", cutoff)
            .number("clear", LOW_ALLIANCE_CLEAR_AFTER as f64),
        actions: low_alliance_actions(),
        measure: None,
    }))
}

/// [`change_signal`] for one named outcome measure: the explanation names it and the signal carries its id.
pub fn measure_change_signal(
    measure_id: &str,
    measure_name: &str,
    session: u32,
    pre: f64,
    post: f64,
    outcome: &ChangeOutcome,
) -> Option<Signal> {
    let mut signal = change_signal(session, pre, post, outcome)?;
    signal.name_measure(measure_name);
    signal.measure = Some(measure_id.to_owned());
    Some(signal)
}

/// Missed sessions or checks soon after a positive PHQ-9 item 9 (`risk_session`), with no outcome
/// questionnaire answered since: the disengagement signal escalates to Urgent and its actions start with
/// contacting the client and re-checking risk (docs/SCIENCE.md#risk).
pub fn escalate_disengagement_after_risk(signal: &mut Signal, risk_session: u32) {
    signal.severity = signal.severity.max(Severity::Urgent);
    signal.evidence.push(Evidence::new("risk_session", f64::from(risk_session)));
    signal.then(Text::new("signal-after-risk").number("session", f64::from(risk_session)));
    signal.actions = disengagement_after_risk_actions();
}

/// The client asked not to be asked for checks (issue 16): a Warning until they start again, about the latest
/// session when there is one.
pub fn stopped_asking_signal(latest_session: Option<u32>) -> Signal {
    Signal {
        kind: SignalKind::StoppedAsking,
        severity: Severity::Warning,
        session: latest_session,
        evidence: Vec::new(),
        text: Text::new("signal-stopped-asking"),
        actions: super::actions::stopped_asking_actions(),
        measure: None,
    }
}

#[cfg(test)]
mod dropout_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_dropout_signal_warns_at_or_above_its_threshold_and_names_the_largest_term() {
        let terms = [("alliance_trend", -3.0, 0.21), ("missed_sessions", 2.0, 0.7)];
        assert!(dropout_signal(5, 0.59, 0.6, &terms).unwrap().is_none());
        let signal = dropout_signal(5, 0.6, 0.6, &terms).unwrap().unwrap();
        assert_eq!(
            (signal.kind, signal.severity, signal.session),
            (SignalKind::DropoutRisk, Severity::Warning, Some(5))
        );
        let names: Vec<&str> = signal.evidence.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "probability",
                "threshold",
                "alliance_trend",
                "alliance_trend_contribution",
                "missed_sessions",
                "missed_sessions_contribution"
            ]
        );
        let text = signal.explanation();
        assert!(text.contains("60") && text.contains("missed sessions"), "{text}");
        assert!(text.contains("not validated on real clinical data"), "{text}");
        assert!(dropout_signal(5, f64::NAN, 0.6, &terms).is_err());
    }
}
