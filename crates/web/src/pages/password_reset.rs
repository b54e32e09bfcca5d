//! Using a one-time password-reset link (made by an administrator, `admin_tasks::reset_link`). The token in the
//! path is the credential: 256 random bits, looked up by its SHA-256 hash only (the stored value and the lookup
//! reveal nothing usable about the token, so the comparison's timing does not matter), usable once, for 24 hours,
//! and only while the account is active. The form carries a token bound to the link (keyed with the server
//! secret), so another site cannot post it. Setting the password follows the password policy, ends every
//! sign-in of the account and is audited; the second factor stays unless the administrator chose to remove it
//! when making the link (see docs/ARCHITECTURE.md).

use alliance_core::domain::NewPassword;
use alliance_store::AuditEvent;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::{PeerAddress, hash_password};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::pages::respond::MessagePage;
use crate::security;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage<'a> {
    tr: alliance_i18n::Tr,
    token: &'a str,
    csrf: &'a str,
    name: &'a str,
    error: Option<String>,
}

/// Refused links (unknown, used, expired, revoked, of a deactivated account) all look the same. `410 Gone`, not
/// 404: the page exists, the link no longer works.
fn not_valid() -> Result<Response, WebError> {
    let tr = crate::language::current();
    let (title, first, second) = (tr.t("reset-not-valid-title"), tr.t("reset-not-valid"), tr.t("reset-ask-admin"));
    let paragraphs = vec![first.as_str(), second.as_str()];
    let page = MessagePage { tr, title: &title, paragraphs, crisis: None, switch: None };
    Ok((StatusCode::GONE, Html(page.render()?)).into_response())
}

fn form_token(state: &AppState, token: &str) -> String {
    security::form_token(&state.secret, "password-reset", token)
}

pub async fn form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    if !security::looks_like_token(&token) {
        return not_valid();
    }
    let Some(reset) = state.store.password_reset(&security::hash_token(&token), state.now()).await? else {
        return not_valid();
    };
    let Some(user) = state.store.user(reset.user).await? else { return not_valid() };
    let csrf = form_token(&state, &token);
    let page =
        ResetPage { tr: crate::language::current(), token: &token, csrf: &csrf, name: &user.display_name, error: None };
    Ok(Html(page.render()?).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    PeerAddress(address): PeerAddress,
    Path(token): Path<String>,
    mut form: FormFields,
) -> Result<Response, WebError> {
    if !security::looks_like_token(&token) {
        return not_valid();
    }
    let csrf = form_token(&state, &token);
    if !form.take_csrf().is_some_and(|t| security::same_token(&t, &csrf)) {
        return Err(WebError::CrossSite);
    }
    let now = state.now();
    let hash = security::hash_token(&token);
    let Some(reset) = state.store.password_reset(&hash, now).await? else { return not_valid() };
    let Some(user) = state.store.user(reset.user).await? else { return not_valid() };
    let again = |error: String| -> Result<Response, WebError> {
        let page = ResetPage {
            tr: crate::language::current(),
            token: &token,
            csrf: &csrf,
            name: &user.display_name,
            error: Some(error),
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
    };
    let fresh = form.one("new_password")?.unwrap_or("");
    let parsed = match NewPassword::parse(fresh) {
        Ok(p) if form.one("repeat")?.unwrap_or("") == fresh => p,
        Ok(_) => return again(crate::language::current().t("reset-not-set-same")),
        Err(e) => {
            return again(crate::language::current().t1("reset-not-set", "why", crate::language::parse_error(&e)));
        }
    };
    let plain = parsed.expose().to_owned();
    let (candidate, email, name, current) =
        (plain.clone(), user.email.clone(), user.display_name.clone(), user.password_hash.clone());
    let refused =
        tokio::task::spawn_blocking(move || crate::password_policy::refusal(&candidate, &email, &name, Some(&current)))
            .await
            .map_err(|e| WebError::Internal(Box::new(e)))?;
    if let Some(why) = refused {
        // On a reset link the old password is not "current" to the person: they may not remember it.
        let why = if why == "password-current" { "password-current-reset" } else { why };
        let tr = crate::language::current();
        return again(tr.t1("reset-not-set", "why", tr.t(why)));
    }
    let new_hash = tokio::task::spawn_blocking(move || hash_password(&plain))
        .await
        .map_err(|e| WebError::Internal(Box::new(e)))??;
    let action = if reset.clears_second_factor { "password-reset-and-second-factor" } else { "password-reset" };
    let audit = AuditEvent {
        at: now,
        actor: Some(user.id),
        actor_role: Some(user.role),
        action,
        object_kind: "account",
        object_id: Some(user.id.0),
        purpose: "authentication",
        address,
    };
    if !state.store.use_password_reset(&hash, &new_hash, now, audit).await? {
        return not_valid();
    }
    crate::mail::queue(&state, user.id, alliance_store::MailKind::PasswordChanged, "/account".into()).await;
    let tr = crate::language::current();
    let (title, first, second) = (tr.t("reset-done-title"), tr.t("reset-done"), tr.t("reset-sign-in-now"));
    let paragraphs = vec![first.as_str(), second.as_str()];
    let page = MessagePage { tr, title: &title, paragraphs, crisis: None, switch: None };
    Ok(Html(page.render()?).into_response())
}
