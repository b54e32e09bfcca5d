//! Administrators' tasks on accounts (a therapist's supervisor, one-time password-reset links, moving clients to
//! another therapist) and the list of one's own sign-ins: the same statements on both engines.

use alliance_core::domain::Role;
use async_trait::async_trait;
use time::OffsetDateTime;

use crate::db::{HasDb, Lock, Row};
use crate::shared::append_audit;
use crate::*;

/// One active sign-in, as its owner's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginSummary {
    /// The stored hash of the sign-in's token (never the token). Pages name a sign-in by a hash of this.
    pub token_hash: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// A short summary of the browser, when it was recorded.
    pub browser: Option<String>,
    pub address: Option<String>,
}

/// A one-time password-reset link as stored: only the hash of its token.
#[derive(Debug, Clone)]
pub struct NewPasswordReset {
    pub user: UserId,
    pub token_hash: Vec<u8>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub clears_second_factor: bool,
}

/// An unused, unexpired reset link of an active account.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordReset {
    pub user: UserId,
    pub expires_at: OffsetDateTime,
    pub clears_second_factor: bool,
}

#[async_trait]
pub trait AdminTasks: Send + Sync {
    /// Makes `supervisor` (or, with `None`, nobody) the only supervisor of `therapist`, with `audit`, in one
    /// transaction. `NotFound` when either account does not exist; a conflict when `therapist` is not a therapist
    /// or `supervisor` not an active supervisor.
    async fn set_supervisor(&self, therapist: UserId, supervisor: Option<UserId>, audit: AuditEvent)
    -> StoreResult<()>;
    /// The supervisors of `therapist`.
    async fn supervisors_of(&self, therapist: UserId) -> StoreResult<Vec<UserId>>;

