//! The embedded SQLite store. WAL journal with `synchronous = FULL`: a submission is on disk before the server
//! acknowledges it, even across power loss.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use alliance_core::domain::{AdministrationStatus, Role};
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool, Transaction};
use time::{Date, OffsetDateTime};

use crate::*;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict("already exists"),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            other => backend(other),
        }
    }
}

impl SqliteStore {
    /// Runs `sql` with its `IN ({ids})` list filled by one placeholder per id.
    async fn fetch_in(&self, sql: &str, ids: &[i64]) -> StoreResult<Vec<SqliteRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = sql.replace("{ids}", &placeholders(ids.len()));
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::with_options(options).await
    }

    /// Opens for a one-off bulk load (the demo's synthetic practice) without waiting for the disk on each
    /// commit. Not for serving: a crash during the load can lose the load, which is simply run again.
    pub async fn open_for_bulk_load(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Off)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::with_options(options).await
    }

    /// A private in-memory database, for tests.
    pub async fn in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").map_err(backend)?.foreign_keys(true);
        // One connection: every connection to `:memory:` would otherwise be its own empty database.
        // ...and that one connection must never be recycled, or the database goes with it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await.map_err(backend)?;
        Ok(Self { pool })
    }

    async fn with_options(options: SqliteConnectOptions) -> StoreResult<Self> {
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await.map_err(backend)?;
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn from_ts(secs: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const DATE: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn date_text(d: Date) -> StoreResult<String> {
    d.format(DATE).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_date(text: &str) -> StoreResult<Date> {
    Date::parse(text, DATE).map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}

fn user_row(row: &SqliteRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get("active")?,
    })
}

fn client_row(row: &SqliteRow) -> StoreResult<Client> {
    Ok(Client {
        id: ClientId(row.try_get("id")?),
        therapist: UserId(row.try_get("therapist_id")?),
        pseudonym: row.try_get("pseudonym")?,
        contact: row.try_get("contact")?,
        created_at: from_ts(row.try_get("created_at")?)?,
    })
}

fn session_row(row: &SqliteRow) -> StoreResult<TherapySession> {
    let held_on: String = row.try_get("held_on")?;
    Ok(TherapySession {
        id: SessionId(row.try_get("id")?),
        episode: EpisodeId(row.try_get("episode_id")?),
        client: ClientId(row.try_get("client_id")?),
        number: row.try_get("number")?,
        held_on: parse_date(&held_on)?,
        attended: row.try_get("attended")?,
    })
}

const SESSION_COLUMNS: &str = "s.id, s.episode_id, e.client_id, s.number, s.held_on, s.attended FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id";

async fn insert_audit(conn: &mut sqlx::SqliteConnection, event: &AuditEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor_role, action, object_kind, object_id, purpose, address)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(ts(event.at))
    .bind(event.actor.map(|a| a.0))
    .bind(event.actor_role.map(Role::as_str))
    .bind(event.action)
    .bind(event.object_kind)
    .bind(event.object_id)
    .bind(event.purpose)
    .bind(&event.address)
    .execute(conn)
    .await?;
    Ok(())
}

fn parse_flags(json: &str) -> StoreResult<ResponseFlags> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("response flags: {e}")))
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

