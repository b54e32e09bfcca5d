//! Signals as the pages show them: severity, explanation, evidence, what to do, and who acknowledged them.

use std::collections::HashMap;

use alliance_core::overview::{ClientOverview, Observation, Respondent, SessionInfo, overview, signal_key};
use alliance_signals::signal::{Severity, Signal, SignalKind};
use alliance_store::{Acknowledgement, ClientId, Rater, ScorePoint, TherapySession};

use super::{number, show_date};
use crate::state::AppState;

pub struct SignalView {
    pub key: String,
    pub level: &'static str,
    pub title: &'static str,
    pub explanation: String,
    pub evidence: String,
    pub actions: Vec<String>,
    pub acknowledged: Option<String>,
}

fn title(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::Risk => "Risk",
        SignalKind::Rupture => "Rupture",
        SignalKind::NotOnTrack => "Not on track",
        SignalKind::Deterioration => "Reliable deterioration",
        SignalKind::Discrepancy => "Different views of the alliance",
        SignalKind::Disengagement => "Disengagement",
        SignalKind::Improvement => "Reliable improvement",
        SignalKind::Recovery => "Recovery",
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Urgent => "urgent",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
        Severity::Info => "info",
    }
}

/// Plain names for the numbers behind a signal.
fn evidence_label(name: &str) -> String {
    match name {
        "phq9_item9" => "PHQ-9 item 9".into(),
        "onset_session" => "session".into(),
        "pre_rupture_level" => "level before".into(),
        "lowest_score" => "lowest".into(),
        "magnitude" => "drop".into(),
        "length_sessions" => "sessions so far".into(),
        "therapist_rating" => "therapist".into(),
        "client_rating" => "client".into(),
        "observed" => "score".into(),
        "boundary" => "edge of the usual range".into(),
        "pre" => "first".into(),
        "post" => "latest".into(),
        "rci" => "reliable change index".into(),
        "missed_sessions_in_a_row" => "missed sessions in a row".into(),
        "missed_measures_in_a_row" => "sessions without a check in a row".into(),
        other => other.replace('_', " "),
    }
}

pub fn view(signal: &Signal, ack: Option<&Acknowledgement>) -> SignalView {
    SignalView {
        key: signal_key(signal),
        level: level(signal.severity),
        title: title(signal.kind),
        explanation: signal.explanation.clone(),
        evidence: signal
            .evidence
            .iter()
            // A reported rupture may come with a score above the earlier level: no "drop" to show then.
            .filter(|e| !(e.name == "magnitude" && e.value <= 0.0))
            .map(|e| format!("{} {}", evidence_label(&e.name), number(e.value)))
            .collect::<Vec<_>>()
            .join(" · "),
        actions: signal.actions.iter().map(|a| a.text.clone()).collect(),
        acknowledged: ack.map(|a| format!("Acknowledged by {} on {}", a.user_name, show_date(a.at.date()))),
    }
}

/// Signals that still ask for attention: not yet acknowledged, and risk always.
pub fn open<'a>(o: &'a ClientOverview, acks: &[&Acknowledgement]) -> Vec<&'a Signal> {
    o.signals
        .iter()
        .filter(|s| s.kind == SignalKind::Risk || !acks.iter().any(|a| a.key == signal_key(s)))
        .filter(|s| s.severity >= Severity::Notice || s.kind == SignalKind::Risk)
        .collect()
}

/// Observations of a client's latest episode (baselines reset with each episode of care).
pub fn observations(points: &[&ScorePoint]) -> Vec<Observation> {
    let latest_episode = points.iter().map(|p| p.episode).max();
    points
        .iter()
        .filter(|p| Some(p.episode) == latest_episode)
        .map(|p| Observation {
            session: p.session_number,
            instrument: p.instrument.clone(),
            respondent: match p.rater {
                Rater::Client => Respondent::Client,
                Rater::Therapist => Respondent::Therapist,
            },
            scale: p.scale.clone(),
            value: p.value,
            concern: p.concern,
            flags: p.flags.clone(),
        })
        .collect()
}

/// Whether a therapist's own reflection may be shown: always to the therapist, to a supervisor only when the
/// therapist took the session to supervision.
pub fn reflection_visible(own: bool, flags: &alliance_core::scoring::ResponseFlags) -> bool {
    own || flags.has("supervision")
}

/// Overviews for many clients at once, from three bulk queries. `own` says whether the reader is the clients'
/// own therapist (who sees every reflection) or a supervisor (who sees only those shared for supervision).
pub async fn overviews(
    state: &AppState,
    clients: &[ClientId],
    own: bool,
) -> Result<
    (HashMap<ClientId, ClientOverview>, HashMap<ClientId, Vec<TherapySession>>, Vec<Acknowledgement>),
    crate::WebError,
> {
    let points = state.store.score_points(clients).await?;
    let sessions = state.store.sessions_of(clients).await?;
    let acks = state.store.acknowledgements(clients).await?;
    let mut by_client: HashMap<ClientId, Vec<&ScorePoint>> = HashMap::new();
    for p in points.iter().filter(|p| p.rater == Rater::Client || reflection_visible(own, &p.flags)) {
        by_client.entry(p.client).or_default().push(p);
    }
    let mut sessions_by: HashMap<ClientId, Vec<TherapySession>> = HashMap::new();
    for s in sessions {
        sessions_by.entry(s.client).or_default().push(s);
    }
    let practice = state.practice();
    let result = clients
        .iter()
        .map(|id| {
            let obs = observations(by_client.get(id).map_or(&[][..], Vec::as_slice));
            let own = sessions_by.get(id).map_or(&[][..], Vec::as_slice);
            let latest_episode = own.iter().map(|s| s.episode).max();
            let infos: Vec<SessionInfo> = own
                .iter()
                .filter(|s| Some(s.episode) == latest_episode)
                .map(|s| SessionInfo { number: s.number, attended: s.attended })
                .collect();
            (*id, overview(&state.catalog, &practice, &obs, &infos))
        })
        .collect();
    Ok((result, sessions_by, acks))
}
