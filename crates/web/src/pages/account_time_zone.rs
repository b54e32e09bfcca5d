//! The user's own time zone on their account page (issue 13: local time per practice and per user). Empty means
//! the practice's zone; anything else must be a zone this server knows.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::LocalZone;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::state::AppState;

/// What the account page shows of the zone: the one in use, the user's own choice (empty: the practice's), the
/// practice's, the clock now, and the names to choose from.
pub struct ZoneView {
    pub in_use: String,
    pub own: String,
    pub practice: String,
    pub now: String,
    pub names: Vec<String>,
}

pub fn view(state: &AppState, who: &SignedIn) -> ZoneView {
    ZoneView {
        in_use: who.zone.name().to_owned(),
        own: who.user.time_zone.clone().unwrap_or_default(),
        practice: state.config.time_zone.name().to_owned(),
        now: super::show_time(state.now(), &who.zone),
        names: LocalZone::names(),
    }
}

/// `POST /account/time-zone`: sets or clears the user's own zone.
pub async fn set_time_zone(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let raw = form.one("time_zone")?.unwrap_or("").trim();
    let zone = if raw.is_empty() {
        None
    } else {
        match LocalZone::parse(raw) {
            Ok(zone) => Some(zone),
            Err(why) => {
                let error = Some(crate::language::current().t1("account-not-changed", "why", why.to_string()));
                return super::account::render(&state, &who, StatusCode::UNPROCESSABLE_ENTITY, None, error).await;
            }
        }
    };
    let mut event = who.audit(state.now(), "time-zone", "account", Some(who.user.id.0));
    event.purpose = "account";
    state.store.set_time_zone(who.user.id, zone.as_ref().map(LocalZone::name), event).await?;
    Ok(Redirect::to("/account").into_response())
}