    /// Makes a sign-in with what the list of sign-ins shows about it (the browser in a few words, the address) and
    /// its audit entry, in one transaction.
    async fn sign_in(
        &self,
        login: NewLogin,
        browser: &str,
        address: Option<&str>,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// The user's sign-ins that are still valid at `now`, newest first.
    async fn logins_of(&self, user: UserId, now: OffsetDateTime) -> StoreResult<Vec<LoginSummary>>;
    /// Ends one sign-in, only if it is `user`'s; returns whether it did.
    async fn end_login_of(&self, user: UserId, token_hash: &[u8]) -> StoreResult<bool>;

    /// Stores a reset link for `reset.user`, replacing (so revoking) any earlier one, with `audit`.
    async fn create_password_reset(&self, reset: NewPasswordReset, audit: AuditEvent) -> StoreResult<()>;
    /// The reset link with this token hash, if unused, unexpired at `now` and its account active.
    async fn password_reset(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<PasswordReset>>;
    /// Uses the link once: in one transaction, deletes it (only one of two racing uses gets it), sets the
    /// password hash, ends every sign-in of the account, removes its second factor when the link says so, and
    /// writes `audit`. `false` (nothing changed) when the link is gone, expired or its account deactivated.
    async fn use_password_reset(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        now: OffsetDateTime,
        audit: AuditEvent,
    ) -> StoreResult<bool>;

    /// Moves `from`'s clients (all of them, or only `only`) to `to`, in one transaction, with one audit entry per
    /// client (`audit` with the client as object) and a row naming both therapists. A conflict when `to` is not
    /// an active therapist or is `from`. Returns the clients moved.
    async fn move_clients(
        &self,
        from: UserId,
        to: UserId,
        only: Option<ClientId>,
        audit: AuditEvent,
    ) -> StoreResult<Vec<ClientId>>;
    /// The client's sessions recorded before the client's latest move: their reflections, supervision threads
    /// and supervision questions belong to a previous therapist.
    async fn sessions_before_move(&self, client: ClientId) -> StoreResult<Vec<SessionId>>;
    /// Who held each session of these clients: the therapist the client had when it was recorded (the previous
    /// one for a session before a move), for attributing sessions after clients moved.
    async fn session_therapists(&self, clients: &[ClientId]) -> StoreResult<Vec<(SessionId, UserId)>>;
}

fn role_of(row: &Row) -> StoreResult<(Role, bool)> {
    let role: String = row.get("role")?;
    Ok((Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?, row.get("active")?))
}

#[async_trait]
impl<S: HasDb> AdminTasks for S {
    async fn set_supervisor(
        &self,
        therapist: UserId,
        supervisor: Option<UserId>,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let select = "SELECT role, active FROM users WHERE id = $1";
        let (role, _) = role_of(&db.lock(&mut tx, select, Lock::Parent, therapist.0).await?)?;
        if role != Role::Therapist {
            tx.rollback().await?;
            return Err(StoreError::Conflict("only therapists are supervised"));
        }
        if let Some(s) = supervisor {
            let (role, active) = role_of(&db.lock(&mut tx, select, Lock::Parent, s.0).await?)?;
            if role != Role::Supervisor || !active {
                tx.rollback().await?;
                return Err(StoreError::Conflict("a supervisor must be an active supervisor's account"));
            }
        }
        db.query("DELETE FROM supervision WHERE therapist_id = $1").bind(therapist.0).execute(&mut tx).await?;
        if let Some(s) = supervisor {
            db.query("INSERT INTO supervision (supervisor_id, therapist_id) VALUES ($1, $2)")
                .bind(s.0)
                .bind(therapist.0)
                .execute(&mut tx)
                .await?;
        }
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn supervisors_of(&self, therapist: UserId) -> StoreResult<Vec<UserId>> {
        let db = self.db();
        db.query("SELECT supervisor_id FROM supervision WHERE therapist_id = $1 ORDER BY 1")
            .bind(therapist.0)
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| Ok(UserId(r.first()?)))
            .collect()
    }

    async fn sign_in(
        &self,
        login: NewLogin,
        browser: &str,
        address: Option<&str>,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        crate::shared::accounts::insert_login(db, login, Some(browser), address).execute(&mut tx).await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn logins_of(&self, user: UserId, now: OffsetDateTime) -> StoreResult<Vec<LoginSummary>> {
        let db = self.db();
        let rows = db
            .query(
                "SELECT token_hash, created_at, last_seen_at, browser, address FROM logins
                 WHERE user_id = $1 AND expires_at > $2 AND last_seen_at + idle_seconds > $2
                 ORDER BY created_at DESC, token_hash",
            )
            .bind(user.0)
            .bind_time(now)
            .fetch_all(&db.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LoginSummary {
                    token_hash: r.get("token_hash")?,
                    created_at: r.time("created_at")?,
                    last_seen_at: r.time("last_seen_at")?,
                    browser: r.get("browser")?,
                    address: r.get("address")?,
                })
            })
            .collect()
    }

    async fn end_login_of(&self, user: UserId, token_hash: &[u8]) -> StoreResult<bool> {
        let db = self.db();
        let done = db
            .query("DELETE FROM logins WHERE user_id = $1 AND token_hash = $2")
            .bind(user.0)
            .bind(token_hash)
            .execute(&db.write)
            .await?;
        Ok(done == 1)
    }

    async fn create_password_reset(&self, reset: NewPasswordReset, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query(
            "INSERT INTO password_resets (user_id, token_hash, created_by, created_at, expires_at, clears_second_factor)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_by = excluded.created_by,
                 created_at = excluded.created_at, expires_at = excluded.expires_at,
                 clears_second_factor = excluded.clears_second_factor",
        )
        .bind(reset.user.0)
        .bind(reset.token_hash)
        .bind(reset.created_by.0)
        .bind_time(reset.created_at)
        .bind_time(reset.expires_at)
        .bind(reset.clears_second_factor)
        .execute(&mut tx)
        .await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn password_reset(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<PasswordReset>> {
        let db = self.db();
        let row = db
            .query(
                "SELECT r.user_id, r.expires_at, r.clears_second_factor FROM password_resets r
                 JOIN users u ON u.id = r.user_id
                 WHERE r.token_hash = $1 AND r.expires_at > $2 AND u.active",
            )
            .bind(token_hash)
            .bind_time(now)
            .fetch_optional(&db.read)
            .await?;
        row.map(|r| {
            Ok(PasswordReset {
                user: UserId(r.get("user_id")?),
                expires_at: r.time("expires_at")?,
                clears_second_factor: r.get("clears_second_factor")?,
            })
        })
        .transpose()
    }

    async fn use_password_reset(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        now: OffsetDateTime,
        audit: AuditEvent,
    ) -> StoreResult<bool> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The delete is the use: of two racing uses, the second finds no row (PostgreSQL re-checks the WHERE
        // clause after the first commits; SQLite's writers queue).
        let row = db
            .query(
                "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2
                     AND user_id IN (SELECT id FROM users WHERE active)
                 RETURNING user_id, clears_second_factor",
            )
            .bind(token_hash)
            .bind_time(now)
            .fetch_optional(&mut tx)
            .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        let user: i64 = row.get("user_id")?;
        let clears: bool = row.get("clears_second_factor")?;
        // The user chose this password; a second factor the administrator removed must be set up again at the
        // next sign-in (if there was one), and its recovery codes go with it.
        let had_factor = clears
            && db
                .query("SELECT enabled FROM totp_factors WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&mut tx)
                .await?
                .map(|row| row.get::<bool>("enabled"))
                .transpose()?
                .unwrap_or(false);
        db.query(
            "UPDATE users SET password_hash = $1, must_change_password = FALSE,
                 must_enrol_second_factor = (must_enrol_second_factor OR $2)
             WHERE id = $3",
        )
        .bind(password_hash)
        .bind(had_factor)
        .bind(user)
        .execute(&mut tx)
        .await?;
        db.query("DELETE FROM logins WHERE user_id = $1").bind(user).execute(&mut tx).await?;
        db.query("DELETE FROM pending_logins WHERE user_id = $1").bind(user).execute(&mut tx).await?;
        if clears {
            db.query("DELETE FROM totp_factors WHERE user_id = $1").bind(user).execute(&mut tx).await?;
            db.query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user).execute(&mut tx).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(user), ..audit }).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn move_clients(
        &self,
        from: UserId,
        to: UserId,
        only: Option<ClientId>,
        audit: AuditEvent,
    ) -> StoreResult<Vec<ClientId>> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let select = "SELECT role, active FROM users WHERE id = $1";
        let (role, active) = role_of(&db.lock(&mut tx, select, Lock::Parent, to.0).await?)?;
        if role != Role::Therapist || !active || from == to {
            tx.rollback().await?;
            return Err(StoreError::Conflict("clients move to another active therapist"));
        }
        let sql = match only {
            Some(_) => "SELECT id FROM clients WHERE therapist_id = $1 AND id = $2 ORDER BY id",
            None => "SELECT id FROM clients WHERE therapist_id = $1 AND $2 = 0 ORDER BY id",
        };
        let sql = db.locking(sql, Lock::Rows);
        let rows = db.query(&sql).bind(from.0).bind(only.map_or(0, |c| c.0)).fetch_all(&mut tx).await?;
        let mut moved = Vec::with_capacity(rows.len());
        for row in &rows {
            let client: i64 = row.first()?;
            db.query("UPDATE clients SET therapist_id = $1 WHERE id = $2")
                .bind(to.0)
                .bind(client)
                .execute(&mut tx)
                .await?;
            db.query(
                "INSERT INTO client_moves (client_id, from_therapist, to_therapist, moved_by, moved_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(client)
            .bind(from.0)
            .bind(to.0)
            .bind(audit.actor.map(|a| a.0))
            .bind_time(audit.at)
            .execute(&mut tx)
            .await?;
            // What the client's overview is computed from changed (the previous therapist's reflections leave
            // it): kept overviews are out of date.
            db.query(
                "INSERT INTO client_revisions (client_id, revision) VALUES ($1, 1)
                 ON CONFLICT (client_id) DO UPDATE SET revision = client_revisions.revision + 1",
            )
            .bind(client)
            .execute(&mut tx)
            .await?;
            append_audit(&mut tx, &AuditEvent { object_id: Some(client), ..audit.clone() }).await?;
            moved.push(ClientId(client));
        }
        // Both therapists' accounts name the move too, so the log filtered by either account shows it (the entry
        // per client names only the client).
        if !moved.is_empty() {
            for (action, therapist) in [("clients-moved-from", from), ("clients-moved-to", to)] {
                let entry =
                    AuditEvent { action, object_kind: "account", object_id: Some(therapist.0), ..audit.clone() };
                append_audit(&mut tx, &entry).await?;
            }
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn session_therapists(&self, clients: &[ClientId]) -> StoreResult<Vec<(SessionId, UserId)>> {
        let db = self.db();
        // The earliest move at or after the session's recording names who had the client then; with none, the
        // client's therapist now. (`>=`, as everywhere a move divides a client's sessions.)
        let sql = db.with_ids(
            "SELECT s.id, COALESCE(
                 (SELECT m.from_therapist FROM client_moves m WHERE m.client_id = e.client_id
                    AND m.moved_at >= s.created_at ORDER BY m.moved_at, m.id LIMIT 1),
                 c.therapist_id) AS therapist
             FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id JOIN clients c ON c.id = e.client_id
             WHERE e.client_id IN {ids} ORDER BY s.id",
        );
        db.query(&sql)
            .bind_ids(crate::shared::care::ids(clients, |c| c.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| Ok((SessionId(r.get("id")?), UserId(r.get("therapist")?))))
            .collect()
    }

    async fn sessions_before_move(&self, client: ClientId) -> StoreResult<Vec<SessionId>> {
        let db = self.db();
        db.query(
            "SELECT s.id FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id
             WHERE e.client_id = $1
               AND s.created_at <= (SELECT MAX(m.moved_at) FROM client_moves m WHERE m.client_id = $1)
             ORDER BY s.id",
        )
        .bind(client.0)
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|r| Ok(SessionId(r.first()?)))
        .collect()
    }
}
