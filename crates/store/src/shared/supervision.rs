//! Supervision: who supervises whom, the comment threads on therapists' reflections, and what a therapist wants
//! to bring to supervision about a session.

use alliance_core::domain::Role;
use async_trait::async_trait;

use crate::cipher;
use crate::db::HasDb;
use crate::shared::append_audit;
use crate::shared::care::ids;
use crate::*;

#[async_trait]
pub trait Supervision: Send + Sync {
    async fn add_supervision(&self, supervisor: UserId, therapist: UserId, audit: AuditEvent) -> StoreResult<()>;
    async fn supervisees(&self, supervisor: UserId) -> StoreResult<Vec<UserId>>;
    /// Adds a comment to the supervision thread of a session's reflection; the session must exist.
    async fn add_reflection_comment(&self, comment: NewReflectionComment) -> StoreResult<i64>;
    /// The comments on these sessions' reflections, by session, oldest first.
    async fn reflection_comments(&self, sessions: &[SessionId]) -> StoreResult<Vec<ReflectionComment>>;
    /// How many comments each of these sessions' threads has (sessions without any are left out).
    async fn comment_counts(&self, sessions: &[SessionId]) -> StoreResult<Vec<(SessionId, usize)>>;
    /// Sets (or with `None` clears) what the therapist wants to bring to supervision about a session, writing
    /// `audit` (object: the session) in the same transaction. `NotFound` if the session does not exist.
    async fn set_supervision_focus(
        &self,
        session: SessionId,
        focus: Option<&str>,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// What the therapist wants to bring to supervision about a session, if they wrote anything.
    async fn supervision_focus(&self, session: SessionId) -> StoreResult<Option<String>>;
}

#[async_trait]
impl<S: HasDb> Supervision for S {
    async fn add_supervision(&self, supervisor: UserId, therapist: UserId, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        db.query("INSERT INTO supervision (supervisor_id, therapist_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(supervisor.0)
            .bind(therapist.0)
            .execute(&mut tx)
            .await?;
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn supervisees(&self, supervisor: UserId) -> StoreResult<Vec<UserId>> {
        let db = self.db();
        db.query("SELECT therapist_id FROM supervision WHERE supervisor_id = $1 ORDER BY 1")
            .bind(supervisor.0)
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| Ok(UserId(r.first()?)))
            .collect()
    }

    async fn add_reflection_comment(&self, comment: NewReflectionComment) -> StoreResult<i64> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // A missing session is "not found", not a foreign-key failure, on both engines.
        let exists = db
            .query("SELECT id FROM therapy_sessions WHERE id = $1")
            .bind(comment.session.0)
            .fetch_optional(&mut tx)
            .await?;
        if exists.is_none() {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        // Free text: sealed under the new row's id, inserted and sealed in one transaction.
        let id: i64 = db
            .query(
                "INSERT INTO reflection_comments (session_id, author_id, body, created_at) VALUES ($1, $2, '', $3)
                 RETURNING id",
            )
            .bind(comment.session.0)
            .bind(comment.author.0)
            .bind_time(comment.created_at)
            .fetch_one(&mut tx)
            .await?
            .first()?;
        db.query("UPDATE reflection_comments SET body = $1 WHERE id = $2")
            .bind(db.keys.seal(cipher::COMMENT_BODY, id, &comment.body))
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn comment_counts(&self, sessions: &[SessionId]) -> StoreResult<Vec<(SessionId, usize)>> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.db();
        let sql = db.with_ids(
            "SELECT session_id, COUNT(*) AS comments FROM reflection_comments WHERE session_id IN {ids}
             GROUP BY session_id",
        );
        db.query(&sql)
            .bind_ids(crate::shared::care::ids(sessions, |s| s.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| {
                let count: i64 = r.get("comments")?;
                Ok((SessionId(r.get("session_id")?), usize::try_from(count).unwrap_or(0)))
            })
            .collect()
    }

    async fn reflection_comments(&self, sessions: &[SessionId]) -> StoreResult<Vec<ReflectionComment>> {
        let db = self.db();
        let sql = db.with_ids(
            // A previous therapist's supervision stays theirs when the client moves (`admin_tasks.rs`).
            "SELECT c.id, c.session_id, c.author_id, u.display_name, u.role, c.body, c.created_at
             FROM reflection_comments c JOIN users u ON u.id = c.author_id
             WHERE c.session_id IN {ids}
               AND NOT EXISTS (SELECT 1 FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id
                   JOIN client_moves m ON m.client_id = e.client_id
                   WHERE s.id = c.session_id AND m.moved_at >= s.created_at)
             ORDER BY c.session_id, c.created_at, c.id",
        );
        db.query(&sql)
            .bind_ids(ids(sessions, |s| s.0))
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| {
                let role: String = r.get("role")?;
                let (id, author) = (r.get("id")?, r.get("author_id")?);
                Ok(ReflectionComment {
                    id,
                    session: SessionId(r.get("session_id")?),
                    author: UserId(author),
                    author_name: db.keys.open(cipher::USER_DISPLAY_NAME, author, r.get("display_name")?)?,
                    author_role: Role::parse(&role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    body: db.keys.open(cipher::COMMENT_BODY, id, r.get("body")?)?,
                    created_at: r.time("created_at")?,
                })
            })
            .collect()
    }

    async fn set_supervision_focus(
        &self,
        session: SessionId,
        focus: Option<&str>,
        audit: AuditEvent,
    ) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        let sealed = db.keys.seal_opt(cipher::SUPERVISION_FOCUS, session.0, focus);
        let done = db
            .query("UPDATE therapy_sessions SET supervision_focus = $1 WHERE id = $2")
            .bind(sealed)
            .bind(session.0)
            .execute(&mut tx)
            .await?;
        if done == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        }
        append_audit(&mut tx, &AuditEvent { object_id: Some(session.0), ..audit }).await?;
        tx.commit().await
    }

    async fn supervision_focus(&self, session: SessionId) -> StoreResult<Option<String>> {
        let db = self.db();
        let row = db
            .query(
                // A previous therapist's question stays theirs when the client moves (admin_tasks.rs).
                "SELECT s.supervision_focus FROM therapy_sessions s JOIN episodes e ON e.id = s.episode_id
                 WHERE s.id = $1 AND NOT EXISTS (SELECT 1 FROM client_moves m
                     WHERE m.client_id = e.client_id AND m.moved_at >= s.created_at)",
            )
            .bind(session.0)
            .fetch_optional(&db.read)
            .await?;
        match row {
            Some(row) => Ok(db.keys.open_opt(cipher::SUPERVISION_FOCUS, session.0, row.get("supervision_focus")?)?),
            None => Ok(None),
        }
    }
}
