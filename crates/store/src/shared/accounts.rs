//! Settings, staff accounts and their sign-ins: the same statements on both engines.

use alliance_core::domain::Role;
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::cipher::{self, Keyring};
use crate::db::{Db, HasDb, Lock, Row};
use crate::shared::append_audit;
use crate::*;

/// How stale a sign-in's recorded last use may get before a page view writes it again. A durable write on every
/// page view would cost more than the minute of idle time a sign-in may lose by it.
const LAST_SEEN_STEP_SECONDS: i64 = 60;

/// The practice's own settings (the server secret).
#[async_trait]
pub trait Settings: Send + Sync {
    /// Returns the stored value for `key`, or stores and returns `fresh` when there is none (race-free).
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>>;
}

/// Staff accounts.
#[async_trait]
pub trait Accounts: Send + Sync {
    async fn create_user(&self, user: NewUser, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<UserId>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<u64>;
    /// Whether the practice can be served: the database answers and the keys open what it holds (the newest
    /// account's sealed e-mail address is read and opened, so a key version added by a rotation is taken up).
    async fn readiness(&self) -> StoreResult<()>;
    /// Replaces the password hash only if it is still `expected` (a rehash never undoes a password change).
    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool>;
    /// Sets role and active flag and deletes the user's logins, in one transaction. Refused with a conflict when
    /// no active administrator would remain.
    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()>;
    /// Sets the user's own time zone (`None`: the practice's), with its audit entry, in one transaction.
    async fn set_time_zone(&self, user: UserId, zone: Option<&str>, audit: AuditEvent) -> StoreResult<()>;
    /// Sets the user's language (`None`: the browser's), with its audit entry, in one transaction.
    async fn set_user_language(&self, user: UserId, language: Option<&str>, audit: AuditEvent) -> StoreResult<()>;
}

/// Signed-in sessions, second factors and the sign-in throttle.
#[async_trait]
pub trait SignIns: Send + Sync {
    async fn create_login(&self, login: NewLogin) -> StoreResult<()>;
    /// The login and its user if the login exists, has not expired and the user is active; refreshes last use.
    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>>;
    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()>;
    /// Deletes every login of `user` except the one with hash `keep`; returns how many were deleted.
    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64>;
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
}

/// The one insert of a sign-in, with what the list of sign-ins shows about it when known.
pub(crate) fn insert_login<'q>(
    db: &Db,
    login: NewLogin,
    browser: Option<&'q str>,
    address: Option<&'q str>,
) -> crate::db::Query<'q> {
    db.query(
        "INSERT INTO logins (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, idle_seconds,
                             browser, address)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)",
    )
    .bind(login.token_hash)
    .bind(login.user.0)
    .bind(login.csrf_token)
    .bind_time(login.created_at)
    .bind_time(login.expires_at)
    .bind(login.idle_timeout.whole_seconds())
    .bind(browser)
    .bind(address)
}

pub(crate) fn user_row(keys: &Keyring, row: &Row) -> StoreResult<User> {
    let role: String = row.get("role")?;
    let id = row.get("id")?;
    Ok(User {
        id: UserId(id),
        email: keys.open(cipher::USER_EMAIL, id, row.get("email")?)?,
        display_name: keys.open(cipher::USER_DISPLAY_NAME, id, row.get("display_name")?)?,
        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        password_hash: row.get("password_hash")?,
        active: row.get("active")?,
        time_zone: row.get("time_zone")?,
        language: row.get_if_present("language")?,
        must_change_password: row.get("must_change_password")?,
        must_enrol_second_factor: row.get("must_enrol_second_factor")?,
    })
}

#[async_trait]
impl<S: HasDb> Settings for S {
    async fn setting_or_insert(&self, key: &str, fresh: &[u8]) -> StoreResult<Vec<u8>> {
        let db = self.db();
        // Two statements, not one: under PostgreSQL's READ COMMITTED the INSERT waits for a concurrent insert of
        // the same key to commit, and only a later statement's snapshot sees that row.
        db.query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(fresh)
            .execute(&db.write)
            .await?;
        db.query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&db.write).await?.first()
    }
}

