//! The client's background in their own words, on their own page (issue 20, item 2): one optional answer per
//! category the practice asks about, each saved only with the client's consent ticked, changed or removed by
//! them here. Shown only where the practice switched culture on (`--culture-item`).

use alliance_core::culture::{BackgroundText, YesNoUnsure};
use alliance_store::{AuditEvent, BackgroundEntry, ClientId, NewBackground};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::WebError;
use crate::forms::FormFields;
use crate::state::AppState;

/// One yes / no / not sure choice as a radio button.
pub(super) struct Choice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// One category as the client's page shows it.
pub(super) struct BackgroundRow {
    pub id: String,
    pub label: String,
    pub text: String,
    pub matters: Vec<Choice>,
    pub shared: Vec<Choice>,
    pub answered: bool,
}

fn choices(chosen: Option<YesNoUnsure>) -> Vec<Choice> {
    let tr = crate::language::current();
    YesNoUnsure::ALL
        .into_iter()
        .map(|a| Choice {
            value: a.as_str(),
            label: tr.t(match a {
                YesNoUnsure::Yes => "background-answer-yes",
                YesNoUnsure::No => "background-answer-no",
                YesNoUnsure::Unsure => "background-answer-unsure",
            }),
            checked: chosen == Some(a),
        })
        .collect()
}

/// The message naming a default category (`culture::DEFAULT_CATEGORIES`) in the client's language.
fn default_label(id: &str) -> Option<&'static str> {
    Some(match id {
        "language" => "background-category-language",
        "identity" => "background-category-identity",
        "faith" => "background-category-faith",
        "gender" => "background-category-gender",
        "age-band" => "background-category-age-band",
        _ => return None,
    })
}

/// The categories with the client's answers, or `None` where the practice does not ask.
pub(super) async fn rows(state: &AppState, client: ClientId) -> Result<Option<Vec<BackgroundRow>>, WebError> {
    let settings = &state.config.culture;
    if !settings.enabled {
        return Ok(None);
    }
    let tr = crate::language::current();
    let answers: Vec<BackgroundEntry> = state.store.backgrounds_of(&[client]).await?;
    let rows = settings
        .categories
        .iter()
        .map(|c| {
            let answer = answers.iter().find(|a| a.category == c.id);
            let label = match (&c.label, default_label(&c.id)) {
                (Some(label), _) => label.clone(),
                (None, Some(id)) => tr.t(id),
                (None, None) => c.id.clone(),
            };
            BackgroundRow {
                id: c.id.clone(),
                label,
                text: answer.map(|a| a.text.clone()).unwrap_or_default(),
                matters: choices(answer.map(|a| a.matters)),
                shared: choices(answer.map(|a| a.shared)),
                answered: answer.is_some(),
            }
        })
        .collect();
    Ok(Some(rows))
}

/// The client's page behind this link, where the practice asks about background; the form token checked.
async fn client_of(state: &AppState, token: &str, form: &mut FormFields) -> Result<ClientId, WebError> {
    if !state.config.culture.enabled {
        return Err(WebError::NotFound);
    }
    let page = super::own_page::page_of(state, token).await?.ok_or(WebError::NotFound)?;
    form.check_form_token(&state.secret, "own-page", token)?;
    Ok(page.client)
}

/// A category the practice asks about, named exactly.
fn category<'a>(state: &AppState, form: &'a FormFields) -> Result<&'a str, WebError> {
    let tr = crate::language::current();
    let id = form.one("category")?.unwrap_or("");
    match state.config.culture.category(id) {
        Some(_) => Ok(id),
        None => Err(WebError::BadRequest(tr.t("background-unknown-category"))),
    }
}

pub async fn save(
    State(state): State<AppState>,
    Path(token): Path<String>,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let client = client_of(&state, &token, &mut form).await?;
    let tr = crate::language::current();
    let category = category(&state, &form)?;
    // Nothing is kept without the client's agreement, given for this answer.
    if form.one("consent")? != Some("yes") {
        return Err(WebError::BadRequest(tr.t("background-consent-needed")));
    }
    let text = BackgroundText::parse(form.one("text")?.unwrap_or(""))
        .map_err(|e| WebError::BadRequest(crate::language::parse_error(&e)))?;
    let answer = |name: &str| -> Result<YesNoUnsure, WebError> {
        match form.one(name)? {
            None | Some("") => Ok(YesNoUnsure::Unsure),
            Some(word) => YesNoUnsure::parse(word).ok_or_else(|| WebError::BadRequest(tr.t("background-choose"))),
        }
    };
    let (matters, shared) = (answer("matters")?, answer("shared")?);
    let now = state.now();
    let entry = NewBackground { category, text: &text, matters, shared };
    let audit = AuditEvent::system(now, "client-described-background", "client", "care");
    state.store.set_background(client, entry, audit, now).await?;
    Ok(Redirect::to(&format!("/my/{token}#background")).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Path(token): Path<String>,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let client = client_of(&state, &token, &mut form).await?;
    let category = category(&state, &form)?;
    let audit = AuditEvent::system(state.now(), "client-removed-background", "client", "care");
    state.store.remove_background(client, category, audit).await?;
    Ok(Redirect::to(&format!("/my/{token}#background")).into_response())
}
