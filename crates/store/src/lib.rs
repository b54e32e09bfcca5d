//! Storage for Alliance behind one trait. SQLite is the embedded default; PostgreSQL is for practices that run a
//! database server. Both pass the same conformance suite. Every method takes the current time from the caller,
//! which keeps expiry rules testable.
#![forbid(unsafe_code)]

mod model;
mod postgres;
mod sqlite;

pub use model::*;
pub use postgres::{PostgresOptions, PostgresStore};
pub use sqlite::SqliteStore;

use alliance_core::domain::Role;
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
    /// Deletes every login of `user` except the one with hash `keep`; returns how many were deleted.
    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64>;

    // Account security
    /// Replaces the password hash only if it is still `expected` (a rehash never undoes a password change).
    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool>;
    /// Sets role and active flag and deletes the user's logins, in one transaction. Refused with a conflict when
    /// no active administrator would remain.
    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()>;
    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>>;
    /// Stores a new secret, not yet enabled, replacing an unconfirmed one. A conflict when one is enabled.
    async fn begin_totp(&self, user: UserId, secret: &[u8], now: OffsetDateTime) -> StoreResult<()>;
    /// Accepts time step `step` if it is later than the last accepted one, in one conditional update (race-free
    /// across app servers). `enable` confirms an unconfirmed factor; otherwise the factor must be enabled.
    async fn accept_totp_step(&self, user: UserId, step: i64, enable: bool) -> StoreResult<bool>;
    async fn remove_totp(&self, user: UserId) -> StoreResult<()>;
    /// Stores a pending two-step sign-in, removing expired ones.
    async fn create_pending_login(&self, pending: NewPendingLogin) -> StoreResult<()>;
    async fn pending_login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<UserId>>;
    async fn delete_pending_login(&self, token_hash: &[u8]) -> StoreResult<()>;
    async fn throttle(&self, key: &[u8]) -> StoreResult<Option<ThrottleState>>;
    /// Writes `new` only if the stored counter is still `expected` (`None`: no counter yet). Compare-and-swap,
    /// so concurrent attempts on several app servers cannot both take the same free slot.
    async fn update_throttle(
        &self,
        key: &[u8],
        expected: Option<&ThrottleState>,
        new: &ThrottleState,
    ) -> StoreResult<bool>;
    async fn clear_throttle(&self, key: &[u8]) -> StoreResult<()>;

    // Clients, episodes, sessions
    async fn create_client(&self, client: NewClient, now: OffsetDateTime) -> StoreResult<ClientId>;
    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>>;
    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>>;
    /// Opens an episode of care; the client's earlier open episode ends the day this one starts.
    async fn open_episode(&self, episode: NewEpisode, now: OffsetDateTime) -> StoreResult<EpisodeId>;
    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>>;
    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>>;
    /// Each client's current episode of care: the one opened last.
    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>>;
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

/// A shared store is a store: `Arc<dyn Store>` (what the web layer holds) and `Arc<SqliteStore>` can be passed
/// wherever a `Store` is expected, and calling a method on one resolves through this trait. Pure delegation.
#[async_trait]
impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        S::setting_or_insert(self, key, fresh).await
    }
    async fn create_user(&self, user: NewUser, now: OffsetDateTime) -> StoreResult<UserId> {
        S::create_user(self, user, now).await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        S::user(self, id).await
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        S::user_by_email(self, email).await
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        S::users(self).await
    }
    async fn count_users(&self) -> StoreResult<u64> {
        S::count_users(self).await
    }
    async fn add_supervision(&self, supervisor: UserId, therapist: UserId) -> StoreResult<()> {
        S::add_supervision(self, supervisor, therapist).await
    }
    async fn supervisees(&self, supervisor: UserId) -> StoreResult<Vec<UserId>> {
        S::supervisees(self, supervisor).await
    }
    async fn create_login(&self, login: NewLogin) -> StoreResult<()> {
        S::create_login(self, login).await
    }
    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>> {
        S::login(self, token_hash, now).await
    }
    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        S::delete_login(self, token_hash).await
    }
    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64> {
        S::delete_logins_of(self, user, keep).await
    }
    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool> {
        S::replace_password_hash(self, user, expected, new).await
    }
    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()> {
        S::update_account(self, user, role, active).await
    }
    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        S::totp_factor(self, user).await
    }
    async fn begin_totp(&self, user: UserId, secret: &[u8], now: OffsetDateTime) -> StoreResult<()> {
        S::begin_totp(self, user, secret, now).await
    }
    async fn accept_totp_step(&self, user: UserId, step: i64, enable: bool) -> StoreResult<bool> {
        S::accept_totp_step(self, user, step, enable).await
    }
    async fn remove_totp(&self, user: UserId) -> StoreResult<()> {
        S::remove_totp(self, user).await
    }
    async fn create_pending_login(&self, pending: NewPendingLogin) -> StoreResult<()> {
        S::create_pending_login(self, pending).await
    }
    async fn pending_login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<UserId>> {
        S::pending_login(self, token_hash, now).await
    }
    async fn delete_pending_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        S::delete_pending_login(self, token_hash).await
    }
    async fn throttle(&self, key: &[u8]) -> StoreResult<Option<ThrottleState>> {
        S::throttle(self, key).await
    }
    async fn update_throttle(
        &self,
        key: &[u8],
        expected: Option<&ThrottleState>,
        new: &ThrottleState,
    ) -> StoreResult<bool> {
        S::update_throttle(self, key, expected, new).await
    }
    async fn clear_throttle(&self, key: &[u8]) -> StoreResult<()> {
        S::clear_throttle(self, key).await
    }
    async fn create_client(&self, client: NewClient, now: OffsetDateTime) -> StoreResult<ClientId> {
        S::create_client(self, client, now).await
    }
    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>> {
        S::client(self, id).await
    }
    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>> {
        S::clients_of(self, therapists).await
    }
    async fn open_episode(&self, episode: NewEpisode, now: OffsetDateTime) -> StoreResult<EpisodeId> {
        S::open_episode(self, episode, now).await
    }
    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        S::episodes(self, client).await
    }
    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>> {
        S::episode(self, id).await
    }
    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>> {
        S::current_episodes(self, clients).await
    }
    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>> {
        S::sessions_of(self, clients).await
    }
    async fn record_session(&self, session: NewSession, now: OffsetDateTime) -> StoreResult<TherapySession> {
        S::record_session(self, session, now).await
    }
    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>> {
        S::session(self, id).await
    }
    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>> {
        S::sessions(self, episode).await
    }
    async fn create_link(&self, link: NewLink, now: OffsetDateTime) -> StoreResult<LinkId> {
        S::create_link(self, link, now).await
    }
    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>> {
        S::link_by_token(self, token_hash, now).await
    }
    async fn submit_link(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>> {
        S::submit_link(self, token_hash, responses, audit, now).await
    }
    async fn save_therapist_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId> {
        S::save_therapist_response(self, session, instrument, response, now).await
    }
    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>> {
        S::links_for_session(self, session).await
    }
    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>> {
        S::responses_of(self, client).await
    }
    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>> {
        S::score_points(self, clients).await
    }
    async fn acknowledge(&self, client: ClientId, key: &str, user: UserId, at: OffsetDateTime) -> StoreResult<()> {
        S::acknowledge(self, client, key, user, at).await
    }
    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>> {
        S::acknowledgements(self, clients).await
    }
    async fn audit(&self, event: AuditEvent) -> StoreResult<()> {
        S::audit(self, event).await
    }
    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        S::audit_events(self, limit).await
    }
}
