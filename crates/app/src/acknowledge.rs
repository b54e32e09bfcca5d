//! Acknowledging a signal: records who saw it and when, so that it stops pushing the client up the caseload (risk
//! never stops). Only a signal the client has now can be acknowledged; the page may be older than the data.

use alliance_store::{AuditEvent, Client, UserId};
use time::OffsetDateTime;

use crate::{App, AppError};

impl App {
    /// Acknowledges the signal `key` of `client` (whose own therapist `user` is) at `now`, audited with `audit`.
    pub async fn acknowledge(
        &self,
        client: &Client,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        let statuses = self.overviews(std::slice::from_ref(client), true, now).await?;
        if !statuses.get(&client.id).is_some_and(|status| status.has_signal(key)) {
            return Err(AppError::SignalNotCurrent);
        }
        Ok(self.store.acknowledge(client.id, key, user, audit, now).await?)
    }
}
