//! An administrator's tasks on therapists and accounts (issue 13): changing a therapist's supervisor, moving
//! clients to another therapist (one, or all of a therapist leaving), and making a one-time password-reset link.
//! Each needs the administrator's password again (and the second factor, when set: `reauth::confirm_identity`)
//! and is audited with the purpose `administration`. None of them shows clinical content.

use alliance_core::domain::Role;
use alliance_store::{AuditEvent, ClientId, NewPasswordReset, StoreError, User, UserId};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::Nav;
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::security;
use crate::state::AppState;

/// The audit purpose of an administrator's account tasks.
pub const ADMINISTRATION: &str = "administration";

/// How long a password-reset link works.
pub const RESET_LIFETIME: time::Duration = time::Duration::hours(24);

struct TherapistRow {
    id: i64,
    name: String,
    active: bool,
    supervisor: String,
    clients: usize,
}

#[derive(Template)]
#[template(path = "admin_tasks.html")]
struct TasksPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    message: Option<String>,
    error: Option<String>,
    /// A reset link just made, shown this once.
    reset_link: Option<(String, String)>,
    therapists: Vec<TherapistRow>,
    supervisors: Vec<(i64, String)>,
    accounts: Vec<(i64, String)>,
}

async fn render(state: &AppState, who: &SignedIn, status: StatusCode, outcome: Outcome) -> Result<Response, WebError> {
    let users = state.store.users().await?;
    let name = |id: UserId| users.iter().find(|u| u.id == id).map(|u| u.display_name.clone()).unwrap_or_default();
    let therapist_ids: Vec<UserId> = users.iter().filter(|u| u.role == Role::Therapist).map(|u| u.id).collect();
    let clients = state.store.clients_of(&therapist_ids).await?;
    let mut therapists = Vec::new();
    for u in users.iter().filter(|u| u.role == Role::Therapist) {
        let supervisors = state.store.supervisors_of(u.id).await?;
        let supervisor = supervisors.iter().map(|s| name(*s)).collect::<Vec<_>>().join(", ");
        therapists.push(TherapistRow {
            id: u.id.0,
            name: u.display_name.clone(),
            active: u.active,
            supervisor,
            clients: clients.iter().filter(|c| c.therapist == u.id).count(),
        });
    }
    let supervisors = users
        .iter()
        .filter(|u| u.role == Role::Supervisor && u.active)
        .map(|u| (u.id.0, u.display_name.clone()))
        .collect();
    let accounts = users.iter().filter(|u| u.active).map(|u| (u.id.0, format!("{} ({})", u.display_name, u.email)));
    let page = TasksPage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        message: outcome.message,
        error: outcome.error,
        reset_link: outcome.reset_link,
        therapists,
        supervisors,
        accounts: accounts.collect(),
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Default)]
struct Outcome {
    message: Option<String>,
    error: Option<String>,
    reset_link: Option<(String, String)>,
}

fn said(message: String) -> Outcome {
    Outcome { message: Some(message), ..Outcome::default() }
}

fn refused(error: impl Into<String>) -> Outcome {
    Outcome { error: Some(error.into()), ..Outcome::default() }
}

pub async fn tasks_page(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Administrator)?;
    render(&state, &who, StatusCode::OK, Outcome::default()).await
}

/// An account named by a form field: a number, of an existing account, else a clear error.
async fn account_field(state: &AppState, form: &FormFields, field: &str) -> Result<Option<User>, WebError> {
    let Some(text) = form.one(field)?.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let id: i64 = text
        .parse()
        .map_err(|_| WebError::BadRequest(crate::language::current().t1("admin-field-not-account", "field", field)))?;
    Ok(state.store.user(UserId(id)).await?)
}

fn administration(who: &SignedIn, state: &AppState, action: &'static str, kind: &'static str, id: i64) -> AuditEvent {
    AuditEvent { purpose: ADMINISTRATION, ..who.audit(state.now(), action, kind, Some(id)) }
}

