//! Which language a response speaks.
//!
//! Each request starts with the visitor's own choice on this browser (the language switch's cookie), else their
//! browser's `Accept-Language`, else English, and keeps it for its whole run in a task-local, so that every page
//! and every error page of the request reads the same. Once the request is known to be someone's, their stored
//! language takes over: a staff user's at the route guard, a client's when their link opens; the switch's cookie
//! still wins over a stored choice, since it is the person on this device choosing now. E-mails, which have no
//! request, are written in the recipient's stored language (`Tr` passed explicitly).

use std::cell::Cell;

use alliance_i18n::{Lang, Tr};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::security;
use crate::state::AppState;

/// The switch's cookie: the language chosen on this browser.
pub const LANGUAGE_COOKIE: &str = "alliance_lang";

tokio::task_local! {
    static REQUEST_LANG: RequestLanguage;
}

struct RequestLanguage {
    current: Cell<Lang>,
    /// Chosen on this browser with the switch: a stored language does not override it.
    chosen_here: bool,
    /// The request's path, where a language switch on a GET page goes back to.
    path: String,
}

/// The words of the current request; English outside a request.
pub fn current() -> Tr {
    Tr::new(REQUEST_LANG.try_with(|l| l.current.get()).unwrap_or_default())
}

/// The request turned out to be someone's with this stored language (a tag, or none): it takes over unless the
/// visitor chose a language on this browser.
pub fn adopt(stored: Option<&str>) {
    let Some(lang) = stored.and_then(Lang::parse) else { return };
    let _ = REQUEST_LANG.try_with(|l| {
        if !l.chosen_here {
            l.current.set(lang);
        }
    });
}

/// The language a person chose for themself, parsed from a form or a stored value: only the languages one can
/// choose, or the pseudo-locale when this server enables it for tests.
pub fn choosable(tag: &str, pseudo_enabled: bool) -> Option<Lang> {
    match Lang::parse(tag)? {
        Lang::Pseudo if !pseudo_enabled => None,
        lang => Some(lang),
    }
}

/// The languages a switch offers on this server.
pub fn offered(pseudo_enabled: bool) -> Vec<Lang> {
    if pseudo_enabled { Lang::ALL.to_vec() } else { Lang::CHOOSABLE.to_vec() }
}

fn from_headers(headers: &HeaderMap, state: &AppState) -> (Lang, bool) {
    let pseudo = state.config.pseudo_locale;
    if let Some(chosen) =
        security::read_cookie(headers, LANGUAGE_COOKIE, state.config.https()).and_then(|tag| choosable(&tag, pseudo))
    {
        return (chosen, true);
    }
    let accepted = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(alliance_i18n::from_accept_language);
    (accepted.unwrap_or_default(), false)
}

/// Middleware: the request's first guess, kept for its whole run.
pub async fn attach(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (lang, chosen_here) = from_headers(request.headers(), &state);
    let path = request.uri().path().to_owned();
    REQUEST_LANG.scope(RequestLanguage { current: Cell::new(lang), chosen_here, path }, next.run(request)).await
}

/// The language switch (`POST /language`, fields `lang` and `next`): remembers the choice on this browser for a
/// year and goes back to the page it came from. Only a path on this server is followed, so the switch cannot be
/// used to send someone elsewhere.
pub async fn switch(
    State(state): State<AppState>,
    form: crate::forms::FormFields,
) -> Result<Response, crate::error::WebError> {
    use axum::response::IntoResponse;
    let bad = || crate::error::WebError::BadRequest(current().t("language-unknown"));
    let lang = choosable(form.one("lang")?.unwrap_or(""), state.config.pseudo_locale).ok_or_else(bad)?;
    let next = form.one("next")?.unwrap_or("/");
    let next = if local_path(next) { next } else { "/" };
    let cookie = security::set_cookie(
        LANGUAGE_COOKIE,
        lang.tag(),
        security::Lifetime::Seconds(365 * 24 * 3600),
        state.config.https(),
    );
    let mut response = axum::response::Redirect::to(next).into_response();
    response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    Ok(response)
}

/// A path on this server: begins with one `/` (not `//host` or `/\host`, which browsers read as another site) and
/// holds no control characters.
pub fn local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 512
        && !path.chars().any(|c| c.is_control())
}

/// What a language switch on a page needs: where it goes back to, and the languages with the current one marked.
pub struct Switch {
    pub next: String,
    pub options: Vec<(&'static str, &'static str, bool)>,
}