#[async_trait]
impl<S: HasDb> Accounts for S {
    async fn create_user(&self, user: NewUser, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<UserId> {
        let db = self.db();
        // The row id is part of what the sealed fields are bound to: insert, then seal, in one transaction. The
        // blind index keeps e-mail addresses unique.
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO users (email, email_index, display_name, role, password_hash, created_at)
                 VALUES ('', $1, '', $2, $3, $4) RETURNING id",
            )
            .bind(db.keys.email_index(&user.email))
            .bind(user.role.as_str())
            .bind(user.password_hash)
            .bind_time(now)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.query("UPDATE users SET email = $1, display_name = $2 WHERE id = $3")
            .bind(db.keys.seal(cipher::USER_EMAIL, id, &user.email))
            .bind(db.keys.seal(cipher::USER_DISPLAY_NAME, id, &user.display_name))
            .bind(id)
            .execute(&mut tx)
            .await?;
        // Set apart from the insert: the column is newer than the insert, and most accounts do not need it.
        if user.must_change_password {
            db.query("UPDATE users SET must_change_password = TRUE WHERE id = $1").bind(id).execute(&mut tx).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(UserId(id))
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let db = self.db();
        let row = db.query("SELECT * FROM users WHERE id = $1").bind(id.0).fetch_optional(&db.read).await?;
        row.as_ref().map(|r| user_row(&db.keys, r)).transpose()
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let db = self.db();
        let row = db
            .query("SELECT * FROM users WHERE email_index = $1")
            .bind(db.keys.email_index(email))
            .fetch_optional(&db.read)
            .await?;
        row.as_ref().map(|r| user_row(&db.keys, r)).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let db = self.db();
        let rows = db.query("SELECT * FROM users").fetch_all(&db.read).await?;
        let mut users = rows.iter().map(|r| user_row(&db.keys, r)).collect::<StoreResult<Vec<_>>>()?;
        // Sealed names cannot be sorted by the database; Rust's string order is the "C" collation's byte order.
        users.sort_by(|a, b| (a.role.as_str(), &a.display_name, a.id).cmp(&(b.role.as_str(), &b.display_name, b.id)));
        Ok(users)
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let db = self.db();
        let n: i64 = db.query("SELECT COUNT(*) FROM users").fetch_one(&db.read).await?.first()?;
        Ok(n.max(0) as u64)
    }

    async fn readiness(&self) -> StoreResult<()> {
        let db = self.db();
        let newest = db.query("SELECT id, email FROM users ORDER BY id DESC LIMIT 1").fetch_optional(&db.read).await?;
        if let Some(row) = newest {
            db.keys.open(cipher::USER_EMAIL, row.get("id")?, row.get("email")?)?;
        }
        Ok(())
    }

    async fn replace_password_hash(&self, user: UserId, expected: &str, new: &str) -> StoreResult<bool> {
        let db = self.db();
        let done = db
            .query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(new)
            .bind(user.0)
            .bind(expected)
            .execute(&db.write)
            .await?;
        Ok(done == 1)
    }

    async fn update_account(&self, user: UserId, role: Role, active: bool) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // Race-free: the active administrators' rows are locked first, so two administrators demoting each other
        // at once cannot both see the other one remain.
        db.lock_all(&mut tx, "SELECT id FROM users WHERE role = 'administrator' AND active ORDER BY id", Lock::Rows)
            .await?;
        let done = db
            .query(
                "UPDATE users SET role = $1, active = $2 WHERE id = $3 AND (
                     ($1 = 'administrator' AND $2)
                     OR EXISTS (SELECT 1 FROM users o WHERE o.id <> $3 AND o.role = 'administrator' AND o.active))",
            )
            .bind(role.as_str())
            .bind(active)
            .bind(user.0)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            let exists = db.query("SELECT id FROM users WHERE id = $1").bind(user.0).fetch_optional(&mut tx).await?;
            tx.rollback().await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict("an active administrator must remain"),
                None => StoreError::NotFound,
            });
        }
        db.query("DELETE FROM logins WHERE user_id = $1").bind(user.0).execute(&mut tx).await?;
        db.query("DELETE FROM pending_logins WHERE user_id = $1").bind(user.0).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_time_zone(&self, user: UserId, zone: Option<&str>, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done =
            db.query("UPDATE users SET time_zone = $1 WHERE id = $2").bind(zone).bind(user.0).execute(&mut tx).await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn set_user_language(&self, user: UserId, language: Option<&str>, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = db
            .query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(user.0)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }
}

