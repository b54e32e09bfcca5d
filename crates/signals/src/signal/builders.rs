//! Pure functions that turn numbers into [`Signal`]s.

use serde::{Deserialize, Serialize};

use super::actions::{
    discrepancy_actions, disengagement_actions, disengagement_after_risk_actions, low_alliance_actions,
    off_track_actions, repair_actions, risk_actions,
};
use super::{Evidence, Severity, Signal, SignalKind};
use crate::change::{ChangeCategory, ChangeOutcome, Direction, check_finite, check_positive};
use crate::error::InvalidInput;
use crate::rupture::{RepairStatus, RepairedBy, Rupture, RuptureKind};

/// PHQ-9 item 9 answer labels (0-3).
const ITEM9_LABELS: [&str; 4] = ["not at all", "on several days", "on more than half the days", "nearly every day"];

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
        explanation: format!(
            "In session {session} the client said they had thoughts of being better off dead or \
             of hurting themselves {label} (PHQ-9 item 9 = {item9})."
        ),
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
        explanation: format!(
            "In session {session} the therapist rated the alliance {therapist_rating:.1} and the client \
             {client_rating:.1}: the client's rating is {gap:.1} points lower than the therapist's \
             (the practice flags gaps of {threshold:.1} or more)."
        ),
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
    let explanation = if missed_sessions >= in_a_row {
        format!("The client missed the last {missed_sessions} sessions in a row.")
    } else {
        format!(
            "No relationship check (the client's post-session questionnaire) was completed in the last \
             {missed_measures} sessions in a row ({missed_sessions} of them missed)."
        )
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
        explanation,
        actions: disengagement_actions(),
        measure: None,
    })
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
                format!(
                    "Whether it was repaired is not known: no relationship check has been read since session {last}."
                ),
                rupture.detected_at_session,
            ),
            None => (Severity::Warning, "It has not been repaired yet.".to_owned(), rupture.detected_at_session),
        },
        RepairStatus::Unrepaired { decided_at_session } => {
            (Severity::Urgent, format!("It was not repaired by session {decided_at_session}."), decided_at_session)
        }
        RepairStatus::Repaired { session, by } => {
            push("repair_session", Some(f64::from(session)));
            let status = match by {
                RepairedBy::ScoreReturned => {
                    format!("The alliance score was back to its earlier level in session {session}.")
                }
                RepairedBy::TalkedThrough => format!("The client said it was talked through in session {session}."),
                RepairedBy::TherapistSaidRepaired => {
                    format!("The therapist said it was addressed and repaired in session {session}.")
                }
            };
            (Severity::Info, status, session)
        }
    };
    let kind = match rupture.kind {
        Some(RuptureKind::Withdrawal) => " (the client pulled back)",
        Some(RuptureKind::Confrontation) => " (the client pushed back)",
        None => "",
    };
    let unrepaired = matches!(rupture.repair, RepairStatus::Unrepaired { .. });
    Signal {
        kind: SignalKind::Rupture,
        severity,
        session: Some(session),
        evidence,
        explanation: format!("Possible rupture in session {onset}{kind}: {how}. {status}"),
        actions: repair_actions(rupture.kind, unrepaired),
        measure: None,
    }
}

fn describe_rules(rupture: &Rupture) -> String {
    use crate::rupture::RuptureRule;
    let parts: Vec<String> = rupture
        .rules
        .iter()
        .map(|rule| match rule {
            RuptureRule::Dip => match (rupture.reference, rupture.lowest) {
                (Some(r), Some(l)) => format!(
                    "the alliance score fell from about {r:.1} to {l:.1}, more than this client's \
                     usual ups and downs"
                ),
                _ => "the alliance score fell more than this client's usual ups and downs".into(),
            },
            RuptureRule::SuddenLoss => "a sudden, lasting drop in the alliance score".into(),
            // "was", not "fell": at the first check nothing earlier is known.
            RuptureRule::BelowCutoff => "the alliance score was below the instrument's cut-off".into(),
            RuptureRule::Reported if rupture.accounts.is_empty() => "a rupture was reported after the session".into(),
            RuptureRule::Reported => describe_accounts(&rupture.accounts),
        })
        .collect();
    parts.join("; ")
}

