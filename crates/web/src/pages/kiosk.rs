//! The waiting-room tablet (issue 16, item 7). An administrator adds a tablet for a practice location and opens its
//! address on it once (`/kiosk/{token}`; only the token's hash is kept). The therapist makes a short one-time code
//! for a session's check and reads it to the client, who types it on the tablet: the tablet opens the check,
//! and after the answers are sent it clears itself (the thank-you page returns to the code form; the check page is
//! never cached, and going back shows only "already answered"). Codes are rate-limited per tablet and per
//! network address, and every use and failure is audited.

use alliance_store::{AuditEvent, NewLink, SessionId};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use time::Duration;

use super::{Nav, show_date, show_time};
use crate::access;
use crate::auth::SignedIn;
use crate::client::ClientAddress;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::security;
use crate::state::AppState;
use crate::throttle::{self, Rule};

/// Letters and digits no one mistakes for another when read aloud or typed: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6.
const CODE_ALPHABET: &[u8] = b"ACDEFHJKMNPQRTUVWXY34679";
const CODE_LENGTH: usize = 6;
/// How long a code works after the therapist made it.
pub const CODE_LIFETIME: Duration = Duration::minutes(15);
/// The cookie that tells the check pages they are on a tablet: its value is the tablet's own token.
pub const KIOSK_COOKIE: &str = "alliance_kiosk";

fn new_code() -> String {
    (0..CODE_LENGTH).map(|_| char::from(CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())])).collect()
}

/// A typed code, as the tablet reads it: case, spaces and dashes do not matter. `None` when it cannot be one.
fn normalise(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    (code.len() == CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

fn code_hash(state: &AppState, code: &str) -> Vec<u8> {
    security::form_token(&state.secret, "kiosk-code", code).into_bytes()
}

/// The tablet's home address behind the kiosk cookie of this request, when it names a working tablet.
pub async fn kiosk_home(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let token = security::read_cookie(headers, KIOSK_COOKIE, state.config.https())?;
    if !security::looks_like_token(&token) {
        return None;
    }
    match state.store.kiosk_by_token(&security::hash_token(&token)).await {
        Ok(Some(_)) => Some(format!("/kiosk/{token}")),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "the tablet behind a kiosk cookie could not be read");
            None
        }
    }
}

#[derive(Template)]
#[template(path = "kiosk_code.html")]
struct CodePage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    session_id: i64,
    code: String,
    until: String,
}

/// A code for this session's check on a waiting-room tablet: a new link (what the schedule says is due) and a
/// code that opens it once within [`CODE_LIFETIME`].
pub async fn make_code(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (_write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    if !state.store.stopped_asking(&[session.client]).await?.is_empty() {
        return Err(WebError::BadRequest(crate::language::current().t("kiosk-client-stopped")));
    }
    // Before the session the tablet asks what the schedule asks before it; afterwards, the rest.
    let instruments =
        super::sessions::link_instruments(&state, &session, None, super::sessions::Due::BeforeFirst).await?;
    if instruments.is_empty() {
        return Err(WebError::BadRequest(crate::language::current().t("kiosk-nothing-due")));
    }
    let token = security::new_token();
    let now = state.now();
    let expires_at = now + state.config.links.expires_after;
    let link = NewLink { session: session.id, token_hash: security::hash_token(&token), expires_at, instruments };
    let link = state.store.create_link(link, who.audit(now, "create", "link", None), now).await?;
    let code = new_code();
    let until = now + CODE_LIFETIME;
    let audit = who.audit(now, "create", "kiosk-code", None);
    state.store.add_kiosk_code(link, &code_hash(&state, &code), &token, until, audit, now).await?;
    let page = CodePage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        session_id: session.id.0,
        code: format!("{}-{}", &code[..3], &code[3..]),
        until: show_time(until, &who.zone),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "kiosk.html")]
struct KioskPage {
    tr: alliance_i18n::Tr,
    token: String,
    csrf: String,
    error: Option<String>,
    switch: crate::language::Switch,
}

fn not_a_tablet() -> Result<Response, WebError> {
    let tr = crate::language::current();
    let (title, paragraph) = (tr.t("kiosk-not-set-up-title"), tr.t("kiosk-not-set-up"));
    let page = super::respond::MessagePage {
        tr,
        title: &title,
        paragraphs: vec![&paragraph],
        crisis: None,
        switch: Some(crate::language::Switch::here(false)),
    };
    Ok((StatusCode::NOT_FOUND, Html(page.render()?)).into_response())
}

fn kiosk_page(state: &AppState, token: &str, status: StatusCode, error: Option<String>) -> Result<Response, WebError> {
    let csrf = security::form_token(&state.secret, "kiosk", token);
    let cookie =
        security::set_cookie(KIOSK_COOKIE, token, security::Lifetime::Seconds(365 * 86_400), state.config.https());
    let switch = crate::language::Switch::new(&format!("/kiosk/{token}"), state.config.pseudo_locale);
    let html = KioskPage { tr: crate::language::current(), token: token.to_owned(), csrf, error, switch }.render()?;
    Ok((status, [(header::SET_COOKIE, cookie)], Html(html)).into_response())
}

