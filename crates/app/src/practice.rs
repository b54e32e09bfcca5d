//! The practice model: the expected course of the practice's own clients and the typical session-to-session
//! variability of their alliance, which the signals are judged against. It is refitted on current data by a
//! scheduled job (see `jobs::PracticeRefresh`); pages read whichever model is current, never waiting for a fit.

use std::sync::{Arc, RwLock};

use alliance_core::catalog::RELATIONSHIP_CHECK;
use alliance_core::dropout::{self, DropoutWeights, EpisodeHistory, SessionHistory};
use alliance_core::practice::{self, OutcomeSeries, PracticeModel, SignalSettings};
use alliance_core::repair::{self, StrategyRow};
use alliance_core::research::{self, SessionRow};
use alliance_store::{AuditEvent, ClientId, EndReason, EpisodeId, Rater, RepairAttempt, ScorePoint};
use std::collections::HashMap;
use time::OffsetDateTime;

use crate::{App, AppError};

/// The current model, replaced whole by each refit.
pub(crate) struct PracticeCell(RwLock<Arc<PracticeModel>>);

impl PracticeCell {
    /// The model before any data: the sourced defaults, with the practice's settings (checked here).
    pub(crate) fn new(settings: SignalSettings) -> Result<Self, AppError> {
        settings.validate().map_err(AppError::PracticeModel)?;
        let initial = practice::build(&[], &[], settings).map_err(|e| AppError::PracticeModel(e.to_string()))?;
        Ok(Self(RwLock::new(Arc::new(initial))))
    }

    fn get(&self) -> Arc<PracticeModel> {
        self.0.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |model| model.clone())
    }

    fn set(&self, model: PracticeModel) {
        match self.0.write() {
            Ok(mut guard) => *guard = Arc::new(model),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(model),
        }
    }
}

impl App {
    /// The current practice model.
    pub fn practice(&self) -> Arc<PracticeModel> {
        self.practice.get()
    }

    /// Refits the practice model on current data: the practice's PHQ-9 courses for the expected course and its
    /// alliance series for the typical session-to-session variability, from each client's current episode (see
    /// `episode`). The store reads only those series (see `Store::practice_input`); the fit keeps the most recent
    /// clients up to `SignalSettings::max_clients_for_practice_etr`. The read is audited at `now`.
    pub async fn refresh_practice(&self, now: OffsetDateTime) -> Result<(), AppError> {
        let input = self.store.practice_input().await?;
        self.store
            .audit(AuditEvent {
                at: now,
                actor: None,
                actor_role: None,
                action: "batch-read",
                object_kind: "practice",
                object_id: None,
                purpose: "expected course, alliance variability and dropout warning",
                address: None,
            })
            .await?;
        let mut outcomes: Vec<OutcomeSeries> = Vec::new();
        let mut alliance: Vec<Vec<f64>> = Vec::new();
        for series in input {
            if !series.outcome.is_empty() {
                outcomes.push(OutcomeSeries {
                    client: series.client.to_string(),
                    therapist: series.therapist.to_string(),
                    episode: series.episode.0,
                    scores: series.outcome,
                });
            }
            if !series.alliance.is_empty() {
                alliance.push(series.alliance);
            }
        }
        // Severity-adjusted outcomes per therapist (issue 20, item 5): first and last PHQ-9 of each current episode.
        let outcome_rows: Vec<SessionRow> = outcomes
            .iter()
            .flat_map(|series| {
                series.scores.iter().map(|&(session, score)| SessionRow {
                    client: series.episode.to_string(),
                    therapist: series.therapist.clone(),
                    session,
                    alliance: None,
                    outcome: Some(score),
                })
            })
            .collect();
        let settings = self.practice().settings;
        let histories = self.dropout_histories().await?;
        let attempts = self.repair_outcome_input().await?;
        // Fitting is CPU work: keep it off the threads that answer requests.
        let (model, (dropout, refit), therapist_outcomes) = tokio::task::spawn_blocking(move || {
            let model = practice::build(&outcomes, &alliance, settings);
            let config = dropout::default_rupture_config();
            let therapist_outcomes = research::therapist_effects(&outcome_rows);
            (model, dropout::refit_for_practice(&histories, &DropoutWeights::default(), &config), therapist_outcomes)
        })
        .await
        .map_err(|e| AppError::PracticeModel(e.to_string()))?;
        let model = model.map_err(|e| AppError::PracticeModel(e.to_string()))?;
        // The repair table judges each attempt by the new model's rupture prior, as the client pages will.
        let repair_table = Some(repair_table(&model, &attempts));
        let model = practice::PracticeModel {
            fitted_at: Some(now),
            dropout,
            dropout_refit: Some(refit),
            repair_table,
            therapist_outcomes: Some(therapist_outcomes),
            ..model
        };
        self.practice.set(model);
        Ok(())
    }

