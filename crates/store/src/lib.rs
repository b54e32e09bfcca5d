//! Storage for Alliance behind one trait. SQLite is the embedded default; nothing in the trait assumes it, so a
//! PostgreSQL implementation can pass the same conformance suite. Every method takes the current time from the
//! caller, which keeps expiry rules testable.
#![forbid(unsafe_code)]

mod model;
mod sqlite;

pub use model::*;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Why a client's link could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Open,
    Used,
    Expired,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Settings
    /// Returns the stored value for `key`, or stores and returns `fresh` when there is none (race-free).
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>>;

    // Staff
    async fn create_user(&self, user: NewUser, now: OffsetDateTime) -> StoreResult<UserId>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<u64>;
    async fn add_supervision(&self, supervisor: UserId, therapist: UserId) -> StoreResult<()>;
    async fn supervisees(&self, supervisor: UserId) -> StoreResult<Vec<UserId>>;

    // Signed-in sessions
    async fn create_login(&self, login: NewLogin) -> StoreResult<()>;
    /// The login and its user if the login exists, has not expired and the user is active; refreshes last use.
    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>>;
    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()>;

    // Clients, episodes, sessions
    async fn create_client(&self, client: NewClient, now: OffsetDateTime) -> StoreResult<ClientId>;
    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>>;
    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>>;
    async fn open_episode(&self, episode: NewEpisode, now: OffsetDateTime) -> StoreResult<EpisodeId>;
    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>>;
    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>>;
    /// Every session of these clients, by client, episode and number.
    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>>;
    /// Records the next session of an episode; its number is one more than the last.
    async fn record_session(&self, session: NewSession, now: OffsetDateTime) -> StoreResult<TherapySession>;
    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>>;
    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>>;

    // Questionnaires
    /// Creates a link and its open administrations in one transaction; earlier unused links of the session
    /// expire.
    async fn create_link(&self, link: NewLink, now: OffsetDateTime) -> StoreResult<LinkId>;
    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>>;
    /// Stores every response of a link, marks it used and writes `audit` (its object set to the session), all
    /// in one transaction: a submission is acknowledged only once all of it is durable. Only one can win.
    async fn submit_link(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>>;
    /// Stores a therapist's completed questionnaire for a session, replacing an earlier one of the same
    /// instrument.
    async fn save_therapist_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId>;
    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>>;
    /// Every completed response of a client with its scores, oldest first.
    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>>;
    /// Primary and subscale scores of completed administrations for many clients, for caseload summaries.
    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>>;

    // Signals
    /// Records that `user` acknowledged a signal; the first acknowledgement stands.
    async fn acknowledge(&self, client: ClientId, key: &str, user: UserId, at: OffsetDateTime) -> StoreResult<()>;
    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>>;

    // Audit
    async fn audit(&self, event: AuditEvent) -> StoreResult<()>;
    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>>;
}
