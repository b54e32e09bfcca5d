//! Clinical support on the client page (issue 18): the barrier check (asking for it at the next link, and its
//! reading as a decision path), and tracked repair (strategies matched to each rupture, what the therapist tried,
//! and whether the alliance came back).

use alliance_core::barriers::{self, BarrierDomain, DomainStatus};
use alliance_core::catalog::{BARRIER_CHECK, MSPSS};
use alliance_core::overview::ClientOverview;
use alliance_core::repair::{self, Approach, RepairOutcome, strategies_for, strategy_by_code};
use alliance_core::text_policy;
use alliance_signals::rupture::{RepairStatus, Rupture, RuptureKind};
use alliance_signals::signal::SignalKind;
use alliance_store::{
    BarrierReason, Episode, EpisodeId, NewRepairAttempt, Rater, RepairAttempt, StoredResponse, TherapySession,
};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::{number, show_date};
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

/// Longest note on a repair attempt, in characters.
pub const REPAIR_NOTE_MAX: usize = 2000;

pub struct StepView {
    pub title: String,
    pub status: String,
    pub css: &'static str,
    pub actions: Vec<String>,
    pub first: bool,
}

pub struct BarrierView {
    pub answered: String,
    pub steps: Vec<StepView>,
    pub mspss: Option<String>,
}

pub struct RuptureRepairView {
    pub onset: u32,
    pub heading: String,
    pub status: String,
    /// (code, name, approach) in the order to consider them.
    pub strategies: Vec<(&'static str, String, String)>,
    pub attempts: Vec<String>,
    /// Sessions an attempt can be recorded for: from the rupture's onset to the latest.
    pub sessions: Vec<u32>,
}

pub struct SupportView {
    /// The open episode, where requests and attempts can be recorded.
    pub episode: Option<i64>,
    pub can_write: bool,
    /// The client is not on track now: the page suggests the barrier check and says why.
    pub not_on_track: bool,
    /// The open request's date, while the barrier check waits for the next link.
    pub requested: Option<String>,
    pub barrier: Option<BarrierView>,
    pub ruptures: Vec<RuptureRepairView>,
}

impl SupportView {
    /// Whether the section has anything to show.
    pub fn shown(&self) -> bool {
        (self.can_write && self.episode.is_some()) || self.barrier.is_some() || !self.ruptures.is_empty()
    }
}

pub async fn view(
    state: &AppState,
    current: Option<&Episode>,
    sessions: &[TherapySession],
    responses: &[StoredResponse],
    overview: &ClientOverview,
    scored_sessions: &[u32],
    own: bool,
) -> Result<SupportView, WebError> {
    let tr = crate::language::current();
    let open = current.filter(|e| e.ended_on.is_none());
    let requested = match open {
        Some(e) => state.store.open_barrier_request(e.id).await?.map(|r| show_date(r.requested_at.date())),
        None => None,
    };
    let of_episode = |id: &str| {
        responses
            .iter()
            .filter(move |r| current.is_some_and(|e| e.id == r.episode) && r.instrument.id == id)
            .filter(|r| r.rater == Rater::Client)
            .max_by_key(|r| (r.session_number, r.submitted_at))
    };
    let barrier = of_episode(BARRIER_CHECK).map(|r| {
        let reading = barriers::read(&r.scores, &r.flags);
        let steps = barriers::decision_path(&reading)
            .into_iter()
            .map(|step| {
                let (title, status, css) = match (step.domain, step.status) {
                    (Some(domain), Some(status)) => {
                        let score = reading.domains.iter().find(|d| d.domain == domain).and_then(|d| d.score);
                        (tr.t(domain.message()), status_words(domain, status, score), status_css(status))
                    }
                    _ => (tr.t("barrier-step-reconsider"), String::new(), "reconsider"),
                };
                StepView {
                    title,
                    status,
                    css,
                    actions: step.actions.iter().map(|a| tr.t(a)).collect(),
                    first: step.first,
                }
            })
            .collect();
        let mspss = of_episode(MSPSS).and_then(|m| {
            let total = m.scores.iter().find(|s| s.scale == "total").and_then(|s| s.value)?;
            Some(tr.t2("barrier-mspss", "value", number(total), "session", m.session_number))
        });
        BarrierView {
            answered: tr.t2("barrier-answered", "session", r.session_number, "date", show_date(r.held_on)),
            steps,
            mspss,
        }
    });
    let attempts = match current {
        Some(e) => {
            let mut all = state.store.repair_attempts(&[e.client]).await?;
            all.retain(|a| a.episode == e.id);
            all
        }
        None => Vec::new(),
    };
    let latest = sessions.iter().map(|s| s.number).max().unwrap_or(0);
    let mut ruptures: Vec<RuptureRepairView> = overview
        .ruptures
        .iter()
        .rev()
        .take(3)
        .map(|rupture| rupture_view(rupture, &attempts, scored_sessions, latest, own))
        .collect();
    ruptures.retain(|r| open.is_some() || !r.attempts.is_empty());
    let not_on_track = overview.signals.iter().any(|s| s.kind == SignalKind::NotOnTrack);
    Ok(SupportView { episode: open.map(|e| e.id.0), can_write: own, not_on_track, requested, barrier, ruptures })
}

fn status_css(status: DomainStatus) -> &'static str {
    match status {
        DomainStatus::Flagged => "flagged",
        DomainStatus::Clear => "clear",
        DomainStatus::NotAnswered => "unanswered",
    }
}

