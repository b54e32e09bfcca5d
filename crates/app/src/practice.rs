//! The practice model: the expected course of the practice's own clients and the typical session-to-session
//! variability of their alliance, which the signals are judged against. It is refitted on current data by a
//! scheduled job (see `jobs::PracticeRefresh`); pages read whichever model is current, never waiting for a fit.

use std::sync::{Arc, RwLock};

use alliance_core::catalog::RELATIONSHIP_CHECK;
use alliance_core::dropout::{self, DropoutWeights, EpisodeHistory, SessionHistory};
use alliance_core::practice::{self, OutcomeSeries, PracticeModel, SignalSettings};
use alliance_store::{AuditEvent, ClientId, EndReason, Rater};
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
        let settings = self.practice().settings;
        let histories = self.dropout_histories().await?;
        // Fitting is CPU work: keep it off the threads that answer requests.
        let (model, (dropout, refit)) = tokio::task::spawn_blocking(move || {
            let model = practice::build(&outcomes, &alliance, settings);
            let config = dropout::default_rupture_config();
            (model, dropout::refit_for_practice(&histories, &DropoutWeights::default(), &config))
        })
        .await
        .map_err(|e| AppError::PracticeModel(e.to_string()))?;
        let model = model.map_err(|e| AppError::PracticeModel(e.to_string()))?;
        let model = practice::PracticeModel { fitted_at: Some(now), dropout, dropout_refit: Some(refit), ..model };
        self.practice.set(model);
        Ok(())
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
