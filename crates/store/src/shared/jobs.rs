//! Deleting a client with all their data, finding clients past the retention period, and the leases that let
//! one of several app servers run a scheduled job for all.

use async_trait::async_trait;
use time::{Date, OffsetDateTime};

use crate::db::{HasDb, Lock};
use crate::shared::append_audit;
use crate::*;

#[async_trait]
pub trait Jobs: Send + Sync {
    /// Deletes a client and every row of their care (episodes, sessions, links, administrations, responses,
    /// scores, acknowledgements) and writes `audit`, in one transaction. Audit entries about the client stay.
    async fn delete_client(&self, client: ClientId, audit: AuditEvent) -> StoreResult<()>;
    /// Clients whose episodes have all ended, the last one before `cutoff`.
    async fn clients_ended_before(&self, cutoff: Date) -> StoreResult<Vec<ClientId>>;
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
    /// How this server's connection pools are used at this moment, for its metrics: on SQLite the readers and the
    /// one writer, on PostgreSQL the one pool.
    fn pool_use(&self) -> Vec<PoolUse>;
}

/// A client's rows, children before parents (the foreign keys also cascade; deleting explicitly keeps this
/// correct should a later table forget to).
const DELETE_CLIENT: [&str; 30] = [
    "DELETE FROM session_transcripts WHERE client_id = $1",
    "DELETE FROM client_background WHERE client_id = $1",
    // Supervision's rows about the client (issue 20): what meetings discussed and agreed, and the boundary log.
    "DELETE FROM supervision_meeting_items WHERE client_id = $1",
    "DELETE FROM supervision_actions WHERE client_id = $1",
    "DELETE FROM boundary_events WHERE client_id = $1",
    "DELETE FROM barrier_requests WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM repair_attempts WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM episode_endings WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM kiosk_codes WHERE link_id IN (SELECT l.id FROM links l JOIN therapy_sessions s ON s.id = l.session_id
        JOIN episodes e ON e.id = s.episode_id WHERE e.client_id = $1)",
    "DELETE FROM mail_outbox WHERE client_id = $1",
    "DELETE FROM episode_schedules WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM client_consents WHERE client_id = $1",
    "DELETE FROM client_stops WHERE client_id = $1",
    // The partnership's rows first: they refer to goals, tasks, links and sessions deleted below.
    "DELETE FROM goal_ratings WHERE goal_id IN (SELECT g.id FROM goals g
        JOIN episodes e ON e.id = g.episode_id WHERE e.client_id = $1)",
    "DELETE FROM goal_history WHERE goal_id IN (SELECT g.id FROM goals g
        JOIN episodes e ON e.id = g.episode_id WHERE e.client_id = $1)",
    "DELETE FROM goals WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM task_reports WHERE task_id IN (SELECT t.id FROM tasks t
        JOIN episodes e ON e.id = t.episode_id WHERE e.client_id = $1)",
    "DELETE FROM tasks WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM client_pages WHERE client_id = $1",
    "DELETE FROM event_notes WHERE client_id = $1",
    "DELETE FROM scores WHERE administration_id IN (SELECT a.id FROM administrations a
        JOIN therapy_sessions s ON s.id = a.session_id JOIN episodes e ON e.id = s.episode_id WHERE e.client_id = $1)",
    "DELETE FROM responses WHERE administration_id IN (SELECT a.id FROM administrations a
        JOIN therapy_sessions s ON s.id = a.session_id JOIN episodes e ON e.id = s.episode_id WHERE e.client_id = $1)",
    "DELETE FROM administrations WHERE session_id IN (SELECT s.id FROM therapy_sessions s
        JOIN episodes e ON e.id = s.episode_id WHERE e.client_id = $1)",
    "DELETE FROM links WHERE session_id IN (SELECT s.id FROM therapy_sessions s
        JOIN episodes e ON e.id = s.episode_id WHERE e.client_id = $1)",
    "DELETE FROM therapy_sessions WHERE episode_id IN (SELECT id FROM episodes WHERE client_id = $1)",
    "DELETE FROM signal_acknowledgements WHERE client_id = $1",
    "DELETE FROM risk_actions WHERE client_id = $1",
    "DELETE FROM signal_seen WHERE client_id = $1",
    "DELETE FROM episodes WHERE client_id = $1",
    "DELETE FROM clients WHERE id = $1",
];

/// Clients with episodes, none open, the last of which ended before `$1`.
const ENDED_BEFORE: &str = "SELECT client_id FROM episodes GROUP BY client_id
    HAVING count(*) = count(ended_on) AND max(ended_on) < $1 ORDER BY client_id";

/// Takes the lease on a job that is due: free or expired (or already ours), and last done at or before `$5`.
const TAKE: &str = "UPDATE job_leases SET holder = $1, expires_at = $2
    WHERE name = $3 AND (expires_at <= $4 OR holder = $1) AND (last_done_at IS NULL OR last_done_at <= $5)";
const ENSURE: &str =
    "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING";
const FINISH: &str = "UPDATE job_leases SET last_done_at = $1, expires_at = $1 WHERE name = $2 AND holder = $3";

#[async_trait]
impl<S: HasDb> Jobs for S {
    fn pool_use(&self) -> Vec<PoolUse> {
        let db = self.db();
        match db.engine {
            crate::db::Engine::Sqlite => vec![db.read.usage("read"), db.write.usage("write")],
            crate::db::Engine::Postgres => vec![db.read.usage("shared")],
        }
    }

    async fn delete_client(&self, client: ClientId, audit: AuditEvent) -> StoreResult<()> {
        let db = self.db();
        let mut tx = db.begin().await?;
        // The client's row first, locked (on PostgreSQL), so a concurrent session or link for them waits and then
        // finds nothing.
        db.lock(&mut tx, "SELECT id FROM clients WHERE id = $1", Lock::Rows, client.0).await?;
        for sql in DELETE_CLIENT {
            db.query(sql).bind(client.0).execute(&mut tx).await?;
        }
        append_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn clients_ended_before(&self, cutoff: Date) -> StoreResult<Vec<ClientId>> {
        let db = self.db();
        db.query(ENDED_BEFORE)
            .bind(cutoff)
            .fetch_all(&db.read)
            .await?
            .iter()
            .map(|r| Ok(ClientId(r.first()?)))
            .collect()
    }

    async fn take_job(
        &self,
        job: &str,
        holder: &str,
        now: OffsetDateTime,
        hold_for: time::Duration,
        done_before: OffsetDateTime,
    ) -> StoreResult<bool> {
        let db = self.db();
        db.query(ENSURE).bind(job).execute(&db.write).await?;
        // On PostgreSQL a concurrent taker waits for the row lock, then re-checks the condition on the committed
        // row and finds the lease held: only one wins.
        let taken = db
            .query(TAKE)
            .bind(holder)
            .bind_time(now + hold_for)
            .bind(job)
            .bind_time(now)
            .bind_time(done_before)
            .execute(&db.write)
            .await?;
        Ok(taken == 1)
    }

    async fn finish_job(&self, job: &str, holder: &str, now: OffsetDateTime) -> StoreResult<bool> {
        let db = self.db();
        let done = db.query(FINISH).bind_time(now).bind(job).bind(holder).execute(&db.write).await?;
        Ok(done == 1)
    }
}
