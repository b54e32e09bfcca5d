//! Signals as the pages show them: severity, explanation, evidence, what to do, and who acknowledged them.

use std::collections::HashMap;
use std::sync::Arc;

use alliance_core::overview::{Observation, Respondent, SessionInfo, overview, signal_key};
use alliance_core::practice::PracticeModel;
use alliance_signals::signal::{Severity, Signal, SignalKind};
use alliance_store::{Acknowledgement, Client, ClientId, EpisodeId, Rater, ScorePoint, TherapySession};

use super::{number, show_date};
use crate::overview_cache::{Computed, Seen};
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

/// One client as the caseload and the client page see them: the current episode's overview and its sessions
/// (kept between requests, see `overview_cache`), and the keys of the signals already acknowledged (with who
/// and when), read fresh.
pub struct ClientState {
    computed: Arc<Computed>,
    pub acknowledgements: Vec<Acknowledgement>,
}

impl std::ops::Deref for ClientState {
    type Target = Computed;

    fn deref(&self) -> &Computed {
        &self.computed
    }
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

/// Overviews for many clients at once: those kept from earlier requests where the client's data, the practice
/// model and the day are unchanged, the others computed from four bulk queries. `own` says whether the reader is
/// the clients' own therapist (who sees every reflection) or a supervisor (who sees only those shared for
/// supervision).
pub async fn overviews(
    state: &AppState,
    clients: &[Client],
    own: bool,
) -> Result<HashMap<ClientId, ClientState>, crate::WebError> {
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    // Acknowledgements are read fresh on every view, beside the overviews (kept or computed).
    let (computed, acknowledged) = tokio::try_join!(computed(state, clients, own), async {
        state.store.acknowledgements(&ids).await.map_err(crate::WebError::from)
    })?;
    let mut acks: HashMap<ClientId, Vec<Acknowledgement>> = HashMap::new();
    for ack in acknowledged {
        acks.entry(ack.client).or_default().push(ack);
    }
    Ok(computed
        .into_iter()
        .map(|(id, computed)| (id, ClientState { computed, acknowledgements: acks.remove(&id).unwrap_or_default() }))
        .collect())
}

/// The clients' overviews: kept ones while their revision, the practice model and the day are unchanged, the
/// others computed (and kept).
async fn computed(
    state: &AppState,
    clients: &[Client],
    own: bool,
) -> Result<HashMap<ClientId, Arc<Computed>>, crate::WebError> {
    let practice = state.practice();
    let now = state.now();
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    // Read before the data an overview is computed from, so that what is kept is at least as new as its revision.
    let revisions: HashMap<ClientId, i64> = state.store.client_revisions(&ids).await?.into_iter().collect();
    let seen = |client: &Client| {
        revisions.get(&client.id).map(|&revision| Seen { revision, practice: &practice, day: now.date() })
    };
    let mut computed: HashMap<ClientId, Arc<Computed>> = HashMap::new();
    let mut missing: Vec<&Client> = Vec::new();
    for client in clients {
        match seen(client).and_then(|seen| state.overviews.get(client, own, seen)) {
            Some(kept) => {
                computed.insert(client.id, kept);
            }
            None => missing.push(client),
        }
    }
    if !missing.is_empty() {
        let missing_ids: Vec<ClientId> = missing.iter().map(|c| c.id).collect();
        for (id, fresh) in compute(state, &missing_ids, own, &practice, now).await? {
            if let Some((client, seen)) = missing.iter().find(|c| c.id == id).and_then(|c| Some((*c, seen(c)?))) {
                state.overviews.put(client, own, seen, fresh.clone());
            }
            computed.insert(id, fresh);
        }
    }
    Ok(computed)
}

async fn compute(
    state: &AppState,
    clients: &[ClientId],
    own: bool,
    practice: &PracticeModel,
    now: time::OffsetDateTime,
) -> Result<Vec<(ClientId, Arc<Computed>)>, crate::WebError> {
    let points = state.store.score_points(clients).await?;
    let sessions = state.store.sessions_of(clients).await?;
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
    // A check can still arrive while a session's link is valid.
    let pending_since = now.date() - alliance_core::domain::DEFAULT_LINK_LIFETIME;
    let mut result = Vec::with_capacity(clients.len());
    for id in clients {
        let points = by_client.remove(id).unwrap_or_default();
        let own_sessions = sessions_by.remove(id).unwrap_or_default();
        let episode = current.get(id).copied();
        let sessions: Vec<TherapySession> = own_sessions.into_iter().filter(|s| Some(s.episode) == episode).collect();
        let infos: Vec<SessionInfo> = sessions
            .iter()
            .map(|s| SessionInfo { number: s.number, attended: s.attended, check_pending: s.held_on >= pending_since })
            .collect();
        let overview = overview(&state.catalog, practice, &observations(&points, episode), &infos);
        result.push((*id, Arc::new(Computed { overview, episode, sessions })));
    }
    Ok(result)
}
