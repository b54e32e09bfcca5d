//! The practice model: the expected course of the practice's own clients and the typical session-to-session
//! variability of their alliance, which the signals are judged against. It is refitted on current data by a
//! scheduled job (see `jobs::PracticeRefresh`); pages read whichever model is current, never waiting for a fit.

use std::sync::{Arc, RwLock};

use alliance_core::practice::{self, OutcomeSeries, PracticeModel, SignalSettings};
use alliance_store::AuditEvent;
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
                purpose: "expected course and alliance variability",
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
        // Fitting is CPU work: keep it off the threads that answer requests.
        let model = tokio::task::spawn_blocking(move || practice::build(&outcomes, &alliance, settings))
            .await
            .map_err(|e| AppError::PracticeModel(e.to_string()))?
            .map_err(|e| AppError::PracticeModel(e.to_string()))?;
        let model = practice::PracticeModel { fitted_at: Some(now), ..model };
        self.practice.set(model);
        Ok(())
    }
}
