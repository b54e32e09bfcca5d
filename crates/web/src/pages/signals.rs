//! Signals as the pages show them: severity, explanation, evidence, what to do, and who acknowledged them.

use std::collections::HashMap;

use alliance_core::overview::{ClientOverview, Observation, Respondent, SessionInfo, overview, signal_key};
use alliance_signals::signal::{Severity, Signal, SignalKind};
use alliance_store::{Acknowledgement, ClientId, EpisodeId, Rater, ScorePoint, TherapySession};

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

pub fn title(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::Risk => "Risk",
        SignalKind::Rupture => "Rupture",
        SignalKind::LowAlliance => "Low alliance",
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
        "cutoff" => "concern threshold".into(),
        "pre" => "first".into(),
        "post" => "latest".into(),
        "rci" => "reliable change index".into(),
        "missed_sessions_in_a_row" => "missed sessions in a row".into(),
        "missed_measures_in_a_row" => "sessions without a check in a row".into(),
        other => other.replace('_', " "),
    }
}

pub fn view(signal: &Signal, episode: i64, ack: Option<&Acknowledgement>) -> SignalView {
    SignalView {
        key: signal_key(episode, signal),
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

/// Observations of one episode of care.
pub fn observations(points: &[&ScorePoint], episode: Option<EpisodeId>) -> Vec<Observation> {
    points
        .iter()
        .filter(|p| Some(p.episode) == episode)
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

/// One client as the caseload and the client page see them: the current episode's overview, its sessions,
/// and the keys of the signals already acknowledged (with who and when).
pub struct ClientState {
    pub overview: ClientOverview,
    pub episode: Option<EpisodeId>,
    pub sessions: Vec<TherapySession>,
    pub acknowledgements: Vec<Acknowledgement>,
}

impl ClientState {
    pub fn episode_key(&self) -> i64 {
        self.episode.map_or(0, |e| e.0)
    }

    pub fn acknowledged_keys(&self) -> Vec<&str> {
        self.acknowledgements.iter().map(|a| a.key.as_str()).collect()
    }

    pub fn open_signals(&self) -> Vec<&Signal> {
        self.overview.open_signals(self.episode_key(), &self.acknowledged_keys())
    }

    pub fn priority(&self) -> (u8, usize) {
        self.overview.priority(self.episode_key(), &self.acknowledged_keys())
    }

    pub fn acknowledgement_of(&self, signal: &Signal) -> Option<&Acknowledgement> {
        let key = signal_key(self.episode_key(), signal);
        self.acknowledgements.iter().find(|a| a.key == key)
    }
}

/// Overviews for many clients at once, from four bulk queries. `own` says whether the reader is the clients'
/// own therapist (who sees every reflection) or a supervisor (who sees only those shared for supervision).
pub async fn overviews(
    state: &AppState,
    clients: &[ClientId],
    own: bool,
) -> Result<HashMap<ClientId, ClientState>, crate::WebError> {
    let points = state.store.score_points(clients).await?;
    let sessions = state.store.sessions_of(clients).await?;
    let acks = state.store.acknowledgements(clients).await?;
    let current: HashMap<ClientId, EpisodeId> =
        state.store.current_episodes(clients).await?.into_iter().map(|e| (e.client, e.id)).collect();
    let mut by_client: HashMap<ClientId, Vec<&ScorePoint>> = HashMap::new();
    for p in points.iter().filter(|p| p.rater == Rater::Client || crate::access::reflection_visible(own, &p.flags)) {
        by_client.entry(p.client).or_default().push(p);
    }
    let mut sessions_by: HashMap<ClientId, Vec<TherapySession>> = HashMap::new();
    for s in sessions {
        sessions_by.entry(s.client).or_default().push(s);
    }
    let practice = state.practice();
    // A check can still arrive while a session's link is valid.
    let pending_since = state.now().date() - alliance_core::domain::DEFAULT_LINK_LIFETIME;
    let mut result = HashMap::new();
    for id in clients {
        let points = by_client.remove(id).unwrap_or_default();
        let own_sessions = sessions_by.remove(id).unwrap_or_default();
        let episode = current.get(id).copied();
        let sessions: Vec<TherapySession> = own_sessions.into_iter().filter(|s| Some(s.episode) == episode).collect();
        let infos: Vec<SessionInfo> = sessions
            .iter()
            .map(|s| SessionInfo { number: s.number, attended: s.attended, check_pending: s.held_on >= pending_since })
            .collect();
        let overview = overview(&state.catalog, &practice, &observations(&points, episode), &infos);
        let acknowledgements = acks.iter().filter(|a| a.client == *id).cloned().collect();
        result.insert(*id, ClientState { overview, episode, sessions, acknowledgements });
    }
    Ok(result)
}
