use alliance_core::domain::{AdministrationStatus, Role};
use alliance_core::scoring::{Answers, ResponseFlags, ScaleScore};
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
id_type!(UserId, ClientId, EpisodeId, SessionId, LinkId, AdministrationId, BreakGlassId);

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    /// The password was chosen by someone else (an administrator, a command): the user replaces it at their
    /// first sign-in before anything else.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    /// The user's own time zone (an IANA name); `None` follows the practice's.
    pub time_zone: Option<String>,
    /// The user's language (a tag Alliance has messages for); `None` follows the browser.
    pub language: Option<String>,
    /// Steps the account must take at sign-in before anything else (see `User::pending_step`).
    pub must_change_password: bool,
    pub must_enrol_second_factor: bool,
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
    /// The client's language (a tag Alliance has messages for); `None` follows their browser.
    pub language: Option<String>,
    /// A sealed field of the record could not be opened (damaged or sealed under a key not held): listed with a
    /// stand-in name so that one damaged record does not hide the rest of a caseload.
    pub damaged: bool,
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
    /// The client the link is for.
    pub client: ClientId,
    /// The client's language, when one was chosen (by the therapist or by the client on one of their pages).
    pub language: Option<String>,
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

/// One completed questionnaire, ready to store: the answers as given, critical items and computed scores. The
/// store encodes and seals the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub administration: Option<AdministrationId>,
    pub answers: Answers,
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
    pub answers: Answers,
    pub flags: ResponseFlags,
    pub scores: Vec<ScaleScore>,
    pub submitted_at: OffsetDateTime,
}

/// A completed response as a listing needs it: no answers, its flags opened, and how many supervision comments
/// its session has.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedResponse {
    pub administration: AdministrationId,
    pub session: SessionId,
    pub client: ClientId,
    pub session_number: u32,
    pub held_on: Date,
    pub flags: ResponseFlags,
    pub submitted_at: OffsetDateTime,
    pub comments: usize,
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
    /// When the response was saved (for a reflection saved again, the last time).
    pub completed_at: Option<OffsetDateTime>,
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

impl AuditEvent {
    /// An entry for work done by Alliance itself or from the command line, not by a signed-in person.
    pub fn system(at: OffsetDateTime, action: &'static str, object_kind: &'static str, purpose: &'static str) -> Self {
        AuditEvent { at, actor: None, actor_role: None, action, object_kind, object_id: None, purpose, address: None }
    }
}

/// An audit entry as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    /// Its place in the hash chain: 1, 2, 3, ... without gaps.
    pub seq: i64,
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

/// A comment to add to the supervision thread of a session's reflection.
#[derive(Debug, Clone)]
pub struct NewReflectionComment {
    pub session: SessionId,
    pub author: UserId,
    /// Free text, already checked by the caller (1 to 4000 characters).
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// A comment in the supervision thread of a session's reflection, with its author as the thread shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ReflectionComment {
    pub id: i64,
    pub session: SessionId,
    pub author: UserId,
    pub author_name: String,
    pub author_role: Role,
    pub body: String,
    pub created_at: OffsetDateTime,
}

/// What the administrator's audit page asks for. Every filter is optional; `before` is the keyset cursor (show
/// entries with a lower sequence number), so pages stay stable while new entries arrive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub action: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<i64>,
    /// Entries at or after this time.
    pub from: Option<OffsetDateTime>,
    /// Entries before this time.
    pub until: Option<OffsetDateTime>,
    pub before: Option<i64>,
}

/// An audit entry exactly as stored, for checking the chain: the raw values, so that even a tampered row that
/// no longer parses (a time out of range, a missing hash) is reported rather than failing the check.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditChainRow {
    pub id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_role: Option<String>,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    pub purpose: String,
    pub address: Option<String>,
    pub prev_hash: Option<Vec<u8>>,
    pub hash: Option<Vec<u8>>,
}

/// The chain's recorded end: the last sequence number and its hash, and how many entries have no place in the
/// chain at all (none, unless someone wrote to the table behind Alliance's back).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: Vec<u8>,
    pub unchained: u64,
}

/// An administrator's request to read one client's record.
#[derive(Debug, Clone)]
pub struct NewBreakGlass {
    pub admin: UserId,
    pub client: ClientId,
    pub reason: String,
    pub granted_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A break-glass grant as the client's therapist sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakGlass {
    pub id: BreakGlassId,
    pub admin: UserId,
    pub admin_name: String,
    pub client: ClientId,
    pub reason: String,
    pub granted_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub acknowledged_at: Option<OffsetDateTime>,
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

/// One connection pool's use at a moment (see `Jobs::pool_use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// "read" and "write" on SQLite, "shared" on PostgreSQL.
    pub pool: &'static str,
    /// Connections open, idle or in use.
    pub open: u32,
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}
