//! Where "now" comes from. One clock is injected at start and shared by the web layer and the scheduler, so a
//! test that moves it moves expiry, sign-in timeouts and every scheduled job at once.

use std::sync::Arc;

use time::OffsetDateTime;

/// The current time, as the server sees it.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The system clock, for production.
pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}
