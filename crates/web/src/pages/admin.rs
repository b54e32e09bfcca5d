//! Account administration. Administrators manage accounts and settings, not clinical content.

use alliance_core::domain::{DisplayName, Email, NewPassword, Role};
use alliance_store::{NewUser, StoreError, UserId};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Nav;
use crate::access;
use crate::auth::{SignedIn, hash_password};
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

pub struct AccountRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    message: Option<String>,
    error: Option<String>,
    users: Vec<AccountRow>,
    supervisors: Vec<(i64, String)>,
}

async fn render(
    state: &AppState,
    who: &SignedIn,
    message: Option<String>,
    error: Option<String>,
) -> Result<String, WebError> {
    let all = state.store.users().await?;
    Ok(UsersPage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        message,
        error,
        users: all
            .iter()
            .map(|u| AccountRow {
                id: u.id.0,
                name: u.display_name.clone(),
                email: u.email.clone(),
                role: u.role.as_str(),
                active: u.active,
            })
            .collect(),
        supervisors: all
            .iter()
            .filter(|u| u.role == Role::Supervisor)
            .map(|u| (u.id.0, u.display_name.clone()))
            .collect(),
    }
    .render()?)
}

/// `?added=<id>` names the account just added (after the redirect of [`create_user`]); anything else in the
/// query is ignored.
pub async fn users(
    State(state): State<AppState>,
    who: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    access::require_role(&who, Role::Administrator)?;
    let added = match query.as_deref().and_then(|q| q.strip_prefix("added=")).and_then(|id| id.parse::<i64>().ok()) {
        Some(id) => state
            .store
            .user(UserId(id))
            .await?
            .map(|u| crate::language::current().t1("admin-added", "name", &u.display_name)),
        None => None,
    };
    Ok(Html(render(&state, &who, added, None).await?).into_response())
}

pub async fn create_user(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    // A new account (an administrator's included) is lasting power: the session alone is not enough.
    crate::reauth::administrator_confirmed(&state, &who, &mut form).await?;
    let parsed = (|| {
        let name = DisplayName::parse(form.one("name").ok().flatten().unwrap_or(""))
            .map_err(|e| crate::language::parse_error(&e))?;
        let email = Email::parse(form.one("email").ok().flatten().unwrap_or(""))
            .map_err(|e| crate::language::parse_error(&e))?;
        let role =
            Role::parse(form.one("role").ok().flatten().unwrap_or("")).map_err(|e| crate::language::parse_error(&e))?;
        let password = NewPassword::parse(form.one("initial").ok().flatten().unwrap_or(""))
            .map_err(|e| crate::language::parse_error(&e))?;
        if let Some(why) = crate::password_policy::refusal(password.expose(), email.as_str(), name.as_str(), None) {
            return Err(crate::language::current().t1(
                "admin-initial-password-refused",
                "why",
                crate::language::current().t(why),
            ));
        }
        let supervisor = match form.one("supervisor").ok().flatten().unwrap_or("") {
            "" => None,
            id => Some(id.parse::<i64>().map_err(|_| crate::language::current().t("admin-unknown-supervisor"))?),
        };
        Ok::<_, String>((name, email, role, password, supervisor))
    })();
    let (name, email, role, password, supervisor) = match parsed {
        Ok(p) => p,
        Err(e) => {
            let html =
                render(&state, &who, None, Some(crate::language::current().t1("admin-not-added", "why", e))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    if let Some(sid) = supervisor {
        let valid = state.store.user(UserId(sid)).await?.is_some_and(|u| u.role == Role::Supervisor);
        if !valid || role != Role::Therapist {
            let html =
                render(&state, &who, None, Some(crate::language::current().t("admin-not-added-supervision"))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    }
    let now = state.now();
    let new = NewUser {
        email: email.as_str().to_owned(),
        display_name: name.as_str().to_owned(),
        role,
        password_hash: {
            let plain = password.expose().to_owned();
            tokio::task::spawn_blocking(move || hash_password(&plain))
                .await
                .map_err(|e| WebError::Internal(Box::new(e)))??
        },
        must_change_password: true,
    };
    let id = match state.store.create_user(new, who.audit(now, "create", "account", None), now).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            let html = render(&state, &who, None, Some(crate::language::current().t("admin-not-added-email"))).await?;
            return Ok((StatusCode::CONFLICT, Html(html)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(sid) = supervisor {
        state.store.add_supervision(UserId(sid), id, who.audit(now, "add-supervision", "account", Some(id.0))).await?;
    }
    // Post/redirect/get: refreshing the page that says "Added" does not post the form again.
    Ok(Redirect::to(&format!("/admin/users?added={}", id.0)).into_response())
}

/// Changes an account's role or deactivates it. Needs the administrator's password again (and a fresh code
/// when they have a second factor); ends every sign-in of
/// the account; refused when no active administrator would remain.
pub async fn update_user(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    access::require_role(&who, Role::Administrator)?;
    let target = state.store.user(UserId(id)).await?.ok_or(WebError::NotFound)?;
    let role = Role::parse(form.one("role")?.unwrap_or("")).map_err(|e| WebError::BadRequest(format!("{e}.")))?;
    let active = match form.one("active")?.unwrap_or("") {
        "yes" => true,
        "no" => false,
        _ => return Err(WebError::BadRequest(crate::language::current().t("admin-choose-active"))),
    };
    crate::reauth::confirm_identity(&state, &who, &mut form).await?;
    match state.store.update_account(target.id, role, active).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let error = Some(crate::language::current().t("admin-last-administrator"));
            let html = render(&state, &who, None, error).await?;
            return Ok((StatusCode::CONFLICT, Html(html)).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    let now = state.now();
    if role != target.role {
        state.store.audit(who.audit(now, "role-change", "account", Some(id))).await?;
    }
    if active != target.active {
        state
            .store
            .audit(who.audit(now, if active { "reactivate" } else { "deactivate" }, "account", Some(id)))
            .await?;
    }
    let message = Some(crate::language::current().t1("admin-changed", "name", &target.display_name));
    Ok(Html(render(&state, &who, message, None).await?).into_response())
}