fn status_words(domain: BarrierDomain, status: DomainStatus, score: Option<f64>) -> String {
    let tr = crate::language::current();
    let score = score.map_or_else(|| "–".to_owned(), number);
    let scale = if domain == BarrierDomain::LifeEvents { "4" } else { "5" };
    match status {
        DomainStatus::Flagged => tr.t2("barrier-status-flagged", "score", score, "of", scale),
        DomainStatus::Clear => tr.t2("barrier-status-clear", "score", score, "of", scale),
        DomainStatus::NotAnswered => tr.t("barrier-status-unanswered"),
    }
}

fn kind_words(kind: Option<RuptureKind>) -> String {
    crate::language::current().t(match kind {
        Some(RuptureKind::Withdrawal) => "repair-kind-withdrawal",
        Some(RuptureKind::Confrontation) => "repair-kind-confrontation",
        None => "repair-kind-unknown",
    })
}

fn rupture_view(
    rupture: &Rupture,
    attempts: &[RepairAttempt],
    scored: &[u32],
    latest: u32,
    own: bool,
) -> RuptureRepairView {
    let tr = crate::language::current();
    let heading = tr.t2("repair-rupture-heading", "session", rupture.onset_session, "kind", kind_words(rupture.kind));
    let status = tr.t(match rupture.repair {
        RepairStatus::Repaired { .. } => "repair-status-repaired",
        RepairStatus::Unrepaired { .. } => "repair-status-unrepaired",
        RepairStatus::Open => "repair-status-open",
    });
    let strategies = strategies_for(rupture.kind)
        .into_iter()
        .map(|s| {
            let approach = tr.t(match s.approach {
                Approach::Immediate => "repair-approach-immediate",
                Approach::Exploratory => "repair-approach-exploratory",
            });
            (s.code, tr.t(s.message), approach)
        })
        .collect();
    let attempts = attempts
        .iter()
        .filter(|a| a.rupture_session == rupture.onset_session)
        .map(|a| {
            let name = strategy_by_code(&a.strategy).map_or_else(|| a.strategy.clone(), |s| tr.t(s.message));
            let outcome = match repair::outcome(rupture, a.tried_session, scored) {
                RepairOutcome::CameBack { session } => tr.t1("repair-outcome-came-back", "session", session),
                RepairOutcome::NotBack => tr.t("repair-outcome-not-back"),
                RepairOutcome::NotYet => tr.t("repair-outcome-not-yet"),
                RepairOutcome::NoCheckSince => tr.t("repair-outcome-no-check"),
                RepairOutcome::BackBefore => tr.t("repair-outcome-back-before"),
            };
            let line = tr.t3("repair-attempt-line", "session", a.tried_session, "strategy", name, "outcome", outcome);
            match a.note.as_deref().filter(|_| own) {
                Some(note) => format!("{line} ({note})"),
                None => line,
            }
        })
        .collect();
    RuptureRepairView {
        onset: rupture.onset_session,
        heading,
        status,
        strategies,
        attempts,
        sessions: (rupture.onset_session..=latest.max(rupture.onset_session)).collect(),
    }
}