async fn tablet(state: &AppState, token: &str) -> Result<Option<alliance_store::Kiosk>, WebError> {
    if !security::looks_like_token(token) {
        return Ok(None);
    }
    Ok(state.store.kiosk_by_token(&security::hash_token(token)).await?)
}

/// The tablet's code form; it also (re)sets the cookie that puts the check pages in tablet mode.
pub async fn home(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    if tablet(&state, &token).await?.is_none() {
        return not_a_tablet();
    }
    kiosk_page(&state, &token, StatusCode::OK, None)
}

/// A code typed on the tablet: its check, or the form again with why not.
pub async fn enter(
    State(state): State<AppState>,
    Path(token): Path<String>,
    address: Option<axum::Extension<ClientAddress>>,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let Some(kiosk) = tablet(&state, &token).await? else { return not_a_tablet() };
    form.check_form_token(&state.secret, "kiosk", &token)?;
    let now = state.now();
    let audit = |action| AuditEvent { object_id: Some(kiosk.id), ..AuditEvent::system(now, action, "kiosk", "care") };
    // Counted before the code is checked, per tablet and per network address, so guessing is slow from anywhere.
    let by_kiosk = throttle::key(&state, "kiosk", &kiosk.id.to_string());
    let address = address.and_then(|a| a.0.0).map_or_else(String::new, |a| a.to_string());
    let by_address = throttle::key(&state, "kiosk-address", &address);
    for (key, rule) in [(&by_kiosk, Rule::Growing), (&by_address, Rule::Budget)] {
        if let Err(wait) = throttle::claim(&state, key, rule, now, true).await? {
            state.store.audit(audit("kiosk-code-throttled")).await?;
            return Err(WebError::Throttled(wait));
        }
    }
    let typed = form.one("code")?.unwrap_or("");
    let opened = match normalise(typed) {
        Some(code) => state.store.use_kiosk_code(&code_hash(&state, &code), kiosk.id, now).await?,
        None => None,
    };
    let Some(link_token) = opened else {
        state.store.audit(audit("kiosk-code-failed")).await?;
        let why = crate::language::current().t("kiosk-bad-code");
        return kiosk_page(&state, &token, StatusCode::NOT_FOUND, Some(why));
    };
    throttle::clear(&state, &by_kiosk).await?;
    state.store.audit(audit("kiosk-code-used")).await?;
    Ok(Redirect::to(&format!("/c/{link_token}")).into_response())
}

#[derive(Template)]
#[template(path = "admin_kiosks.html")]
struct AdminPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    kiosks: Vec<KioskRow>,
    created: Option<String>,
}

struct KioskRow {
    id: i64,
    name: String,
    added: String,
    revoked: Option<String>,
}

async fn admin_page(state: &AppState, who: &SignedIn, created: Option<String>) -> Result<Response, WebError> {
    let zone = &who.zone;
    let kiosks = state
        .store
        .kiosks()
        .await?
        .into_iter()
        .map(|k| KioskRow {
            id: k.id,
            name: k.name,
            added: show_date(zone.date_of(k.created_at)),
            revoked: k.revoked_at.map(|at| show_date(zone.date_of(at))),
        })
        .collect();
    Ok(Html(AdminPage { tr: crate::language::current(), nav: Nav::of(who), kiosks, created }.render()?).into_response())
}

pub async fn admin(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, alliance_core::domain::Role::Administrator)?;
    admin_page(&state, &who, None).await
}

/// Adds a tablet: its address is shown once.
pub async fn add(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    crate::reauth::administrator_confirmed(&state, &who, &mut form).await?;
    let name = alliance_core::text_policy::single_line("where it stands", form.one("name")?.unwrap_or(""), 60)
        .map_err(|e| WebError::BadRequest(format!("{e}.")))?;
    let token = security::new_token();
    let now = state.now();
    let audit = who.audit(now, "create", "kiosk", None);
    state.store.create_kiosk(&name, &security::hash_token(&token), audit, now).await?;
    let address = format!("{}/kiosk/{token}", state.config.public_url.trim_end_matches('/'));
    admin_page(&state, &who, Some(address)).await
}

pub async fn revoke(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    crate::reauth::administrator_confirmed(&state, &who, &mut form).await?;
    let now = state.now();
    state.store.revoke_kiosk(id, who.audit(now, "revoke", "kiosk", Some(id)), now).await?;
    Ok(Redirect::to("/admin/kiosks").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unmistakable_characters_and_read_back_as_typed() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(normalise(&code).as_deref(), Some(code.as_str()));
            assert_eq!(normalise(&format!(" {}-{} ", &code[..3], &code[3..]).to_lowercase()), Some(code));
        }
        for bad in ["", "ACD", "ACDEFHJ", "ACDEF0", "ACDEFO", "ACDEF1", "ACD EF\u{202e}"] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
