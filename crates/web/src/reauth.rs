//! Re-entering the password before a sensitive step (an export). Minimal version for the supervision branch:
//! the accounts work provides the full one with the same signature, which the lead keeps at merge.

use crate::auth::{SignedIn, verify_password};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::state::AppState;

/// Checks the form's `password` field against the signed-in user's password (removing it from the form), off
/// the async threads since Argon2 is slow on purpose. A wrong password is audited and refused.
pub async fn confirm_password(state: &AppState, who: &SignedIn, form: &mut FormFields) -> Result<(), WebError> {
    let password = form.one("password")?.unwrap_or("").to_owned();
    form.0.retain(|(name, _)| name != "password");
    let hash = who.user.password_hash.clone();
    let ok = !password.is_empty()
        && tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| WebError::Internal(Box::new(e)))?;
    if !ok {
        let event = alliance_store::AuditEvent {
            purpose: "authentication",
            ..who.audit(state.now(), "reauth-failed", "account", Some(who.user.id.0))
        };
        state.store.audit(event).await?;
        return Err(WebError::BadRequest("The password is not right. Please enter your password again.".into()));
    }
    Ok(())
}