#[async_trait]
impl<S: HasDb> SignIns for S {
    async fn create_login(&self, login: NewLogin) -> StoreResult<()> {
        let db = self.db();
        insert_login(db, login, None, None).execute(&db.write).await?;
        Ok(())
    }

    async fn login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(Login, User)>> {
        let db = self.db();
        let row = db
            .query(
                "SELECT l.user_id, l.csrf_token, l.created_at AS login_created, l.expires_at, l.last_seen_at, u.*
                 FROM logins l JOIN users u ON u.id = l.user_id
                 WHERE l.token_hash = $1 AND l.expires_at > $2 AND l.last_seen_at + l.idle_seconds > $2 AND u.active",
            )
            .bind(token_hash)
            .bind_time(now)
            .fetch_optional(&db.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let login = Login {
            user: UserId(row.get("user_id")?),
            csrf_token: row.get("csrf_token")?,
            created_at: row.time("login_created")?,
            expires_at: row.time("expires_at")?,
        };
        // The last use is written at most once a minute (`LAST_SEEN_STEP_SECONDS`): page views then only read.
        let last_seen: i64 = row.get("last_seen_at")?;
        if now.unix_timestamp() - last_seen >= LAST_SEEN_STEP_SECONDS {
            db.query("UPDATE logins SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2")
                .bind(token_hash)
                .bind_time(now)
                .execute(&db.write)
                .await?;
        }
        Ok(Some((login, user_row(&db.keys, &row)?)))
    }

    async fn delete_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        let db = self.db();
        db.query("DELETE FROM logins WHERE token_hash = $1").bind(token_hash).execute(&db.write).await?;
        Ok(())
    }

