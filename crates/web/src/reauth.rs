//! Re-entry of the password before sensitive actions (exports, role changes): a signed-in browser left open
//! is not enough for those. The actions that hand out lasting power or clinical reads (adding an account,
//! changing a role or a supervisor, break-glass) ask for the second factor too when the user has one
//! ([`confirm_identity`]): a stolen session cookie alone does none of them (issue 14, finding 4).

use crate::auth::{SignedIn, verify_off_thread};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::state::AppState;
use crate::throttle::{self, Rule};
use crate::totp;

/// Takes the field `password` out of `form` and checks it against the signed-in user's password. Failures are
/// throttled under their own key (an outsider's failed sign-ins cannot block a clinician here) and also add to
/// the account's sign-in count (a stolen session guesses no faster than a sign-in form). Audited as `reauth` /
/// `reauth-failed`. A wrong password is [`WebError::PasswordRejected`]; too many, [`WebError::Throttled`].
pub async fn confirm_password(state: &AppState, who: &SignedIn, form: &mut FormFields) -> Result<(), WebError> {
    let password = form.one("password")?.unwrap_or("").to_owned();
    form.0.retain(|(name, _)| name != "password");
    let now = state.now();
    let object = Some(who.user.id.0);
    // An empty field guesses nothing: it is refused (and audited) without counting against the account, so a
    // form posted without its password cannot lock its own user out of signing in.
    if password.is_empty() {
        state.store.audit(audit(who.audit(now, "reauth-failed", "account", object))).await?;
        return Err(WebError::PasswordRejected);
    }
    let by_session = throttle::key(state, "reauth", &who.user.id.to_string());
    if let Err(wait) = throttle::claim(state, &by_session, Rule::Growing, now, true).await? {
        state.store.audit(audit(who.audit(now, "reauth-throttled", "account", object))).await?;
        return Err(WebError::Throttled(wait));
    }
    if verify_off_thread(&password, Some(who.user.password_hash.clone())).await? {
        throttle::clear(state, &by_session).await?;
        state.store.audit(audit(who.audit(now, "reauth", "account", object))).await?;
        return Ok(());
    }
    let by_account = throttle::key(state, "account", &who.user.email);
    throttle::claim(state, &by_account, Rule::Growing, now, false).await?.ok();
    state.store.audit(audit(who.audit(now, "reauth-failed", "account", object))).await?;
    Err(WebError::PasswordRejected)
}

/// What every administrator's action begins with: the form's anti-forgery token, the administrator role, and
/// the identity confirmed again ([`confirm_identity`]).
pub async fn administrator_confirmed(state: &AppState, who: &SignedIn, form: &mut FormFields) -> Result<(), WebError> {
    who.check_csrf(form)?;
    crate::access::require_role(who, alliance_core::domain::Role::Administrator)?;
    confirm_identity(state, who, form).await
}

/// [`confirm_password`], then, when the user has a second factor switched on, the field `code`: a current
/// authenticator code that was not used before (the same one-use rule as at sign-in). A missing or wrong code
/// is [`WebError::PasswordRejected`], audited as `reauth-failed`, and counts like a wrong password.
pub async fn confirm_identity(state: &AppState, who: &SignedIn, form: &mut FormFields) -> Result<(), WebError> {
    let typed = form.one("code")?.and_then(totp::parse_code);
    form.0.retain(|(name, _)| name != "code");
    confirm_password(state, who, form).await?;
    let Some(factor) = state.store.totp_factor(who.user.id).await?.filter(|f| f.enabled) else {
        return Ok(());
    };
    let now = state.now();
    let object = Some(who.user.id.0);
    let step = typed.and_then(|code| totp::matching_step(&factor.secret, &code, now.unix_timestamp()));
    let accepted = match step {
        Some(s) => state.store.accept_totp_step(who.user.id, s, false).await?,
        None => false,
    };
    if accepted {
        return Ok(());
    }
    let by_session = throttle::key(state, "reauth", &who.user.id.to_string());
    throttle::claim(state, &by_session, Rule::Growing, now, false).await?.ok();
    state.store.audit(audit(who.audit(now, "reauth-failed", "account", object))).await?;
    Err(WebError::PasswordRejected)
}

fn audit(mut event: alliance_store::AuditEvent) -> alliance_store::AuditEvent {
    event.purpose = "authentication";
    event
}
