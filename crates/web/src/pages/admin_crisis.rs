//! The practice's crisis information (issue 13, item 2): the administrator sets the text and contacts a client
//! sees whenever they endorse PHQ-9 item 9. Parsed by `alliance_core::crisis` (text policy, `tel:`/`https:` only,
//! limits), stored with an audit entry, then post-redirect-get.

use alliance_core::crisis::CrisisProtocol;
use alliance_store::AuditEvent;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Nav;
use super::admin_tasks::ADMINISTRATION;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin_crisis.html")]
struct CrisisPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    error: Option<String>,
    text: String,
    contacts: String,
    default_in_use: bool,
}

/// The practice's crisis information, or the built-in text when none is set or it cannot be read just now (a
/// client at risk always gets something).
pub async fn crisis_information(state: &AppState) -> CrisisProtocol {
    state.store.crisis_protocol().await.ok().flatten().unwrap_or_default()
}

pub async fn page(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    let stored = state.store.crisis_protocol().await?;
    let default_in_use = stored.is_none();
    let protocol = stored.unwrap_or_default();
    let page = CrisisPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        error: None,
        contacts: protocol.contact_lines(),
        text: protocol.text,
        default_in_use,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn save(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (text, contacts) = (form.one("text")?.unwrap_or(""), form.one("contacts")?.unwrap_or(""));
    let protocol = match CrisisProtocol::parse(text, contacts) {
        Ok(protocol) => protocol,
        Err(e) => {
            let page = CrisisPage {
                tr: crate::language::current(),
                nav: Nav::of(&who),
                error: Some(crate::language::current().t1(
                    "admin-crisis-not-saved",
                    "why",
                    crate::language::parse_error(&e),
                )),
                text: text.to_owned(),
                contacts: contacts.to_owned(),
                default_in_use: false,
            };
            return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
        }
    };
    let now = state.now();
    let audit = AuditEvent { purpose: ADMINISTRATION, ..who.audit(now, "write", "crisis-information", None) };
    state.store.set_crisis_protocol(&protocol, who.user.id, audit, now).await?;
    Ok(Redirect::to("/admin/crisis").into_response())
}