/// Where the client page shows this section.
fn back_to(client: alliance_store::ClientId) -> Response {
    Redirect::to(&format!("/clients/{}#support", client.0)).into_response()
}

/// The open episode a form names, with the proof that the reader is the client's own therapist.
async fn open_episode(state: &AppState, who: &SignedIn, id: i64) -> Result<(Episode, access::WriteClient), WebError> {
    let episode = state.store.episode(EpisodeId(id)).await?.ok_or(WebError::NotFound)?;
    let write = access::write_client(state, who, episode.client).await?;
    if episode.ended_on.is_some() {
        return Err(WebError::BadRequest(crate::language::current().t("support-episode-ended")));
    }
    Ok((episode, write))
}

/// Adds the barrier check to the client's next link (audited).
pub async fn request_barrier_check(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (episode, _) = open_episode(&state, &who, id).await?;
    let reason = match form.one("reason")? {
        Some("not-on-track") => BarrierReason::NotOnTrack,
        None | Some("therapist") => BarrierReason::Therapist,
        Some(_) => return Err(WebError::BadRequest(crate::language::current().t("support-reason-invalid"))),
    };
    let now = state.now();
    let audit = who.audit(now, "request", "barrier-check", Some(episode.id.0));
    state.store.request_barrier_check(episode.id, reason, who.user.id, audit, now).await?;
    Ok(back_to(episode.client))
}

/// Takes the barrier check off the next link (audited).
pub async fn withdraw_barrier_check(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (episode, _) = open_episode(&state, &who, id).await?;
    let now = state.now();
    let audit = who.audit(now, "withdraw", "barrier-check", Some(episode.id.0));
    state.store.withdraw_barrier_check(episode.id, audit, now).await?;
    Ok(back_to(episode.client))
}

/// Records a repair attempt: which rupture (its onset session), the session it was tried in, the strategy from
/// the catalogue and an optional note (sealed; audited).
pub async fn record_repair(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (episode, write) = open_episode(&state, &who, id).await?;
    let tr = crate::language::current();
    let sessions = state.store.sessions_of(&[episode.client]).await?;
    let numbers: Vec<u32> = sessions.iter().filter(|s| s.episode == episode.id).map(|s| s.number).collect();
    let session_field = |name: &str| -> Result<u32, WebError> {
        form.one(name)?
            .and_then(|raw| raw.trim().parse::<u32>().ok())
            .filter(|n| numbers.contains(n))
            .ok_or_else(|| WebError::BadRequest(tr.t("support-session-invalid")))
    };
    let rupture_session = session_field("rupture")?;
    let tried_session = session_field("tried")?;
    if tried_session < rupture_session {
        return Err(WebError::BadRequest(tr.t("support-tried-before-rupture")));
    }
    // The rupture must be one the page showed: a detected rupture of the current episode beginning there.
    let now = state.now();
    let mut states = state.app.overviews_for(who.user.id, std::slice::from_ref(&write.client), true, now).await?;
    let current = states.remove(&episode.client).filter(|s| s.episode == Some(episode.id));
    if !current.is_some_and(|s| s.overview.ruptures.iter().any(|r| r.onset_session == rupture_session)) {
        return Err(WebError::BadRequest(tr.t("support-session-invalid")));
    }
    let strategy = form
        .one("strategy")?
        .and_then(strategy_by_code)
        .ok_or_else(|| WebError::BadRequest(tr.t("support-strategy-invalid")))?;
    let note = match form.one("note")?.map(str::trim).filter(|n| !n.is_empty()) {
        Some(raw) => Some(
            text_policy::multi_line("note", raw, REPAIR_NOTE_MAX)
                .map_err(|e| WebError::BadRequest(crate::language::parse_error(&e)))?,
        ),
        None => None,
    };
    let attempt = NewRepairAttempt {
        episode: episode.id,
        rupture_session,
        tried_session,
        strategy: strategy.code.to_owned(),
        note,
    };
    let audit = who.audit(now, "create", "repair-attempt", None);
    state.store.record_repair_attempt(&attempt, who.user.id, audit, now).await?;
    Ok(back_to(episode.client))
}