impl Switch {
    /// A switch that comes back to this request's own address (for a page a GET shows).
    pub fn here(pseudo_enabled: bool) -> Self {
        let path = REQUEST_LANG.try_with(|l| l.path.clone()).unwrap_or_else(|_| "/".to_owned());
        Switch::new(&path, pseudo_enabled)
    }

    pub fn new(next: &str, pseudo_enabled: bool) -> Self {
        let now = current().lang();
        Switch {
            next: next.to_owned(),
            options: offered(pseudo_enabled).into_iter().map(|l| (l.tag(), l.endonym(), l == now)).collect(),
        }
    }
}

/// A score band's label from an instrument file ("mild"), in the reader's words. The files name the bands in
/// English, as the scoring literature does; the labels Alliance's instruments use have messages, and a label of a
/// practice's own instrument is shown as written.
pub fn band_words(label: &str) -> String {
    let tr = current();
    let id = match label {
        "minimal" => "band-minimal",
        "mild" => "band-mild",
        "moderate" => "band-moderate",
        "moderately severe" => "band-moderately-severe",
        "severe" => "band-severe",
        other => return tr.data_text(other).into_owned(),
    };
    tr.t(id)
}

/// Why a value was refused, in the reader's words. The domain names its fields and reasons in English, for logs
/// and tests; the known ones have messages, and any other is shown as written.
pub fn parse_error(error: &alliance_core::domain::ParseError) -> String {
    use alliance_core::domain::ParseError;
    let tr = current();
    let field = |name: &str| {
        let id = match name {
            "pseudonym" => "field-pseudonym",
            "name" => "field-name",
            "e-mail" => "field-email",
            "password" => "field-password",
            "role" => "field-role",
            "rating" => "field-rating",
            "goal" => "field-goal",
            "task" => "field-task",
            "what got in the way" => "field-obstacle",
            "note" => "field-note",
            "schedule" => "field-schedule",
            "the crisis text" => "field-crisis-text",
            "a contact's name" => "field-contact-name",
            "a contact" => "field-contact",
            "a contact's link" => "field-contact-link",
            "the contacts" => "field-contacts",
            other => return other.to_owned(),
        };
        tr.t(id)
    };
    match error {
        ParseError::Empty { field: f } => tr.t1("parse-empty", "field", field(f)),
        ParseError::TooLong { field: f, max } => tr.t2("parse-too-long", "field", field(f), "max", *max),
        ParseError::BadCharacters { field: f } => tr.t1("parse-bad-characters", "field", field(f)),
        ParseError::Invalid { field: f, why } => {
            let why = match *why {
                "it needs an @" => tr.t("why-needs-at"),
                "it does not look like an address" => tr.t("why-not-an-address"),
                "it needs at least 12 characters" => tr.t("why-password-length"),
                "unknown role" => tr.t("why-unknown-role"),
                "it must be a whole number from 0 to 10" => tr.t("why-zero-to-ten"),
                "not one of the choices" => tr.t("why-not-a-choice"),
                "use every, every:N (2 to 8) or first-last" => tr.t("why-cadence"),
                "write each measure as id=cadence" => tr.t("why-measure-form"),
                "a measure is named twice" => tr.t("why-measure-twice"),
                "at most 8, one a line" => tr.t("why-contacts-count"),
                "write it as: name | number or link" => tr.t("why-contact-form"),
                "give a phone number (digits, spaces, + - ( ) .) or an https:// link" => tr.t("why-contact-target"),
                "it must be a plain https:// address" => tr.t("why-https"),
                other => other.to_owned(),
            };
            tr.t2("parse-invalid", "field", field(f), "why", why)
        }
    }
}

/// Why a supervision comment was refused, in the reader's words.
pub fn comment_error(error: &alliance_core::supervision::CommentError) -> String {
    use alliance_core::supervision::{CommentBody, CommentError};
    let tr = current();
    match error {
        CommentError::Empty => tr.t("comment-empty"),
        CommentError::TooLong { chars } => tr.t2("comment-too-long", "max", CommentBody::MAX, "chars", *chars),
        CommentError::ControlCharacter => tr.t("comment-bad-characters"),
    }
}

/// Adds to `response` the header that removes this browser's language switch, so the stored language (a staff
/// user's, or the next client's at a shared tablet) applies from the next page.
pub fn forget_choice(response: &mut axum::response::Response, https: bool) {
    let forget = crate::security::set_cookie(LANGUAGE_COOKIE, "", crate::security::Lifetime::Remove, https);
    response.headers_mut().append(axum::http::header::SET_COOKIE, forget);
}