/// Makes a supervisor (or nobody) the supervisor of a therapist. Access follows at once: supervision is read
/// from the database on every request (`access::read_client`), so the previous supervisor's next request is
/// refused and the new one's allowed.
pub async fn change_supervisor(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    crate::reauth::administrator_confirmed(&state, &who, &mut form).await?;
    let Some(therapist) = account_field(&state, &form, "therapist").await? else {
        return render(
            &state,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused(crate::language::current().t("admin-choose-therapist")),
        )
        .await;
    };
    let supervisor = account_field(&state, &form, "supervisor").await?;
    if form.one("supervisor")?.is_some_and(|s| !s.trim().is_empty()) && supervisor.is_none() {
        return render(
            &state,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            refused(crate::language::current().t("admin-supervisor-unknown")),
        )
        .await;
    }
    let audit = administration(&who, &state, "supervisor-change", "account", therapist.id.0);
    match state.store.set_supervisor(therapist.id, supervisor.as_ref().map(|s| s.id), audit).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let why = crate::language::current().t("admin-supervision-refused");
            return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, refused(why)).await;
        }
        Err(e) => return Err(e.into()),
    }
    let message = match supervisor {
        Some(s) => crate::language::current().t2(
            "admin-supervised-now",
            "therapist",
            &therapist.display_name,
            "supervisor",
            &s.display_name,
        ),
        None => crate::language::current().t1("admin-no-supervisor-now", "therapist", &therapist.display_name),
    };
    render(&state, &who, StatusCode::OK, said(message)).await
}

/// Moves one client (field `client`, a client number) or all clients of a therapist (`from`) to another active
/// therapist (`to`). What moves and what stays with its author is in docs/ARCHITECTURE.md ("Moving clients").
pub async fn move_clients(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    crate::reauth::administrator_confirmed(&state, &who, &mut form).await?;
    let (from, to) = (account_field(&state, &form, "from").await?, account_field(&state, &form, "to").await?);
    let (Some(from), Some(to)) = (from.filter(|u| u.role == Role::Therapist), to) else {
        let why = crate::language::current().t("admin-move-choose");
        return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, refused(why)).await;
    };
    let only = match form.one("client")?.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n > 0 => Some(ClientId(n)),
            _ => {
                let why = crate::language::current().t("admin-move-number");
                return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, refused(why)).await;
            }
        },
    };
    let audit = administration(&who, &state, "client-move", "client", 0);
    let moved = match state.store.move_clients(from.id, to.id, only, audit).await {
        Ok(moved) => moved,
        Err(StoreError::Conflict(_)) => {
            let why = crate::language::current().t("admin-move-inactive");
            return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, refused(why)).await;
        }
        Err(e) => return Err(e.into()),
    };
    if moved.is_empty() {
        let why = match only {
            Some(_) => crate::language::current().t1("admin-move-not-theirs", "name", &from.display_name),
            None => crate::language::current().t1("admin-move-none", "name", &from.display_name),
        };
        return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, refused(why)).await;
    }
    let message = crate::language::current().t3(
        "admin-moved",
        "count",
        moved.len(),
        "from",
        &from.display_name,
        "to",
        &to.display_name,
    );
    render(&state, &who, StatusCode::OK, said(message)).await
}

/// Makes a one-time link for an account to set a new password, shown once to the administrator to hand over.
/// Only a hash of its token is stored; a new link revokes the previous one.
pub async fn reset_link(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    crate::reauth::administrator_confirmed(&state, &who, &mut form).await?;
    let Some(user) = account_field(&state, &form, "user").await?.filter(|u| u.active) else {
        let why = crate::language::current().t("admin-reset-choose-account");
        return render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, refused(why)).await;
    };
    let clears_second_factor = match form.one("clear_second_factor")?.unwrap_or("no") {
        "yes" => true,
        "no" => false,
        _ => return Err(WebError::BadRequest(crate::language::current().t("admin-reset-choose-factor"))),
    };
    let now = state.now();
    let token = security::new_token();
    let reset = NewPasswordReset {
        user: user.id,
        token_hash: security::hash_token(&token),
        created_by: who.user.id,
        created_at: now,
        expires_at: now + RESET_LIFETIME,
        clears_second_factor,
    };
    let action = if clears_second_factor { "reset-link-and-second-factor" } else { "reset-link" };
    state.store.create_password_reset(reset, administration(&who, &state, action, "account", user.id.0)).await?;
    let link = format!("{}/reset/{token}", state.config.public_url.trim_end_matches('/'));
    crate::mail::queue(&state, user.id, alliance_store::MailKind::PasswordReset, link.clone()).await;
    let made = if state.config.mail.is_some() { "admin-reset-made-sent" } else { "admin-reset-made" };
    let shown = Outcome {
        message: Some(crate::language::current().t1(made, "name", &user.display_name)),
        reset_link: Some((user.display_name.clone(), link)),
        error: None,
    };
    render(&state, &who, StatusCode::OK, shown).await
}