async fn insert_response(
    tx: &mut Transaction<'_, sqlx::Sqlite>,
    administration: i64,
    response: &NewResponse,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let flags = serde_json::to_string(&response.flags).map_err(backend)?;
    sqlx::query("INSERT INTO responses (administration_id, answers, flags, submitted_at) VALUES (?, ?, ?, ?)")
        .bind(administration)
        .bind(&response.answers_json)
        .bind(flags)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    for s in &response.scores {
        sqlx::query(
            "INSERT INTO scores (administration_id, scale_id, value, answered, missing, prorated, band, concern)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(administration)
        .bind(&s.scale)
        .bind(s.value)
        .bind(s.answered as i64)
        .bind(s.missing as i64)
        .bind(s.prorated)
        .bind(&s.band)
        .bind(s.concern)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE administrations SET status = 'completed', completed_at = ? WHERE id = ?")
        .bind(ts(now))
        .bind(administration)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(fresh)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_one(&self.pool).await?)
    }

    async fn create_user(&self, user: NewUser, now: OffsetDateTime) -> StoreResult<UserId> {
        let id = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&user.email)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(UserId(id))
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_row).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = ?").bind(email).fetch_optional(&self.pool).await?;
        row.as_ref().map(user_row).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY role, display_name, id").fetch_all(&self.pool).await?;
        rows.iter().map(user_row).collect()
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n.max(0) as u64)
    }

    async fn add_supervision(&self, supervisor: UserId, therapist: UserId) -> StoreResult<()> {
        sqlx::query("INSERT INTO supervision (supervisor_id, therapist_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(supervisor.0)
            .bind(therapist.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn supervisees(&self, supervisor: UserId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT therapist_id FROM supervision WHERE supervisor_id = ? ORDER BY 1")
                .bind(supervisor.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    async fn create_login(&self, login: NewLogin) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO logins (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, idle_seconds)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&login.token_hash)
        .bind(login.user.0)
        .bind(&login.csrf_token)
        .bind(ts(login.created_at))
        .bind(ts(login.created_at))
        .bind(ts(login.expires_at))
        .bind(login.idle_timeout.whole_seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>> {
        let row = sqlx::query(
            "SELECT l.user_id, l.csrf_token, l.created_at AS login_created, l.expires_at, u.*
             FROM logins l JOIN users u ON u.id = l.user_id
             WHERE l.token_hash = ? AND l.expires_at > ? AND l.last_seen_at + l.idle_seconds > ? AND u.active = 1",
        )
        .bind(token_hash)
        .bind(ts(now))
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let login = Login {
            user: UserId(row.try_get("user_id")?),
            csrf_token: row.try_get("csrf_token")?,
            created_at: from_ts(row.try_get("login_created")?)?,
            expires_at: from_ts(row.try_get("expires_at")?)?,
        };
        sqlx::query("UPDATE logins SET last_seen_at = ? WHERE token_hash = ?")
            .bind(ts(now))
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(Some((login, user_row(&row)?)))
    }

    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM logins WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM logins WHERE user_id = ? AND (? IS NULL OR token_hash <> ?)")
            .bind(user.0)
            .bind(keep)
            .bind(keep)
            .execute(&self.pool)
            .await?;
        // A sign-in waiting for its second factor goes too.
        sqlx::query("DELETE FROM pending_logins WHERE user_id = ?").bind(user.0).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }

    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
            .bind(new)
            .bind(user.0)
            .bind(expected)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()> {
        // SQLite has one writer at a time, so the count of remaining administrators cannot change in between.
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET role = ?, active = ? WHERE id = ? AND (
                 (? = 'administrator' AND ?)
                 OR EXISTS (SELECT 1 FROM users o WHERE o.id <> ? AND o.role = 'administrator' AND o.active = 1))",
        )
        .bind(role.as_str())
        .bind(active)
        .bind(user.0)
        .bind(role.as_str())
        .bind(active)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE id = ?").bind(user.0).fetch_optional(&mut *tx).await?;
            return Err(if exists.is_some() {
                StoreError::Conflict("an active administrator must remain")
            } else {
                StoreError::NotFound
            });
        }
        sqlx::query("DELETE FROM logins WHERE user_id = ?").bind(user.0).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM pending_logins WHERE user_id = ?").bind(user.0).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        let row = sqlx::query("SELECT secret, enabled, last_step FROM totp_factors WHERE user_id = ?")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(TotpFactor {
                secret: r.try_get("secret")?,
                enabled: r.try_get("enabled")?,
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    async fn begin_totp(&self, user: UserId, secret: &[u8], now: OffsetDateTime) -> StoreResult<()> {
        let done = sqlx::query(
            "INSERT INTO totp_factors (user_id, secret, enabled, last_step, created_at) VALUES (?, ?, 0, 0, ?)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0,
                 created_at = excluded.created_at WHERE totp_factors.enabled = 0",
        )
        .bind(user.0)
        .bind(secret)
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("a second factor is already set up"));
        }
        Ok(())
    }

    async fn accept_totp_step(&self, user: UserId, step: i64, enable: bool) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = ?, enabled = 1 WHERE user_id = ? AND last_step < ? AND enabled = ?",
        )
        .bind(step)
        .bind(user.0)
        .bind(step)
        .bind(!enable)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_totp(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM totp_factors WHERE user_id = ?").bind(user.0).execute(&self.pool).await?;
        Ok(())
    }

    async fn create_pending_login(&self, pending: NewPendingLogin) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_logins WHERE expires_at <= ?")
            .bind(ts(pending.created_at))
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO pending_logins (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&pending.token_hash)
            .bind(pending.user.0)
            .bind(ts(pending.created_at))
            .bind(ts(pending.expires_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn pending_login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<UserId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT p.user_id FROM pending_logins p JOIN users u ON u.id = p.user_id
             WHERE p.token_hash = ? AND p.expires_at > ? AND u.active = 1",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(UserId))
    }

    async fn delete_pending_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_logins WHERE token_hash = ?").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn throttle(&self, key: &[u8]) -> StoreResult<Option<ThrottleState>> {
        let row = sqlx::query("SELECT failures, window_start, blocked_until FROM sign_in_throttle WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(ThrottleState {
                failures: r.try_get("failures")?,
                window_start: from_ts(r.try_get("window_start")?)?,
                blocked_until: from_ts(r.try_get("blocked_until")?)?,
            })
        })
        .transpose()
    }

    async fn update_throttle(
        &self,
        key: &[u8],
        expected: Option<&ThrottleState>,
        new: &ThrottleState,
    ) -> StoreResult<bool> {
        let done = match expected {
            None => {
                sqlx::query(
                    "INSERT INTO sign_in_throttle (key, failures, window_start, blocked_until) VALUES (?, ?, ?, ?)
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(new.failures)
                .bind(ts(new.window_start))
                .bind(ts(new.blocked_until))
                .execute(&self.pool)
                .await?
            }
            Some(old) => {
                sqlx::query(
                    "UPDATE sign_in_throttle SET failures = ?, window_start = ?, blocked_until = ?
                     WHERE key = ? AND failures = ? AND window_start = ? AND blocked_until = ?",
                )
                .bind(new.failures)
                .bind(ts(new.window_start))
                .bind(ts(new.blocked_until))
                .bind(key)
                .bind(old.failures)
                .bind(ts(old.window_start))
                .bind(ts(old.blocked_until))
                .execute(&self.pool)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn clear_throttle(&self, key: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE key = ?").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    async fn create_client(&self, client: NewClient, now: OffsetDateTime) -> StoreResult<ClientId> {
        let id = sqlx::query_scalar(
            "INSERT INTO clients (therapist_id, pseudonym, contact, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(client.therapist.0)
        .bind(&client.pseudonym)
        .bind(&client.contact)
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(ClientId(id))
    }

    async fn client(&self, id: ClientId) -> StoreResult<Option<Client>> {
        let row = sqlx::query("SELECT * FROM clients WHERE id = ?").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(client_row).transpose()
    }

    async fn clients_of(&self, therapists: &[UserId]) -> StoreResult<Vec<Client>> {
        let ids: Vec<i64> = therapists.iter().map(|id| id.0).collect();
        self.fetch_in("SELECT * FROM clients WHERE therapist_id IN ({ids}) ORDER BY pseudonym, id", &ids)
            .await?
            .iter()
            .map(client_row)
            .collect()
    }

    async fn open_episode(&self, episode: NewEpisode, now: OffsetDateTime) -> StoreResult<EpisodeId> {
        let mut tx = self.pool.begin().await?;
        let started = date_text(episode.started_on)?;
        sqlx::query("UPDATE episodes SET ended_on = ? WHERE client_id = ? AND ended_on IS NULL")
            .bind(&started)
            .bind(episode.client.0)
            .execute(&mut *tx)
            .await?;
        let id = sqlx::query_scalar(
            "INSERT INTO episodes (client_id, therapist_id, started_on, measures, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(episode.client.0)
        .bind(episode.therapist.0)
        .bind(&started)
        .bind(episode.measures.join(","))
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(EpisodeId(id))
    }

    async fn current_episodes(&self, clients: &[ClientId]) -> StoreResult<Vec<Episode>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT * FROM episodes WHERE id IN (SELECT MAX(id) FROM episodes WHERE client_id IN ({ids}) GROUP BY client_id)
             ORDER BY client_id",
            &ids,
        )
        .await?
        .iter()
        .map(episode_row)
        .collect()
    }

    async fn episodes(&self, client: ClientId) -> StoreResult<Vec<Episode>> {
        let rows = sqlx::query("SELECT * FROM episodes WHERE client_id = ? ORDER BY started_on, id")
            .bind(client.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(episode_row).collect()
    }

    async fn episode(&self, id: EpisodeId) -> StoreResult<Option<Episode>> {
        let row = sqlx::query("SELECT * FROM episodes WHERE id = ?").bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(episode_row).transpose()
    }

    async fn sessions_of(&self, clients: &[ClientId]) -> StoreResult<Vec<TherapySession>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            &format!(
                "SELECT {SESSION_COLUMNS} WHERE e.client_id IN ({{ids}}) ORDER BY e.client_id, s.episode_id, s.number"
            ),
            &ids,
        )
        .await?
        .iter()
        .map(session_row)
        .collect()
    }

    async fn record_session(&self, session: NewSession, now: OffsetDateTime) -> StoreResult<TherapySession> {
        // The INSERT computes the next number itself, so two concurrent recordings cannot share one.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO therapy_sessions (episode_id, number, held_on, attended, created_at)
             SELECT ?1, COALESCE(MAX(number), 0) + 1, ?2, ?3, ?4 FROM therapy_sessions WHERE episode_id = ?1
             RETURNING id",
        )
        .bind(session.episode.0)
        .bind(date_text(session.held_on)?)
        .bind(session.attended)
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        self.session(SessionId(id)).await?.ok_or(StoreError::NotFound)
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<TherapySession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.id = ?");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(session_row).transpose()
    }

    async fn sessions(&self, episode: EpisodeId) -> StoreResult<Vec<TherapySession>> {
        let sql = format!("SELECT {SESSION_COLUMNS} WHERE s.episode_id = ? ORDER BY s.number");
        sqlx::query(&sql).bind(episode.0).fetch_all(&self.pool).await?.iter().map(session_row).collect()
    }

    async fn create_link(&self, link: NewLink, now: OffsetDateTime) -> StoreResult<LinkId> {
        let mut tx = self.pool.begin().await?;
        // A session the client has answered takes no new link, and a new link replaces the unused ones: one
        // session is answered once. (The UPDATE first, so the transaction holds the write lock for the check.)
        sqlx::query("UPDATE links SET expires_at = ?1 WHERE session_id = ?2 AND used_at IS NULL AND expires_at > ?1")
            .bind(ts(now))
            .bind(link.session.0)
            .execute(&mut *tx)
            .await?;
        let answered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM links WHERE session_id = ? AND used_at IS NOT NULL")
                .bind(link.session.0)
                .fetch_one(&mut *tx)
                .await?;
        if answered > 0 {
            tx.rollback().await?;
            return Err(StoreError::Conflict("the session has already been answered"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO links (session_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(link.session.0)
        .bind(&link.token_hash)
        .bind(ts(now))
        .bind(ts(link.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        for (position, instrument) in link.instruments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO administrations
                 (session_id, link_id, instrument_id, instrument_version, rater, position, status, created_at)
                 VALUES (?, ?, ?, ?, 'client', ?, 'open', ?)",
            )
            .bind(link.session.0)
            .bind(id)
            .bind(&instrument.id)
            .bind(instrument.version)
            .bind(position as i64)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(LinkId(id))
    }

    async fn link_by_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<LinkView>> {
        let Some(row) = sqlx::query("SELECT id, session_id, expires_at, used_at FROM links WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let used_at: Option<i64> = row.try_get("used_at")?;
        let expires_at = from_ts(row.try_get("expires_at")?)?;
        let state = match used_at {
            Some(_) => LinkState::Used,
            None if now >= expires_at => LinkState::Expired,
            None => LinkState::Open,
        };
        let rows = sqlx::query(
            "SELECT id, instrument_id, instrument_version, status FROM administrations WHERE link_id = ? ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let administrations = rows
            .iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok(Administration {
                    id: AdministrationId(r.try_get("id")?),
                    instrument: InstrumentRef {
                        id: r.try_get("instrument_id")?,
                        version: r.try_get("instrument_version")?,
                    },
                    status: AdministrationStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?
                        .at(expires_at, now),
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(Some(LinkView {
            id: LinkId(id),
            session: SessionId(row.try_get("session_id")?),
            state,
            expires_at,
            administrations,
        }))
    }

    async fn submit_link(
        &self,
        token_hash: &[u8],
        responses: Vec<NewResponse>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<Result<LinkSubmitted, LinkState>> {
        let mut tx = self.pool.begin().await?;
        // Claim the link first: the write takes SQLite's write lock at once, and the condition makes the
        // claim single-use even when two submissions race.
        let claimed = sqlx::query(
            "UPDATE links SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1
             RETURNING id, session_id",
        )
        .bind(ts(now))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(claimed) = claimed else {
            let state = sqlx::query("SELECT used_at FROM links WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
            tx.rollback().await?;
            return match state {
                None => Err(StoreError::NotFound),
                Some(row) => {
                    let used: Option<i64> = row.try_get("used_at")?;
                    Ok(Err(if used.is_some() { LinkState::Used } else { LinkState::Expired }))
                }
            };
        };
        let link_id: i64 = claimed.try_get("id")?;
        let session = SessionId(claimed.try_get("session_id")?);
        let open: Vec<i64> = sqlx::query_scalar("SELECT id FROM administrations WHERE link_id = ? AND status = 'open'")
            .bind(link_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut administrations = Vec::with_capacity(responses.len());
        for response in &responses {
            let Some(admin) = response.administration.filter(|a| open.contains(&a.0)) else {
                tx.rollback().await?;
                return Err(StoreError::Conflict("response does not belong to this link"));
            };
            insert_response(&mut tx, admin.0, response, now).await?;
            administrations.push(admin);
        }
        insert_audit(&mut tx, &AuditEvent { object_id: Some(session.0), ..audit }).await?;
        tx.commit().await?;
        Ok(Ok(LinkSubmitted { session, administrations }))
    }

    async fn save_therapist_response(
        &self,
        session: SessionId,
        instrument: InstrumentRef,
        response: NewResponse,
        now: OffsetDateTime,
    ) -> StoreResult<AdministrationId> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM administrations WHERE session_id = ? AND instrument_id = ? AND rater = 'therapist'")
            .bind(session.0)
            .bind(&instrument.id)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO administrations
             (session_id, instrument_id, instrument_version, rater, position, status, created_at)
             VALUES (?, ?, ?, 'therapist', 0, 'open', ?) RETURNING id",
        )
        .bind(session.0)
        .bind(&instrument.id)
        .bind(instrument.version)
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
        insert_response(&mut tx, id, &response, now).await?;
        tx.commit().await?;
        Ok(AdministrationId(id))
    }

    async fn links_for_session(&self, session: SessionId) -> StoreResult<Vec<LinkSummary>> {
        let rows = sqlx::query(
            "SELECT l.id, l.created_at, l.expires_at, l.used_at,
                    (SELECT GROUP_CONCAT(instrument_id, ',') FROM
                        (SELECT instrument_id FROM administrations WHERE link_id = l.id ORDER BY position)) AS instruments
             FROM links l WHERE l.session_id = ? ORDER BY l.id",
        )
        .bind(session.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let used: Option<i64> = r.try_get("used_at")?;
                let instruments: Option<String> = r.try_get("instruments")?;
                Ok(LinkSummary {
                    id: LinkId(r.try_get("id")?),
                    created_at: from_ts(r.try_get("created_at")?)?,
                    expires_at: from_ts(r.try_get("expires_at")?)?,
                    used_at: used.map(from_ts).transpose()?,
                    instruments: instruments.map(|s| s.split(',').map(str::to_owned).collect()).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn responses_of(&self, client: ClientId) -> StoreResult<Vec<StoredResponse>> {
        // Both reads in one transaction: a reflection saved in between cannot leave a response without scores.
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT a.id, a.session_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.instrument_version,
                    a.rater, r.answers, r.flags, r.submitted_at
             FROM responses r
             JOIN administrations a ON a.id = r.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id = ?
             ORDER BY s.held_on, s.number, a.rater, a.position, a.id",
        )
        .bind(client.0)
        .fetch_all(&mut *tx)
        .await?;
        let score_rows = sqlx::query(
            "SELECT sc.* FROM scores sc
             JOIN administrations a ON a.id = sc.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id = ? ORDER BY sc.administration_id, sc.rowid",
        )
        .bind(client.0)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut scores: std::collections::HashMap<i64, Vec<ScaleScore>> = std::collections::HashMap::new();
        for r in &score_rows {
            scores.entry(r.try_get("administration_id")?).or_default().push(ScaleScore {
                scale: r.try_get("scale_id")?,
                value: r.try_get("value")?,
                answered: r.try_get::<i64, _>("answered")?.max(0) as usize,
                missing: r.try_get::<i64, _>("missing")?.max(0) as usize,
                prorated: r.try_get("prorated")?,
                band: r.try_get("band")?,
                concern: r.try_get("concern")?,
            });
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let held_on: String = r.try_get("held_on")?;
                let rater: String = r.try_get("rater")?;
                let flags: String = r.try_get("flags")?;
                Ok(StoredResponse {
                    administration: AdministrationId(id),
                    session: SessionId(r.try_get("session_id")?),
                    episode: EpisodeId(r.try_get("episode_id")?),
                    session_number: r.try_get("number")?,
                    held_on: parse_date(&held_on)?,
                    instrument: InstrumentRef {
                        id: r.try_get("instrument_id")?,
                        version: r.try_get("instrument_version")?,
                    },
                    rater: if rater == "therapist" { Rater::Therapist } else { Rater::Client },
                    answers_json: r.try_get("answers")?,
                    flags: parse_flags(&flags)?,
                    scores: scores.remove(&id).unwrap_or_default(),
                    submitted_at: from_ts(r.try_get("submitted_at")?)?,
                })
            })
            .collect()
    }

    async fn score_points(&self, clients: &[ClientId]) -> StoreResult<Vec<ScorePoint>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT e.client_id, s.episode_id, s.number, s.held_on, a.instrument_id, a.rater, sc.scale_id, sc.value,
                    sc.concern, r.flags
             FROM scores sc
             JOIN responses r ON r.administration_id = sc.administration_id
             JOIN administrations a ON a.id = sc.administration_id
             JOIN therapy_sessions s ON s.id = a.session_id
             JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id IN ({ids})
             ORDER BY e.client_id, s.held_on, s.number, a.rater, a.position, a.id, sc.rowid",
            &ids,
        )
        .await?
        .iter()
        .map(|r| {
            let held_on: String = r.try_get("held_on")?;
            let rater: String = r.try_get("rater")?;
            let flags: String = r.try_get("flags")?;
            Ok(ScorePoint {
                client: ClientId(r.try_get("client_id")?),
                episode: EpisodeId(r.try_get("episode_id")?),
                session_number: r.try_get("number")?,
                held_on: parse_date(&held_on)?,
                instrument: r.try_get("instrument_id")?,
                rater: if rater == "therapist" { Rater::Therapist } else { Rater::Client },
                scale: r.try_get("scale_id")?,
                value: r.try_get("value")?,
                concern: r.try_get("concern")?,
                flags: parse_flags(&flags)?,
            })
        })
        .collect()
    }

    async fn acknowledge(&self, client: ClientId, key: &str, user: UserId, at: OffsetDateTime) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO signal_acknowledgements (client_id, signal_key, user_id, at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(client.0)
        .bind(key)
        .bind(user.0)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn acknowledgements(&self, clients: &[ClientId]) -> StoreResult<Vec<Acknowledgement>> {
        let ids: Vec<i64> = clients.iter().map(|id| id.0).collect();
        self.fetch_in(
            "SELECT a.client_id, a.signal_key, a.user_id, u.display_name, a.at FROM signal_acknowledgements a
             JOIN users u ON u.id = a.user_id WHERE a.client_id IN ({ids}) ORDER BY a.at",
            &ids,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Acknowledgement {
                client: ClientId(r.try_get("client_id")?),
                key: r.try_get("signal_key")?,
                user: UserId(r.try_get("user_id")?),
                user_name: r.try_get("display_name")?,
                at: from_ts(r.try_get("at")?)?,
            })
        })
        .collect()
    }

    async fn audit(&self, event: AuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit(&mut conn, &event).await
    }

    async fn audit_events(&self, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_events ORDER BY id DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRecord {
                    id: r.try_get("id")?,
                    at: from_ts(r.try_get("at")?)?,
                    actor: r.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
                    actor_role: r.try_get("actor_role")?,
                    action: r.try_get("action")?,
                    object_kind: r.try_get("object_kind")?,
                    object_id: r.try_get("object_id")?,
                    purpose: r.try_get("purpose")?,
                    address: r.try_get("address")?,
                })
            })
            .collect()
    }
}

fn episode_row(row: &SqliteRow) -> StoreResult<Episode> {
    let started: String = row.try_get("started_on")?;
    let ended: Option<String> = row.try_get("ended_on")?;
    let measures: String = row.try_get("measures")?;
    Ok(Episode {
        id: EpisodeId(row.try_get("id")?),
        client: ClientId(row.try_get("client_id")?),
        therapist: UserId(row.try_get("therapist_id")?),
        started_on: parse_date(&started)?,
        ended_on: ended.as_deref().map(parse_date).transpose()?,
        measures: measures.split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect(),
    })
}
