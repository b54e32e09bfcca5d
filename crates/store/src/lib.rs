//! Storage for Alliance behind one trait. SQLite is the embedded default; PostgreSQL is for practices that run a
//! database server. Both pass the same conformance suite. Every method takes the current time from the caller,
//! which keeps expiry rules testable.
// One `unsafe` call, documented where it is (`group_commit::sqlite::Locked::new`); everything else is safe code.
#![deny(unsafe_code)]

pub mod audit;
pub mod cipher;
pub mod data_folder;
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
pub mod retention;
mod schema_version;
mod sqlite;

pub use cipher::{KeyError, Keyring};
pub use file_error::FileError;
pub use model::*;
pub use open::{Database, DatabaseSpec, OpenMode, Opening};
pub use postgres::{PostgresOptions, PostgresStore};
pub use practice_input::PracticeSeries;
pub use sqlite::SqliteStore;

use alliance_core::domain::Role;
use async_trait::async_trait;
use time::OffsetDateTime;

/// How stale a sign-in's recorded last use may get before a page view writes it again (both engines). A durable
/// write on every page view would cost more than the minute of idle time a sign-in may lose by it.
const LAST_SEEN_STEP_SECONDS: i64 = 60;

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

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Settings
    /// Returns the stored value for `key`, or stores and returns `fresh` when there is none (race-free).
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>>;

    // Staff
    async fn create_user(&self, user: NewUser, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<UserId>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<u64>;
    async fn add_supervision(&self, supervisor: UserId, therapist: UserId, audit: AuditEvent) -> StoreResult<()>;
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
    /// Deletes the counters last started and last blocking before `before` (which no rule reads any more, so the
    /// table does not grow with every address that ever failed once); returns how many.
    async fn forget_throttles(&self, before: OffsetDateTime) -> StoreResult<u64>;

    // Clients, episodes, sessions
    async fn create_client(&self, client: NewClient, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<ClientId>;
    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>>;
    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>>;
    /// Opens an episode of care; the client's earlier open episode ends the day this one starts.
    async fn open_episode(&self, episode: NewEpisode, audit: AuditEvent, now: OffsetDateTime)
    -> StoreResult<EpisodeId>;
    /// Ends an open episode of care on `ended_on` (not before it started), writing `audit` (object: the episode)
    /// in the same transaction. `Conflict` if it has ended already or would end before it started.
    async fn end_episode(&self, episode: EpisodeId, ended_on: time::Date, audit: AuditEvent) -> StoreResult<()>;
    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>>;
    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>>;
    /// Each client's current episode of care: the one opened last.
    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>>;
    /// Every session of these clients, by client, episode and number.
    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>>;
    /// Records the next session of an episode; its number is one more than the last.
    async fn record_session(
        &self,
        session: NewSession,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TherapySession>;
    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>>;
    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>>;

    // Questionnaires
    /// Creates a link and its open administrations in one transaction; earlier unused links of the session
    /// expire.
    async fn create_link(&self, link: NewLink, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<LinkId>;
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
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId>;
    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>>;
    /// Every completed response of a client with its scores, oldest first.
    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>>;
    /// Primary and subscale scores of completed administrations for many clients, for caseload summaries.
    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>>;
    /// The practice model's input, for every client of a therapist account with scores: the client's own PHQ-9
    /// totals and relationship-check alliance scores (missing values left out) of their latest episode with any
    /// score (the highest episode id), in session order, by client id. Read as a stream into compact series.
    async fn practice_input(&self) -> StoreResult<Vec<PracticeSeries>>;

    // Signals
    /// Records that `user` acknowledged a signal; the first acknowledgement stands.
    async fn acknowledge(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()>;
    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>>;
    /// Each known client's revision, which the database moves with every change to what their overview is
    /// computed from (episodes, sessions, answers), whichever app server made it; 0 before the first.
    async fn client_revisions(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, i64)>>;

    // Supervision
    /// Adds a comment to the supervision thread of a session's reflection; the session must exist.
    async fn add_reflection_comment(&self, comment: NewReflectionComment) -> StoreResult<i64>;
    /// The comments on these sessions' reflections, by session, oldest first.
    async fn reflection_comments(&self, sessions: &[SessionId]) -> StoreResult<Vec<ReflectionComment>>;

    // Retention and scheduled jobs
    /// Deletes a client and every row of their care (episodes, sessions, links, administrations, responses,
    /// scores, acknowledgements) and writes `audit`, in one transaction. Audit entries about the client stay.
    async fn delete_client(&self, client: ClientId, audit: AuditEvent) -> StoreResult<()>;
    /// Clients whose episodes have all ended, the last one before `cutoff`.
    async fn clients_ended_before(&self, cutoff: time::Date) -> StoreResult<Vec<ClientId>>;
    /// Takes the lease on the scheduled job `job` for `holder` until `now + hold_for`, if no other holder has an
    /// unexpired lease and the job was last finished at or before `done_before`. Only one of many racing
    /// holders gets it.
    async fn take_job(
        &self,
        job: &str,
        holder: &str,
        now: OffsetDateTime,
        hold_for: time::Duration,
        done_before: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Records that `holder` finished `job` at `now` and releases the lease; false if the lease was lost.
    async fn finish_job(&self, job: &str, holder: &str, now: OffsetDateTime) -> StoreResult<bool>;

    // Audit: an append-only hash chain (see `audit`). Every staff write above takes its `AuditEvent` and writes
    // it in the write's own transaction; a method that creates a row sets the event's object id to the new row.
    /// Appends one entry (reads, sign-ins: events that are not part of a write).
    async fn audit(&self, event: AuditEvent) -> StoreResult<()>;
    /// The newest `limit` entries, newest first.
    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>>;
    /// Entries matching `filter`, newest first, at most `limit`.
    async fn search_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRecord>>;
    /// Chained entries in chain order after the (sequence number, row id) `after`, at most `limit`.
    async fn audit_chain(&self, after: Option<(i64, i64)>, limit: u32) -> StoreResult<Vec<AuditChainRow>>;
    /// The recorded end of the chain.
    async fn audit_head(&self) -> StoreResult<AuditHead>;

    // Break-glass: an administrator's time-limited, audited read of one client.
    /// Stores the grant and its audit entry (object: the client) in one transaction.
    async fn grant_break_glass(&self, grant: NewBreakGlass, audit: AuditEvent) -> StoreResult<BreakGlassId>;
    /// The administrator's grant for this client that is still running at `now`, if any.
    async fn active_break_glass(
        &self,
        admin: UserId,
        client: ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlass>>;
    /// Every grant for these clients, newest first.
    async fn break_glass_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BreakGlass>>;
    /// The therapist has seen the client's grants: marks those not yet acknowledged, with the audit entry.
    async fn acknowledge_break_glass(
        &self,
        client: ClientId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
}

/// A shared store is a store: `Arc<dyn Store>` (what the web layer holds) and `Arc<SqliteStore>` can be passed
/// wherever a `Store` is expected, and calling a method on one resolves through this trait. Pure delegation.
#[async_trait]
impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        S::setting_or_insert(self, key, fresh).await
    }
    async fn create_user(&self, user: NewUser, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<UserId> {
        S::create_user(self, user, audit, now).await
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
    async fn add_supervision(&self, supervisor: UserId, therapist: UserId, audit: AuditEvent) -> StoreResult<()> {
        S::add_supervision(self, supervisor, therapist, audit).await
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
    async fn forget_throttles(&self, before: OffsetDateTime) -> StoreResult<u64> {
        S::forget_throttles(self, before).await
    }
    async fn create_client(&self, client: NewClient, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<ClientId> {
        S::create_client(self, client, audit, now).await
    }
    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>> {
        S::client(self, id).await
    }
    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>> {
        S::clients_of(self, therapists).await
    }
    async fn open_episode(
        &self,
        episode: NewEpisode,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<EpisodeId> {
        S::open_episode(self, episode, audit, now).await
    }
    async fn end_episode(&self, episode: EpisodeId, ended_on: time::Date, audit: AuditEvent) -> StoreResult<()> {
        S::end_episode(self, episode, ended_on, audit).await
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
    async fn record_session(
        &self,
        session: NewSession,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<TherapySession> {
        S::record_session(self, session, audit, now).await
    }
    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>> {
        S::session(self, id).await
    }
    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>> {
        S::sessions(self, episode).await
    }
    async fn create_link(&self, link: NewLink, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<LinkId> {
        S::create_link(self, link, audit, now).await
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
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId> {
        S::save_therapist_response(self, session, instrument, response, audit, now).await
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
    async fn practice_input(&self) -> StoreResult<Vec<PracticeSeries>> {
        S::practice_input(self).await
    }
    async fn acknowledge(
        &self,
        client: ClientId,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        S::acknowledge(self, client, key, user, audit, at).await
    }
    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>> {
        S::acknowledgements(self, clients).await
    }
    async fn client_revisions(&self, clients: &[ClientId]) -> StoreResult<Vec<(ClientId, i64)>> {
        S::client_revisions(self, clients).await
    }
    async fn add_reflection_comment(&self, comment: NewReflectionComment) -> StoreResult<i64> {
        S::add_reflection_comment(self, comment).await
    }
    async fn reflection_comments(&self, sessions: &[SessionId]) -> StoreResult<Vec<ReflectionComment>> {
        S::reflection_comments(self, sessions).await
    }
    async fn delete_client(&self, client: ClientId, audit: AuditEvent) -> StoreResult<()> {
        S::delete_client(self, client, audit).await
    }
    async fn clients_ended_before(&self, cutoff: time::Date) -> StoreResult<Vec<ClientId>> {
        S::clients_ended_before(self, cutoff).await
    }
    async fn take_job(
        &self,
        job: &str,
        holder: &str,
        now: OffsetDateTime,
        hold_for: time::Duration,
        done_before: OffsetDateTime,
    ) -> StoreResult<bool> {
        S::take_job(self, job, holder, now, hold_for, done_before).await
    }
    async fn finish_job(&self, job: &str, holder: &str, now: OffsetDateTime) -> StoreResult<bool> {
        S::finish_job(self, job, holder, now).await
    }
    async fn audit(&self, event: AuditEvent) -> StoreResult<()> {
        S::audit(self, event).await
    }
    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        S::audit_events(self, limit).await
    }
    async fn search_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        S::search_audit(self, filter, limit).await
    }
    async fn audit_chain(&self, after: Option<(i64, i64)>, limit: u32) -> StoreResult<Vec<AuditChainRow>> {
        S::audit_chain(self, after, limit).await
    }
    async fn audit_head(&self) -> StoreResult<AuditHead> {
        S::audit_head(self).await
    }
    async fn grant_break_glass(&self, grant: NewBreakGlass, audit: AuditEvent) -> StoreResult<BreakGlassId> {
        S::grant_break_glass(self, grant, audit).await
    }
    async fn active_break_glass(
        &self,
        admin: UserId,
        client: ClientId,
        now: OffsetDateTime,
    ) -> StoreResult<Option<BreakGlass>> {
        S::active_break_glass(self, admin, client, now).await
    }
    async fn break_glass_of(&self, clients: &[ClientId]) -> StoreResult<Vec<BreakGlass>> {
        S::break_glass_of(self, clients).await
    }
    async fn acknowledge_break_glass(
        &self,
        client: ClientId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        S::acknowledge_break_glass(self, client, audit, now).await
    }
}