/// Who said what: each report with its reporter, its session and what it said about repair.
fn describe_accounts(accounts: &[crate::rupture::RuptureReport]) -> String {
    use crate::rupture::Reporter;
    let parts: Vec<String> = accounts
        .iter()
        .map(|a| {
            let (who, repaired) = match a.reporter {
                Reporter::Client => ("the client", " and said it was talked through"),
                Reporter::Therapist => ("the therapist", " and said it was repaired"),
            };
            let repaired = if a.talked_through { repaired } else { "" };
            format!("{who} reported a rupture after session {}{repaired}", a.session)
        })
        .collect();
    parts.join(", ")
}

/// Reliable change as a signal (none when unchanged).
pub fn change_signal(session: u32, pre: f64, post: f64, outcome: &ChangeOutcome) -> Option<Signal> {
    let (kind, severity, words) = match outcome.category {
        ChangeCategory::Unchanged => return None,
        ChangeCategory::Recovered => {
            (SignalKind::Recovery, Severity::Info, "improved reliably and moved into the non-clinical range")
        }
        ChangeCategory::ReliablyImproved => {
            (SignalKind::Improvement, Severity::Info, "improved by more than measurement error explains")
        }
        ChangeCategory::ReliablyDeteriorated => {
            (SignalKind::Deterioration, Severity::Warning, "got worse by more than measurement error explains")
        }
        ChangeCategory::Harmed => (
            SignalKind::Deterioration,
            Severity::Urgent,
            "got reliably worse and moved from the non-clinical into the clinical range",
        ),
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
        explanation: format!("From {pre:.1} to {post:.1} by session {session}: the client {words}."),
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
        explanation: format!(
            "In session {session} the score was {observed:.1}; clients who started like this one \
             were expected near {expected:.1}, and {boundary:.1} is the edge of the usual range."
        ),
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
        explanation: format!(
            "In session {session} the client rated the alliance {score:.1}, below the concern threshold of \
             {cutoff:.1}. The threshold is provisional: no study has set a cut-off for this questionnaire."
        ),
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
        format!("In session {start} the client rated the alliance {latest:.1}")
    } else {
        format!(
            "Since session {start} the client's alliance ratings have been at or near the concern threshold \
             (lowest {lowest:.1}, latest {latest:.1} in session {latest_session})"
        )
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
        explanation: format!(
            "{since}, below the concern threshold of {cutoff:.1}. The threshold is provisional: no study has set \
             a cut-off for this questionnaire. One signal covers this stretch until {LOW_ALLIANCE_CLEAR_AFTER} \
             ratings in a row are at or above it."
        ),
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
    signal.explanation = format!("{measure_name}: {}", signal.explanation);
    signal.measure = Some(measure_id.to_owned());
    Some(signal)
}

/// Missed sessions or checks soon after a positive PHQ-9 item 9 (`risk_session`), with no outcome
/// questionnaire answered since: the disengagement signal escalates to Urgent and its actions start with
/// contacting the client and re-checking risk (docs/SCIENCE.md#risk).
pub fn escalate_disengagement_after_risk(signal: &mut Signal, risk_session: u32) {
    signal.severity = signal.severity.max(Severity::Urgent);
    signal.evidence.push(Evidence::new("risk_session", f64::from(risk_session)));
    signal.explanation = format!(
        "{} The client answered PHQ-9 item 9 above 0 in session {risk_session} and has not answered it since.",
        signal.explanation
    );
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
        explanation: "The client asked not to be asked for checks after their sessions. No check link can be made \
                      until they start again, from their own page or a link they still hold."
            .into(),
        actions: super::actions::stopped_asking_actions(),
        measure: None,
    }
}
