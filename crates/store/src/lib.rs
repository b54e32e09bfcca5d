//! Storage for Alliance behind one trait. SQLite is the embedded default; PostgreSQL is for practices that run a
//! database server. Both pass the same conformance suite. Every method takes the current time from the caller,
//! which keeps expiry rules testable.
// Two `unsafe` calls, each documented where it is (`group_commit::sqlite::Locked::new`,
// `process_exit::keep_crypto_state_until_exit`); everything else is safe code.
#![deny(unsafe_code)]

pub mod audit;
pub mod audit_checkpoint;
pub mod cipher;
pub mod data_folder;
mod db;
pub mod dump;
mod errors;
mod file_error;
mod group_commit;
pub mod key_change;
pub mod key_file;
mod model;
pub mod open;
mod postgres;
mod practice_input;
pub mod practice_lock;
pub mod process_exit;
pub mod retention;
mod schema_version;
mod shared;
mod sqlite;

pub use cipher::{KeyError, Keyring};
pub use file_error::FileError;
pub use model::*;
pub use open::{Database, DatabaseSpec, OpenMode, Opening};
pub use postgres::{PostgresOptions, PostgresStore};
pub use practice_input::PracticeSeries;
pub use shared::accounts::{Accounts, Settings, SignIns};
pub use shared::acknowledgements::Acknowledgements;
pub use shared::admin_tasks::{AdminTasks, LoginSummary, NewPasswordReset, PasswordReset};
pub use shared::api_tokens::{ApiToken, ApiTokens, NewApiToken, TokenScope};
pub use shared::audit_log::AuditLog;
pub use shared::background::{BackgroundEntry, Backgrounds, NewBackground};
pub use shared::boundaries::{
    AgreedAction, Boundaries, BoundaryEvent, Meeting, MeetingItem, MeetingsOf, NewBoundaryEvent, NewMeeting,
    NewMeetingItem,
};
pub use shared::break_glass::BreakGlassGrants;
pub use shared::care::Care;
pub use shared::consent::{ConsentRecord, Consents, NewConsent, ResearchKind};
pub use shared::crisis::CrisisInformation;
pub use shared::jobs::Jobs;
pub use shared::kiosks::{Kiosk, Kiosks};
pub use shared::link_delivery::{LinkDelivery, LinkMessage, NewLinkMessage};
pub use shared::outbox::{Channel, MailKind, NewMail, Outbox, QueuedMail, Recipient};
pub use shared::partnership::{
    CheckExtras, ClientPage, EventNote, EventNoteId, Goal, GoalHistoryEntry, GoalId, NewEventNote, NewTaskReport,
    Partnership, StoredGoalRating, Task, TaskId, TaskReport,
};
pub use shared::questionnaires::Questionnaires;
pub use shared::recovery::Recovery;
pub use shared::risk::{NewRiskAction, Risk, RiskAction, RiskActionKind};
pub use shared::supervision::Supervision;
pub use shared::support::{BarrierReason, BarrierRequest, ClinicalSupport, EndReason, NewRepairAttempt, RepairAttempt};
pub use shared::transcripts::{NewTranscript, StoredTranscript, TranscriptIndicators, TranscriptSummary, Transcripts};
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// The database cannot be reached, or cannot take the write just now (down, restarting, disk full, busy).
    /// Nothing was changed; trying again later is safe.
    #[error("database unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The keys do not open the data: a wrong or missing key, or a changed value. Never carries key material.
    #[error("{0}")]
    Key(String),
    /// The database's schema is not one this use of it can work with (too new, none at all, or interrupted).
    #[error("{0}")]
    Schema(String),
}

impl From<KeyError> for StoreError {
    fn from(e: KeyError) -> Self {
        StoreError::Key(e.to_string())
    }
}

/// What `PRAGMA key` or the first read says when the key does not open the database.
pub const WRONG_KEY: &str = "wrong key or not an Alliance database";

/// The start-up check's verdict when the first sealed field does not open: a missing version is named, anything
/// else means the keys belong to another database.
fn key_check_failed(e: KeyError) -> StoreError {
    match e {
        KeyError::UnknownVersion(_) => e.into(),
        _ => StoreError::Key(WRONG_KEY.into()),
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Why a client's link could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Open,
    Used,
    Expired,
}

/// Everything a practice's database does: the sum of the small traits, one per concern, that `shared/`
/// implements once for both engines. Code that needs only one concern can ask for that trait alone.
pub trait Store:
    Settings
    + Accounts
    + SignIns
    + Care
    + Questionnaires
    + Acknowledgements
    + Supervision
    + Jobs
    + AuditLog
    + BreakGlassGrants
    + AdminTasks
    + Risk
    + CrisisInformation
    + Outbox
    + LinkDelivery
    + Recovery
    + Partnership
    + Consents
    + Kiosks
    + ClinicalSupport
    + Boundaries
    + ApiTokens
    + Backgrounds
    + Transcripts
{
}

impl<T> Store for T where
    T: Settings
        + Accounts
        + SignIns
        + Care
        + Questionnaires
        + Acknowledgements
        + Supervision
        + Outbox
        + LinkDelivery
        + Jobs
        + AuditLog
        + BreakGlassGrants
        + AdminTasks
        + Risk
        + CrisisInformation
        + Recovery
        + Partnership
        + Consents
        + Kiosks
        + ClinicalSupport
        + Boundaries
        + ApiTokens
        + Backgrounds
        + Transcripts
{
}

/// The store's traits, for `use alliance_store::prelude::*`: a method of a trait can be called only where the
/// trait is in scope.
pub mod prelude {
    pub use crate::AdminTasks;
    pub use crate::ApiTokens;
    pub use crate::Backgrounds;
    pub use crate::Boundaries;
    pub use crate::ClinicalSupport;
    pub use crate::Consents;
    pub use crate::CrisisInformation;
    pub use crate::Kiosks;
    pub use crate::LinkDelivery;
    pub use crate::Outbox;
    pub use crate::Partnership;
    pub use crate::Recovery;
    pub use crate::Risk;
    pub use crate::Transcripts;
    pub use crate::{
        Accounts, Acknowledgements, AuditLog, BreakGlassGrants, Care, Jobs, Questionnaires, Settings, SignIns, Store,
        Supervision,
    };
}
