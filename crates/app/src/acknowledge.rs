//! Acknowledging a signal: records who saw it and when, so that it stops pushing the client up the caseload (risk
//! never stops). Only a signal the client has now can be acknowledged; the page may be older than the data.
//!
//! A risk signal is acknowledged only with the action taken (contacted the client, safety plan reviewed, referred,
//! or not needed and why) and when (docs/TRIAGE.md): one click is refused, so the record always says what was done.

use alliance_signals::signal::SignalKind;
use alliance_store::{AuditEvent, Client, NewRiskAction, RiskActionKind, UserId};
use time::OffsetDateTime;

use crate::{App, AppError};

/// The longest note on a risk action, in characters.
pub const RISK_NOTE_MAX: usize = 2000;

impl App {
    /// The current signal `key` of `client`, or why it cannot be acknowledged.
    async fn current_kind(&self, client: &Client, key: &str, now: OffsetDateTime) -> Result<SignalKind, AppError> {
        let statuses = self.overviews(std::slice::from_ref(client), true, now).await?;
        statuses.get(&client.id).and_then(|status| status.signal(key)).map(|s| s.kind).ok_or(AppError::SignalNotCurrent)
    }

    /// Acknowledges the signal `key` of `client` (whose own therapist `user` is) at `now`, audited with `audit`.
    /// A risk signal is refused: it needs [`App::acknowledge_risk`].
    pub async fn acknowledge(
        &self,
        client: &Client,
        key: &str,
        user: UserId,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        if self.current_kind(client, key, now).await? == SignalKind::Risk {
            return Err(AppError::RiskNeedsAction);
        }
        Ok(self.store.acknowledge(client.id, key, user, audit, now).await?)
    }

    /// Acknowledges the risk signal `key` of `client` with the action taken, at `now`. The note (already through
    /// the text policy) is required when no action was needed; the action cannot be dated after `now`.
    pub async fn acknowledge_risk(
        &self,
        client: &Client,
        key: &str,
        user: UserId,
        action: NewRiskAction,
        audit: AuditEvent,
        now: OffsetDateTime,
    ) -> Result<(), AppError> {
        if action.kind == RiskActionKind::NotNeeded && action.note.trim().is_empty() {
            return Err(AppError::RiskAction("Say why no action was needed."));
        }
        if action.note.chars().count() > RISK_NOTE_MAX {
            return Err(AppError::RiskAction("The note is longer than 2000 characters."));
        }
        if action.acted_at > now {
            return Err(AppError::RiskAction("The time the action was taken cannot be in the future."));
        }
        if self.current_kind(client, key, now).await? != SignalKind::Risk {
            return Err(AppError::RiskAction("That signal is not a risk signal."));
        }
        Ok(self.store.acknowledge_risk(client.id, key, user, &action, audit, now).await?)
    }
}
