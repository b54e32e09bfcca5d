//! Personal access tokens for the JSON API (issue 19, part 4): made by a staff user for themselves, kept as a
//! SHA-256 hash only, read only or read-write, ending at their expiry, on revocation, or when their user is
//! deactivated.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::db::HasDb;
use crate::shared::accounts::user_row;
use crate::shared::append_audit;
use crate::*;

/// What a token may do: read only, or read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    Read,
    ReadWrite,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::ReadWrite => "read-write",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "read" => Some(TokenScope::Read),
            "read-write" => Some(TokenScope::ReadWrite),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user: UserId,
    /// What the user called it ("ci", "reporting"): for their list, never a secret.
    pub name: String,
    pub scope: TokenScope,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    /// When it was last accepted (to the minute: a use within a minute of the last one is not written again).
    pub last_used_at: Option<OffsetDateTime>,
}

impl ApiToken {
    /// Whether the token is accepted at `now`.
    pub fn works_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub user: UserId,
    pub name: &'a str,
    pub scope: TokenScope,
    /// SHA-256 of the secret; the secret itself is never stored.
    pub token_hash: &'a [u8],
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait ApiTokens: Send + Sync {
    /// Stores a new token with the audit entry of its creation; returns its id.
    async fn create_api_token(
        &self,
        token: NewApiToken<'_>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64>;
    /// A user's tokens, newest first, revoked and expired ones included.
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    /// The token with this hash and its user, when the token is unrevoked and unexpired and the user active;
    /// records the use.
    async fn use_api_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(ApiToken, User)>>;
    /// Revokes one of `user`'s working tokens, with the audit entry; `NotFound` for another user's, an unknown or
    /// an already revoked token.
    async fn revoke_api_token(&self, user: UserId, id: i64, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<()>;
}

fn token_row(row: &crate::db::Row) -> StoreResult<ApiToken> {
    let scope: String = row.get("scope")?;
    Ok(ApiToken {
        id: row.get("token_id")?,
        user: UserId(row.get("user_id")?),
        name: row.get("name")?,
        scope: TokenScope::parse(&scope).ok_or_else(|| StoreError::Corrupt(format!("unknown token scope {scope}")))?,
        created_at: row.time("token_created_at")?,
        expires_at: row.time("expires_at")?,
        revoked_at: row.time_opt("revoked_at")?,
        last_used_at: row.time_opt("last_used_at")?,
    })
}

const TOKEN_COLUMNS: &str = "t.id AS token_id, t.user_id, t.name, t.scope, t.created_at AS token_created_at, \
                             t.expires_at, t.revoked_at, t.last_used_at";

#[async_trait]
impl<S: HasDb> ApiTokens for S {
    async fn create_api_token(
        &self,
        token: NewApiToken<'_>,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> StoreResult<i64> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let id: i64 = db
            .query(
                "INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(token.user.0)
            .bind(token.name)
            .bind(token.token_hash)
            .bind(token.scope.as_str())
            .bind_time(now)
            .bind_time(token.expires_at)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        let db = self.db();
        db.query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"))
            .bind(user.0)
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(token_row)
            .collect()
    }

    async fn use_api_token(&self, token_hash: &[u8], now: OffsetDateTime) -> StoreResult<Option<(ApiToken, User)>> {
        let db = self.db();
        let row = db
            .query(&format!(
                "SELECT {TOKEN_COLUMNS}, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.active"
            ))
            .bind(token_hash)
            .bind_time(now)
            .fetch_optional(&db.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut token = token_row(&row)?;
        let user = user_row(&db.keys, &row)?;
        // One write a minute at most per token, however busy the integration.
        if token.last_used_at.is_none_or(|last| now - last >= time::Duration::MINUTE) {
            db.query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind_time(now)
                .bind(token.id)
                .execute(&db.write)
                .await?;
            token.last_used_at = Some(now);
        }
        Ok(Some((token, user)))
    }

    async fn revoke_api_token(&self, user: UserId, id: i64, audit: AuditEvent, now: OffsetDateTime) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let done = db
            .query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind_time(now)
            .bind(id)
            .bind(user.0)
            .execute(&mut tx)
            .await?;
        if done != 1 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(id), ..audit }).await?;
        tx.commit().await?;
        Ok(())
    }
}