    /// Every repair attempt of a client whose latest consent includes research use, with the client's own scores
    /// of its episode (the research page's repair table).
    async fn repair_outcome_input(&self) -> Result<Vec<(RepairAttempt, Vec<ScorePoint>)>, AppError> {
        let attempts = self.store.all_repair_attempts().await?;
        let mut clients: Vec<ClientId> = attempts.iter().map(|a| a.client).collect();
        clients.sort_unstable();
        clients.dedup();
        let mut research = HashMap::new();
        for consent in self.store.consents_of(&clients).await? {
            research.insert(consent.client, consent.research);
        }
        clients.retain(|c| research.get(c).copied().unwrap_or(false));
        let mut by_episode: HashMap<EpisodeId, Vec<ScorePoint>> = HashMap::new();
        for p in self.store.score_points(&clients).await?.into_iter().filter(|p| p.rater == Rater::Client) {
            by_episode.entry(p.episode).or_default().push(p);
        }
        Ok(attempts
            .into_iter()
            .filter(|a| clients.binary_search(&a.client).is_ok())
            .map(|a| {
                let points = by_episode.get(&a.episode).cloned().unwrap_or_default();
                (a, points)
            })
            .collect())
    }

    /// The practice's ended episodes whose ending the therapist recorded, as the dropout refit reads them: each
    /// session's attendance and the client's own relationship check (score and reported strain).
    async fn dropout_histories(&self) -> Result<Vec<EpisodeHistory>, AppError> {
        let ended = self.store.ended_episodes().await?;
        let mut clients: Vec<ClientId> = ended.iter().map(|e| e.1).collect();
        clients.sort_unstable();
        clients.dedup();
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let points = self.store.score_points(&clients).await?;
        let sessions = self.store.sessions_of(&clients).await?;
        let mut histories = Vec::with_capacity(ended.len());
        for (episode, _, reason) in &ended {
            let mut held: Vec<_> = sessions.iter().filter(|s| s.episode == *episode).collect();
            held.sort_by_key(|s| s.number);
            let history = held
                .iter()
                .map(|s| {
                    let check = points.iter().find(|p| {
                        p.episode == *episode
                            && p.session_number == s.number
                            && p.rater == Rater::Client
                            && p.instrument == RELATIONSHIP_CHECK
                            && p.scale == "alliance"
                    });
                    SessionHistory {
                        number: s.number,
                        attended: s.attended,
                        alliance: check.and_then(|p| p.value),
                        check_pending: false,
                        rupture_reported: check.is_some_and(|p| p.flags.has("rupture-reported")),
                        rupture_talked_through: check.is_some_and(|p| p.flags.has("talked-through")),
                    }
                })
                .collect();
            histories.push(EpisodeHistory { sessions: history, dropped_out: *reason == EndReason::DroppedOut });
        }
        Ok(histories)
    }
}

/// The repair table (docs/SCIENCE.md#small-cells): each attempt judged by its episode's ruptures as the overview
/// finds them (`alliance_core::repair::outcome`), counted per strategy.
fn repair_table(model: &PracticeModel, attempts: &[(RepairAttempt, Vec<ScorePoint>)]) -> Vec<StrategyRow> {
    let mut ruptures_of: HashMap<EpisodeId, Vec<alliance_signals::rupture::Rupture>> = HashMap::new();
    let mut outcomes = Vec::new();
    for (a, points) in attempts {
        let refs: Vec<&ScorePoint> = points.iter().collect();
        let ruptures = ruptures_of
            .entry(a.episode)
            .or_insert_with(|| alliance_core::overview::ruptures(model, &crate::observations(&refs, Some(a.episode))));
        let scored: Vec<u32> = points
            .iter()
            .filter(|p| p.instrument == RELATIONSHIP_CHECK && p.scale == "alliance" && p.value.is_some())
            .map(|p| p.session_number)
            .collect();
        let rupture = ruptures
            .iter()
            .find(|r| r.onset_session == a.rupture_session)
            .or_else(|| repair::rupture_for(ruptures, a.tried_session));
        if let (Some(rupture), Some(strategy)) = (rupture, repair::strategy_by_code(&a.strategy)) {
            outcomes.push((a.client.0, strategy.code, repair::outcome(rupture, a.tried_session, &scored)));
        }
    }
    repair::strategy_table(&outcomes)
}
