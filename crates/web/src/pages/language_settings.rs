//! Choosing a language that is kept (issue 17): a staff user's own on their account page, and a client's, set by
//! their therapist on the client's page (the client sets it themselves by answering a check in a language).
//! "As the device says" clears the choice: the browser's `Accept-Language` then decides.

use alliance_store::{AuditEvent, ClientId};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

/// A language select: the stored choice (empty: none) and the options as (tag, name in its own language).
pub struct LanguageChoice {
    pub current: String,
    pub options: Vec<(&'static str, &'static str)>,
}

impl LanguageChoice {
    pub fn of(stored: Option<&str>, pseudo_enabled: bool) -> Self {
        LanguageChoice {
            current: stored.unwrap_or_default().to_owned(),
            options: crate::language::offered(pseudo_enabled).into_iter().map(|l| (l.tag(), l.endonym())).collect(),
        }
    }
}

/// The `language` field: empty for none, else a language this server offers.
fn chosen(state: &AppState, form: &FormFields) -> Result<Option<&'static str>, WebError> {
    match form.one("language")?.unwrap_or("").trim() {
        "" => Ok(None),
        tag => crate::language::choosable(tag, state.config.pseudo_locale)
            .map(|lang| Some(lang.tag()))
            .ok_or_else(|| WebError::BadRequest(crate::language::current().t("language-unknown"))),
    }
}

/// `POST /account/language`: the user's own language. The switch's cookie on this browser is cleared, so the
/// stored choice is what the next page speaks.
pub async fn set_account_language(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let language = chosen(&state, &form)?;
    let mut event = who.audit(state.now(), "language", "account", Some(who.user.id.0));
    event.purpose = "account";
    state.store.set_user_language(who.user.id, language, event).await?;
    let mut response = Redirect::to("/account").into_response();
    crate::language::forget_choice(&mut response, state.config.https());
    Ok(response)
}

/// `POST /clients/{id}/language`: the client's language, set by their therapist (audited like any change to the
/// client's record).
pub async fn set_client_language(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let language = chosen(&state, &form)?;
    let event: AuditEvent = who.audit(state.now(), "language", "client", Some(write.client.id.0));
    state.store.set_client_language(write.client.id, language, Some(event)).await?;
    Ok(Redirect::to(&format!("/clients/{id}")).into_response())
}
