//! Deleting a client with all their data, finding clients past the retention period, and the leases that let
//! one of several app servers run a scheduled job for all. The SQL is the same on both engines but for
//! placeholders, so each statement is written once.

use time::{Date, OffsetDateTime};

use crate::{AuditEvent, ClientId, PostgresStore, SqliteStore, StoreError, StoreResult};

/// A client's rows, children before parents (the foreign keys also cascade; deleting explicitly keeps this
/// correct should a later table forget to).
const DELETE_CLIENT: [&str; 8] = [
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

fn sqlite(sql: &str) -> String {
    // `$n` becomes SQLite's `?n`, which numbers its parameters the same way.
    sql.replace('$', "?")
}

const ISO: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl SqliteStore {
    pub(crate) async fn delete_client_and_data(&self, client: ClientId, audit: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        let mut last = 0;
        for sql in DELETE_CLIENT {
            last = sqlx::query(&sqlite(sql)).bind(client.0).execute(&mut *tx).await?.rows_affected();
        }
        if last == 0 {
            return Err(StoreError::NotFound);
        }
        crate::sqlite::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn clients_ended_before_date(&self, cutoff: Date) -> StoreResult<Vec<ClientId>> {
        let cutoff = cutoff.format(ISO).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let ids: Vec<i64> = sqlx::query_scalar(&sqlite(ENDED_BEFORE)).bind(cutoff).fetch_all(self.pool()).await?;
        Ok(ids.into_iter().map(ClientId).collect())
    }

    pub(crate) async fn take_job_lease(
        &self,
        job: &str,
        holder: &str,
        now: OffsetDateTime,
        hold_for: time::Duration,
        done_before: OffsetDateTime,
    ) -> StoreResult<bool> {
        sqlx::query(&sqlite(ENSURE)).bind(job).execute(self.writer()).await?;
        let taken = sqlx::query(&sqlite(TAKE))
            .bind(holder)
            .bind((now + hold_for).unix_timestamp())
            .bind(job)
            .bind(now.unix_timestamp())
            .bind(done_before.unix_timestamp())
            .execute(self.writer())
            .await?;
        Ok(taken.rows_affected() == 1)
    }

    pub(crate) async fn finish_job_lease(&self, job: &str, holder: &str, now: OffsetDateTime) -> StoreResult<bool> {
        let done = sqlx::query(&sqlite(FINISH))
            .bind(now.unix_timestamp())
            .bind(job)
            .bind(holder)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl PostgresStore {
    pub(crate) async fn delete_client_and_data(&self, client: ClientId, audit: &AuditEvent) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        // The client's row first, locked, so a concurrent session or link for them waits and then finds nothing.
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM clients WHERE id = $1 FOR UPDATE")
            .bind(client.0)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        for sql in DELETE_CLIENT {
            sqlx::query(sql).bind(client.0).execute(&mut *tx).await?;
        }
        crate::postgres::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn clients_ended_before_date(&self, cutoff: Date) -> StoreResult<Vec<ClientId>> {
        let ids: Vec<i64> = sqlx::query_scalar(ENDED_BEFORE).bind(cutoff).fetch_all(self.pool()).await?;
        Ok(ids.into_iter().map(ClientId).collect())
    }

    pub(crate) async fn take_job_lease(
        &self,
        job: &str,
        holder: &str,
        now: OffsetDateTime,
        hold_for: time::Duration,
        done_before: OffsetDateTime,
    ) -> StoreResult<bool> {
        sqlx::query(ENSURE).bind(job).execute(self.pool()).await?;
        // A concurrent taker waits for the row lock, then re-checks the condition on the committed row and
        // finds the lease held: only one wins.
        let taken = sqlx::query(TAKE)
            .bind(holder)
            .bind((now + hold_for).unix_timestamp())
            .bind(job)
            .bind(now.unix_timestamp())
            .bind(done_before.unix_timestamp())
            .execute(self.pool())
            .await?;
        Ok(taken.rows_affected() == 1)
    }

    pub(crate) async fn finish_job_lease(&self, job: &str, holder: &str, now: OffsetDateTime) -> StoreResult<bool> {
        let done = sqlx::query(FINISH).bind(now.unix_timestamp()).bind(job).bind(holder).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }
}

/// The day before which a client's care must have ended to be deleted under a retention period of `years`.
pub fn retention_cutoff(today: Date, years: u32) -> Date {
    let year = today.year() - i32::try_from(years).unwrap_or(i32::MAX / 2);
    // 29 February of a year without one becomes 28 February.
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), today.day() - 1))
        .unwrap_or(Date::MIN)
}

/// Deletes every client whose last episode of care ended more than `years` years before `now`, each in its own
/// transaction with an audit entry by the system (no actor, purpose `retention`). Returns the deleted clients.
pub async fn expire_clients(store: &dyn crate::Store, years: u32, now: OffsetDateTime) -> StoreResult<Vec<ClientId>> {
    let cutoff = retention_cutoff(now.date(), years);
    let mut deleted = Vec::new();
    for client in store.clients_ended_before(cutoff).await? {
        let audit = AuditEvent {
            at: now,
            actor: None,
            actor_role: None,
            action: "delete",
            object_kind: "client",
            object_id: Some(client.0),
            purpose: "retention",
            address: None,
        };
        match store.delete_client(client, audit).await {
            Ok(()) => deleted.push(client),
            // Deleted meanwhile by their therapist: nothing left to do.
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(deleted)
}
