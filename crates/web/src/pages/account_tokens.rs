//! Personal access tokens for the JSON API on the account page (issue 19, part 4): made with a name, a scope and
//! an expiry after the password (and second factor) is entered again, shown once, listed, revoked. Only one's
//! own: the list and the revocation are both scoped to the signed-in user. Making and revoking are audited.

use alliance_store::{ApiToken, NewApiToken, TokenScope};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::show_time;
use crate::api::{new_api_token, token_days, token_name};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::reauth::confirm_identity;
use crate::state::AppState;

/// A token as the account page lists it.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    /// Accepted now (not revoked, not expired): only those can be revoked.
    pub working: bool,
    pub revoked: bool,
}

/// The user's tokens, newest first.
pub async fn rows(state: &AppState, who: &SignedIn) -> Result<Vec<TokenRow>, WebError> {
    let tr = crate::language::current();
    let now = state.now();
    let tokens = state.store.api_tokens(who.user.id).await?;
    Ok(tokens
        .into_iter()
        .map(|t: ApiToken| TokenRow {
            id: t.id,
            name: t.name.clone(),
            scope: match t.scope {
                TokenScope::Read => tr.t("account-token-read"),
                TokenScope::ReadWrite => tr.t("account-token-read-write"),
            },
            created: show_time(t.created_at, &who.zone),
            expires: show_time(t.expires_at, &who.zone),
            last_used: t.last_used_at.map_or_else(|| tr.t("account-token-never"), |at| show_time(at, &who.zone)),
            working: t.works_at(now),
            revoked: t.revoked_at.is_some(),
        })
        .collect())
}

fn audit(who: &SignedIn, state: &AppState, action: &'static str) -> alliance_store::AuditEvent {
    let mut event = who.audit(state.now(), action, "api-token", None);
    event.purpose = "authentication";
    event
}

/// `POST /account/tokens`: makes a token and shows it this once on the account page.
pub async fn create(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    confirm_identity(&state, &who, &mut form).await?;
    let tr = crate::language::current();
    let Some(name) = form.one("name")?.and_then(token_name).map(str::to_owned) else {
        return Err(WebError::BadRequest(tr.t("account-token-name-invalid")));
    };
    let Some(scope) = form.one("scope")?.and_then(TokenScope::parse) else {
        return Err(WebError::BadRequest(tr.t("account-token-scope-invalid")));
    };
    let Some(days) = form.one("days")?.and_then(token_days) else {
        return Err(WebError::BadRequest(tr.t("account-token-days-invalid")));
    };
    let (token, hash) = new_api_token();
    let now = state.now();
    let new = NewApiToken {
        user: who.user.id,
        name: &name,
        scope,
        token_hash: &hash,
        expires_at: now + time::Duration::days(days),
    };
    state.store.create_api_token(new, audit(&who, &state, "api-token-create"), now).await?;
    super::account::render_with_token(&state, &who, StatusCode::OK, token).await
}

/// `POST /account/tokens/revoke`: revokes one of the user's own tokens.
pub async fn revoke(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let id = form.one("token")?.and_then(|raw| raw.parse::<i64>().ok());
    // Another user's token, or one already revoked, is as unknown as a missing one (the store's NotFound).
    let id = id.ok_or_else(|| WebError::BadRequest(crate::language::current().t("account-token-unknown")))?;
    state.store.revoke_api_token(who.user.id, id, audit(&who, &state, "api-token-revoke"), state.now()).await?;
    Ok(Redirect::to("/account").into_response())
}
