use alliance_core::domain::{AdministrationStatus, Role};
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub i64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }
    )*};
}
id_type!(UserId, ClientId, EpisodeId, SessionId, LinkId, AdministrationId);

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewLogin {
    pub token_hash: Vec<u8>,
    pub user: UserId,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The sign-in also ends after this long without use.
    pub idle_timeout: time::Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Login {
    pub user: UserId,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewClient {
    pub therapist: UserId,
    pub pseudonym: String,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: ClientId,
    pub therapist: UserId,
    pub pseudonym: String,
    pub contact: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewEpisode {
    pub client: ClientId,
    pub therapist: UserId,
    pub started_on: Date,
    /// Outcome measures asked with each session's check.
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub id: EpisodeId,
    pub client: ClientId,
    pub therapist: UserId,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub measures: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub episode: EpisodeId,
    pub held_on: Date,
    pub attended: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TherapySession {
    pub id: SessionId,
    pub episode: EpisodeId,
    pub client: ClientId,
    pub number: u32,
    pub held_on: Date,
    pub attended: bool,
}

/// An instrument at the version its definition had when it was administered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentRef {
    pub id: String,
    pub version: u32,
}

#[derive(Debug, Clone)]
pub struct NewLink {
    pub session: SessionId,
    pub token_hash: Vec<u8>,
    pub expires_at: OffsetDateTime,
    /// The questionnaires the link opens, in the order asked.
    pub instruments: Vec<InstrumentRef>,
}

/// What a client's token opens. Carries no client identity: the page shows nothing about who it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkView {
    pub id: LinkId,
    pub session: SessionId,
    pub state: crate::LinkState,
    pub expires_at: OffsetDateTime,
    pub administrations: Vec<Administration>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkSummary {
    pub id: LinkId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub instruments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Administration {
    pub id: AdministrationId,
    pub instrument: InstrumentRef,
    pub status: AdministrationStatus,
}

/// One completed questionnaire, ready to store: raw answers (JSON), critical items and computed scores.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub administration: Option<AdministrationId>,
    pub answers_json: String,
    pub flags: ResponseFlags,
    pub scores: Vec<ScaleScore>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkSubmitted {
    pub session: SessionId,
    pub administrations: Vec<AdministrationId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rater {
    Client,
    Therapist,
}

impl Rater {
    pub fn as_str(self) -> &'static str {
        match self {
            Rater::Client => "client",
            Rater::Therapist => "therapist",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub administration: AdministrationId,
    pub session: SessionId,
    pub episode: EpisodeId,
    pub session_number: u32,
    pub held_on: Date,
    pub instrument: InstrumentRef,
    pub rater: Rater,
    pub answers_json: String,
    pub flags: ResponseFlags,
    pub scores: Vec<ScaleScore>,
    pub submitted_at: OffsetDateTime,
}

/// One scale score of one completed administration.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePoint {
    pub client: ClientId,
    pub episode: EpisodeId,
    pub session_number: u32,
    pub held_on: Date,
    pub instrument: String,
    pub rater: Rater,
    pub scale: String,
    pub value: Option<f64>,
    pub concern: Option<bool>,
    pub flags: ResponseFlags,
}

/// An entry of the access log. Objects are named by kind and id only; no clinical content goes in here.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub at: OffsetDateTime,
    pub actor: Option<UserId>,
    pub actor_role: Option<Role>,
    pub action: &'static str,
    pub object_kind: &'static str,
    pub object_id: Option<i64>,
    pub purpose: &'static str,
    pub address: Option<String>,
}

/// An audit entry as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor: Option<UserId>,
    pub actor_role: Option<String>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    pub purpose: String,
    pub address: Option<String>,
}

/// A signal someone has seen and acted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Acknowledgement {
    pub client: ClientId,
    pub key: String,
    pub user: UserId,
    pub user_name: String,
    pub at: OffsetDateTime,
}

/// An account's TOTP second factor. `last_step` is the last accepted time step (replays are refused).
#[derive(Clone, PartialEq)]
pub struct TotpFactor {
    pub secret: Vec<u8>,
    pub enabled: bool,
    pub last_step: i64,
}

impl std::fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpFactor").field("enabled", &self.enabled).field("last_step", &self.last_step).finish()
    }
}

/// A sign-in whose password was right, waiting for the second factor.
#[derive(Debug, Clone)]
pub struct NewPendingLogin {
    pub token_hash: Vec<u8>,
    pub user: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// One sign-in throttle counter (for an account, an address or a device): the web layer owns the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i64,
    pub window_start: OffsetDateTime,
    pub blocked_until: OffsetDateTime,
}
