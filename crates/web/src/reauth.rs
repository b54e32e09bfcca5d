//! Re-entry of the password before a grave or revealing action (deleting or exporting a client's data).
//! A minimal version: the accounts work replaces it with one that also counts failures towards the soft lock.

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::state::AppState;

/// Checks the form's `password` field against the signed-in user's password; a wrong one is audited and
/// refused.
pub async fn confirm_password(state: &AppState, who: &SignedIn, form: &mut FormFields) -> Result<(), WebError> {
    let password = form.one("password")?.unwrap_or("").to_owned();
    // Argon2 takes tens of milliseconds of CPU: off the async threads.
    let hash = who.user.password_hash.clone();
    let ok =
        tokio::task::spawn_blocking(move || !password.is_empty() && crate::auth::verify_password(&password, &hash))
            .await
            .map_err(|e| WebError::Internal(Box::new(e)))?;
    if ok {
        return Ok(());
    }
    state.store.audit(who.audit(state.now(), "reauth-failed", "user", Some(who.user.id.0))).await?;
    Err(WebError::BadRequest("The password was not right. Nothing was changed.".into()))
}