    async fn delete_logins_of(&self, user: UserId, keep: Option<&[u8]>) -> StoreResult<u64> {
        let db = self.db();
        let done = match keep {
            Some(keep) => {
                db.query("DELETE FROM logins WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user.0)
                    .bind(keep)
                    .execute(&db.write)
                    .await?
            }
            None => db.query("DELETE FROM logins WHERE user_id = $1").bind(user.0).execute(&db.write).await?,
        };
        // A sign-in waiting for its second factor goes too.
        db.query("DELETE FROM pending_logins WHERE user_id = $1").bind(user.0).execute(&db.write).await?;
        Ok(done)
    }

    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>> {
        let db = self.db();
        let row = db
            .query("SELECT secret, enabled, last_step FROM totp_factors WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&db.read)
            .await?;
        row.map(|r| {
            // Sealed under the account's id (see `cipher`), as base64 of the raw secret.
            let sealed: String = r.get("secret")?;
            let encoded = zeroize::Zeroizing::new(db.keys.open(cipher::TOTP_SECRET, user.0, &sealed)?);
            Ok(TotpFactor {
                secret: cipher::decode_secret(&encoded)?,
                enabled: r.get("enabled")?,
                last_step: r.get("last_step")?,
            })
        })
        .transpose()
    }

    async fn begin_totp(&self, user: UserId, secret: &[u8], now: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        let done = db
            .query(
                "INSERT INTO totp_factors (user_id, secret, enabled, last_step, created_at)
                 VALUES ($1, $2, FALSE, 0, $3)
                 ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0,
                     created_at = excluded.created_at WHERE NOT totp_factors.enabled",
            )
            .bind(user.0)
            .bind(db.keys.seal(cipher::TOTP_SECRET, user.0, &cipher::encode_secret(secret)))
            .bind_time(now)
            .execute(&db.write)
            .await?;
        if done == 0 {
            return Err(StoreError::Conflict("a second factor is already set up"));
        }
        Ok(())
    }

    async fn accept_totp_step(&self, user: UserId, step: i64, enable: bool) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // On PostgreSQL a concurrent update of the same row waits and then re-checks `last_step < $1` on the new
        // row version: only one of two racing requests with the same code succeeds.
        let done = db
            .query(
                "UPDATE totp_factors SET last_step = $1, enabled = TRUE
                 WHERE user_id = $2 AND last_step < $1 AND enabled = $3",
            )
            .bind(step)
            .bind(user.0)
            .bind(!enable)
            .execute(&mut tx)
            .await?;
        // A confirmed factor is the step an administrator's reset asked for.
        if done == 1 && enable {
            db.query("UPDATE users SET must_enrol_second_factor = FALSE WHERE id = $1")
                .bind(user.0)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    async fn remove_totp(&self, user: UserId) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // Recovery codes stand in for this factor only: they go with it.
        db.query("DELETE FROM totp_factors WHERE user_id = $1").bind(user.0).execute(&mut tx).await?;
        db.query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_pending_login(&self, pending: NewPendingLogin) -> StoreResult<()> {
        let db = self.db();
        db.query("DELETE FROM pending_logins WHERE expires_at <= $1")
            .bind_time(pending.created_at)
            .execute(&db.write)
            .await?;
        db.query("INSERT INTO pending_logins (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(pending.token_hash)
            .bind(pending.user.0)
            .bind_time(pending.created_at)
            .bind_time(pending.expires_at)
            .execute(&db.write)
            .await?;
        Ok(())
    }

    async fn pending_login(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<UserId>> {
        let db = self.db();
        let row = db
            .query(
                "SELECT p.user_id FROM pending_logins p JOIN users u ON u.id = p.user_id
                 WHERE p.token_hash = $1 AND p.expires_at > $2 AND u.active",
            )
            .bind(token_hash)
            .bind_time(now)
            .fetch_optional(&db.read)
            .await?;
        row.map(|r| Ok(UserId(r.first()?))).transpose()
    }

    async fn delete_pending_login(&self, token_hash: &[u8]) -> StoreResult<()> {
        let db = self.db();
        db.query("DELETE FROM pending_logins WHERE token_hash = $1").bind(token_hash).execute(&db.write).await?;
        Ok(())
    }

    async fn throttle(&self, key: &[u8]) -> StoreResult<Option<ThrottleState>> {
        let db = self.db();
        let row = db
            .query("SELECT failures, window_start, blocked_until FROM sign_in_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&db.read)
            .await?;
        row.map(|r| {
            Ok(ThrottleState {
                failures: r.get("failures")?,
                window_start: r.time("window_start")?,
                blocked_until: r.time("blocked_until")?,
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
        let db = self.db();
        // Compare-and-swap: of two racing updates from the same old state, the second re-checks the WHERE clause
        // against the first one's row and matches nothing.
        let done = match expected {
            None => {
                db.query(
                    "INSERT INTO sign_in_throttle (key, failures, window_start, blocked_until) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(new.failures)
                .bind_time(new.window_start)
                .bind_time(new.blocked_until)
                .execute(&db.write)
                .await?
            }
            Some(old) => {
                db.query(
                    "UPDATE sign_in_throttle SET failures = $1, window_start = $2, blocked_until = $3
                     WHERE key = $4 AND failures = $5 AND window_start = $6 AND blocked_until = $7",
                )
                .bind(new.failures)
                .bind_time(new.window_start)
                .bind_time(new.blocked_until)
                .bind(key)
                .bind(old.failures)
                .bind_time(old.window_start)
                .bind_time(old.blocked_until)
                .execute(&db.write)
                .await?
            }
        };
        Ok(done == 1)
    }

    async fn clear_throttle(&self, key: &[u8]) -> StoreResult<()> {
        let db = self.db();
        db.query("DELETE FROM sign_in_throttle WHERE key = $1").bind(key).execute(&db.write).await?;
        Ok(())
    }

    async fn forget_throttles(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let db = self.db();
        db.query("DELETE FROM sign_in_throttle WHERE window_start < $1 AND blocked_until < $1")
            .bind_time(before)
            .execute(&db.write)
            .await
    }
}
