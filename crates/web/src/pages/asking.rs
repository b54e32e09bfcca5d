//! "Stop asking me" and its undoing (issue 16, item 4), from the check's link or from the client's own page. The
//! client's choice stops new check links (the therapist's page says why) and is audited as the client's.

use alliance_store::{AuditEvent, ClientId};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};

use crate::error::WebError;
use crate::forms::FormFields;
use crate::security;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "asking.html")]
struct AskingPage {
    tr: alliance_i18n::Tr,
    stopped: bool,
    csrf: String,
    resume_action: String,
    own_page: Option<String>,
    switch: crate::language::Switch,
}

/// Which credential the request came with: a check link (`/c/`) or a personal link (`/my/`).
#[derive(Clone, Copy)]
enum Via {
    Check,
    OwnPage,
}

impl Via {
    fn prefix(self) -> &'static str {
        match self {
            Via::Check => "c",
            Via::OwnPage => "my",
        }
    }

    /// The anti-forgery purpose of the forms of that page.
    fn purpose(self) -> &'static str {
        match self {
            Via::Check => "respond",
            Via::OwnPage => "own-page",
        }
    }
}

/// The client behind a token of either kind, or the page to answer with: an unknown, revoked or expired link
/// cannot change anything.
async fn client_of(state: &AppState, via: Via, token: &str) -> Result<Result<ClientId, Response>, WebError> {
    let client = match via {
        Via::Check => {
            let Some(link) = super::respond::open_link(state, token, state.now()).await? else {
                return Ok(Err(super::respond::not_valid()?));
            };
            if link.state == alliance_store::LinkState::Expired {
                return Ok(Err(super::respond::state_page(link.state, true)?));
            }
            state.app.client_of_link(&link).await?
        }
        Via::OwnPage => super::own_page::page_of(state, token).await?.map(|p| p.client),
    };
    match client {
        Some(client) => Ok(Ok(client)),
        None => Ok(Err(super::respond::not_valid()?)),
    }
}

async fn set(
    state: &AppState,
    via: Via,
    token: &str,
    mut form: FormFields,
    asking: bool,
) -> Result<Response, WebError> {
    let client = match client_of(state, via, token).await? {
        Ok(client) => client,
        Err(page) => return Ok(page),
    };
    form.check_form_token(&state.secret, via.purpose(), token)?;
    let csrf = security::form_token(&state.secret, via.purpose(), token);
    let now = state.now();
    let action = if asking { "client-resumed-asking" } else { "client-stopped-asking" };
    state.store.set_asking(client, asking, AuditEvent::system(now, action, "client", "care"), now).await?;
    let own_page = match state.store.client_page(client).await? {
        Some(p) if p.active => Some(super::own_page::url(state, client, p.generation)),
        _ => None,
    };
    let page = AskingPage {
        tr: crate::language::current(),
        stopped: !asking,
        csrf,
        resume_action: format!("/{}/{token}/resume", via.prefix()),
        own_page,
        switch: crate::language::Switch::new(
            &match via {
                Via::Check => format!("/c/{token}"),
                Via::OwnPage => format!("/my/{token}"),
            },
            state.config.pseudo_locale,
        ),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn stop_from_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    set(&state, Via::Check, &token, form, false).await
}

pub async fn resume_from_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    set(&state, Via::Check, &token, form, true).await
}

pub async fn stop_from_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    set(&state, Via::OwnPage, &token, form, false).await
}

pub async fn resume_from_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    set(&state, Via::OwnPage, &token, form, true).await
}
