//! Alliance's application layer: the use cases between the web handlers and the store, and the one scheduler of
//! every periodic job.
//!
//! A handler parses the request, calls a use case and renders what it gets back; the decisions are made here, each
//! in one place: which episode is the client's current one (`episode`), how a questionnaire's form fields become a
//! scored, typed response (`form`) for the client's check (`check`) and the therapist's reflection
//! (`reflection`), whether answers mention risk (scoring's own risk flags), how a client's overview is built and
//! kept between requests (`overview`), when a signal may be acknowledged (`acknowledge`), and how the practice
//! model is refitted (`practice`). The store stays the only way to the data; the web crate and the binary reach
//! the use cases through [`App`].
//!
//! Time is passed in: every use case takes `now` from its caller, and the [`Scheduler`] reads the one injected
//! [`Clock`], so a test moves that clock instead of waiting.

mod acknowledge;
mod check;
mod clock;
mod episode;
mod error;
pub mod fhir;
mod form;
mod history;
mod jobs;
mod overview;
mod overview_cache;
mod partnership;
mod practice;
mod reflection;
mod research;
mod scheduler;
pub mod transcript;

use std::sync::Arc;

use alliance_core::catalog::Catalog;
use alliance_core::practice::SignalSettings;
use alliance_store::Store;
use time::OffsetDateTime;

pub use acknowledge::RISK_NOTE_MAX;
pub use check::{CheckOutcome, check_field_prefix};
pub use clock::{Clock, system_clock};
pub use episode::current_episodes;
pub use error::{AppError, with_causes};
pub use form::{FormReading, Scored, Section, read_form, read_questionnaire};
pub use history::{ImportConflict, ImportSummary};
pub use jobs::{Housekeeping, LinkReminders, OpenSignals, PracticeRefresh, Retention, SignalCensus};
pub use overview::{ClientStatus, EpisodeOverview, SessionCheck, observations, reflection_visible, session_checks};
pub use partnership::{
    CONSENT_FIELD, CheckPartner, PartnerForm, goal_field, is_partner_field, obstacle_field, read_partner, task_field,
};
pub use reflection::ReflectionOutcome;
pub use research::ReportState;
pub use scheduler::{JobError, JobHistory, JobRuns, JobScope, ScheduledJob, Scheduler};

/// The application: the store, the instruments, the practice model and the overviews kept between requests.
/// Cheap to clone; every clone shares the same model and cache.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    practice: Arc<practice::PracticeCell>,
    overviews: Arc<overview_cache::OverviewCache>,
    /// The last research report and the practice refit it was made after.
    research: Arc<research::ReportCache>,
    /// How long a client's link works: a check is still pending, not missing, for sessions this recent.
    link_lifetime: time::Duration,
    /// The practice's transcript coder (issue 21): the rule coder unless a trained model was given.
    transcripts: transcript::TranscriptCoder,
}

impl App {
    /// Starts the application on `store`: the practice's signal settings are checked and its model is fitted on
    /// the data already there, so the first page shows the practice's own expected course.
    pub async fn start(
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        settings: SignalSettings,
        now: OffsetDateTime,
    ) -> Result<Self, AppError> {
        let practice = Arc::new(practice::PracticeCell::new(settings)?);
        let link_lifetime = alliance_core::domain::DEFAULT_LINK_LIFETIME;
        let app = Self {
            store,
            catalog,
            practice,
            overviews: Arc::default(),
            research: Arc::default(),
            link_lifetime,
            transcripts: transcript::TranscriptCoder::default(),
        };
        app.refresh_practice(now).await?;
        Ok(app)
    }

    /// The practice's link lifetime (`--link-expiry-days`) instead of the default three days.
    pub fn with_link_lifetime(mut self, lifetime: time::Duration) -> Self {
        self.link_lifetime = lifetime;
        self
    }

    pub fn link_lifetime(&self) -> time::Duration {
        self.link_lifetime
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }
}
