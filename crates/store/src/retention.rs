//! The retention period: which clients' care ended long enough ago for their data to be deleted, and the
//! deletion itself, by the system.

use time::{Date, OffsetDateTime};

use crate::{AuditEvent, ClientId, StoreError, StoreResult};

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
