use std::sync::{Arc, RwLock};

use alliance_core::catalog::Catalog;
use alliance_core::practice::{self, OutcomeSeries, PracticeModel, SignalSettings};
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, StoreError};
use time::OffsetDateTime;

/// Where "now" comes from; tests move it forward to check expiry.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

#[derive(Debug, Clone)]
pub struct Config {
    /// The address clients' links point at, e.g. `https://alliance.example.org`.
    pub public_url: String,
    /// Mark cookies `Secure` (set when served over TLS).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub catalog: Arc<Catalog>,
    pub config: Arc<Config>,
    /// Server secret for keyed hashes (per-form tokens of the client check).
    pub secret: Arc<[u8; 32]>,
    pub clock: Clock,
    /// The practice-wide model (expected course, alliance variability), rebuilt by a batch job.
    practice: Arc<RwLock<Arc<PracticeModel>>>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Client overviews already computed (see `overview_cache`).
    pub overviews: Arc<crate::overview_cache::OverviewCache>,
}

impl AppState {
    /// Builds the state with the default signal settings, creating the server secret on first start.
    pub async fn new(
        store: Arc<dyn Store>,
        catalog: Catalog,
        config: Config,
        clock: Clock,
    ) -> Result<Self, StoreError> {
        Self::with_settings(store, catalog, config, clock, SignalSettings::default()).await
    }

    /// Builds the state with the practice's own signal settings (band levels and thresholds).
    pub async fn with_settings(
        store: Arc<dyn Store>,
        catalog: Catalog,
        config: Config,
        clock: Clock,
        settings: SignalSettings,
    ) -> Result<Self, StoreError> {
        settings.validate().map_err(StoreError::Corrupt)?;
        let fresh: [u8; 32] = rand::random();
        let stored = store.setting_or_insert("server-secret", &fresh).await?;
        let secret: [u8; 32] =
            stored.try_into().map_err(|_| StoreError::Corrupt("server secret has the wrong length".into()))?;
        let initial = practice::build(&[], &[], settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let state = Self {
            store,
            catalog: Arc::new(catalog),
            config: Arc::new(config),
            secret: Arc::new(secret),
            clock,
            practice: Arc::new(RwLock::new(Arc::new(initial))),
            metrics: Arc::default(),
            overviews: Arc::default(),
        };
        state.refresh_practice().await?;
        Ok(state)
    }

    /// The current practice model.
    pub fn practice(&self) -> Arc<PracticeModel> {
        self.practice.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |model| model.clone())
    }

    /// Refits the practice model on current data: the practice's PHQ-9 courses for the expected course and its
    /// alliance series for the typical session-to-session variability, each client's latest episode with scores.
    /// The store reads only those series (see `Store::practice_input`); the fit keeps the most recent clients up to
    /// `SignalSettings::max_clients_for_practice_etr`.
    pub async fn refresh_practice(&self) -> Result<(), StoreError> {
        let input = self.store.practice_input().await?;
        self.store
            .audit(AuditEvent {
                at: self.now(),
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
        // Fitting is CPU work: keep it off the request threads.
        let model = tokio::task::spawn_blocking(move || practice::build(&outcomes, &alliance, settings))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match self.practice.write() {
            Ok(mut guard) => *guard = Arc::new(model),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(model),
        }
        Ok(())
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }
}

/// The system clock, for production.
pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}
