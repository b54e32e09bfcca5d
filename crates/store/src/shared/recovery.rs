//! Getting back into an account: one-time recovery codes for a lost authenticator, a user replacing a password
//! someone else chose, and an administrator's reset of another account's access (issue 15). Each change is one
//! transaction with its audit entry, so a reset is never half done.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::db::HasDb;
use crate::shared::append_audit;
use crate::*;

#[async_trait]
pub trait Recovery: Send + Sync {
    /// Replaces every recovery code of `user` with these (keyed hashes of the codes, never the codes).
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        code_hashes: &[Vec<u8>],
        now: OffsetDateTime,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Uses one recovery code: true once per code, in one conditional update (two racing uses: one wins).
    async fn use_recovery_code(&self, user: UserId, code_hash: &[u8], now: OffsetDateTime) -> StoreResult<bool>;
    /// How many of the user's recovery codes are still unused.
    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u64>;
    /// The user's own new password, if the stored hash is still `expected`: clears "must change password" and
    /// ends every other sign-in (all but `keep`), with `audit`, in one transaction. `None` when the password
    /// changed elsewhere first; otherwise how many sign-ins were ended.
    async fn change_own_password(
        &self,
        user: UserId,
        expected: &str,
        new: &str,
        keep: Option<&[u8]>,
        audit: AuditEvent,
    ) -> StoreResult<Option<u64>>;
    /// An administrator's reset of another account's access (the last administrator's, from the command line):
    /// the password becomes `new_hash` and must be changed at the next sign-in; the second factor and recovery
    /// codes are removed and, if there was a second factor, a new one must be set up before anything else; every
    /// sign-in and reset link of the account ends. A conflict for an unknown or deactivated account.
    async fn reset_access(&self, user: UserId, new_hash: &str, audit: AuditEvent) -> StoreResult<()>;
}

#[async_trait]
impl<S: HasDb> Recovery for S {
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        code_hashes: &[Vec<u8>],
        now: OffsetDateTime,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user.0).execute(&mut tx).await?;
        for hash in code_hashes {
            db.query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(user.0)
                .bind(hash.as_slice())
                .bind_time(now)
                .execute(&mut tx)
                .await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(user.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_recovery_code(&self, user: UserId, code_hash: &[u8], now: OffsetDateTime) -> StoreResult<bool> {
        let db = self.db();
        let done = db
            .query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind_time(now)
            .bind(user.0)
            .bind(code_hash)
            .execute(&db.write)
            .await?;
        Ok(done == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u64> {
        let db = self.db();
        let n: i64 = db
            .query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user.0)
            .fetch_one(&db.read)
            .await?
            .first()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn change_own_password(
        &self,
        user: UserId,
        expected: &str,
        new: &str,
        keep: Option<&[u8]>,
        audit: AuditEvent,
    ) -> StoreResult<Option<u64>> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let changed = db
            .query(
                "UPDATE users SET password_hash = $1, must_change_password = FALSE
                 WHERE id = $2 AND password_hash = $3",
            )
            .bind(new)
            .bind(user.0)
            .bind(expected)
            .execute(&mut tx)
            .await?;
        if changed != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        let ended = match keep {
            Some(keep) => {
                db.query("DELETE FROM logins WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user.0)
                    .bind(keep)
                    .execute(&mut tx)
                    .await?
            }
            None => db.query("DELETE FROM logins WHERE user_id = $1").bind(user.0).execute(&mut tx).await?,
        };
        append_audit(&mut tx, &AuditEvent { object_id: Some(user.0), ..audit }).await?;
        tx.commit().await?;
        Ok(Some(ended))
    }

    async fn reset_access(&self, user: UserId, new_hash: &str, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let had_factor = db
            .query("SELECT enabled FROM totp_factors WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&mut tx)
            .await?
            .map(|row| row.get::<bool>("enabled"))
            .transpose()?
            .unwrap_or(false);
        let updated = db
            .query(
                "UPDATE users SET password_hash = $1, must_change_password = TRUE,
                     must_enrol_second_factor = (must_enrol_second_factor OR $2)
                 WHERE id = $3 AND active",
            )
            .bind(new_hash)
            .bind(had_factor)
            .bind(user.0)
            .execute(&mut tx)
            .await?;
        if updated != 1 {
            tx.rollback().await?;
            return Err(StoreError::Conflict("no active account to reset"));
        }
        for table in ["totp_factors", "recovery_codes", "logins", "pending_logins", "password_resets"] {
            db.query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user.0).execute(&mut tx).await?;
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(user.0), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }
}
