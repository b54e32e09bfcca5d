//! The client's post-session check: opened from a link or QR code, no account, single use, expiring. The
//! page names neither the client nor the therapist, so a link seen by someone else reveals nothing.

use alliance_app::{CheckOutcome, PartnerForm};
use alliance_core::crisis::CrisisProtocol;
use alliance_core::scoring::{AnswerError, Answers};
use alliance_store::{LinkState, LinkView};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use time::OffsetDateTime;

use super::admin_crisis::crisis_information;
use super::partner_check;
use super::questionnaire::{SectionView, section};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::language::Switch;
use crate::security;
use crate::state::AppState;

/// The hidden field that carries the check page's language.
const LANGUAGE_FIELD: &str = "page-lang";

#[derive(Template)]
#[template(path = "respond.html")]
struct RespondPage {
    tr: alliance_i18n::Tr,
    csrf: String,
    questions: usize,
    minutes: usize,
    first_error: Option<String>,
    sections: Vec<SectionView>,
    error: Option<String>,
    /// The crisis information, when the answers given so far mention thoughts of death or self-harm.
    crisis: Option<CrisisProtocol>,
    expires: String,
    consent: ConsentView,
    stop_action: String,
    /// On a waiting-room tablet: its code form, where the page returns after a while without input.
    kiosk_home: Option<String>,
    /// The client's own page, when their therapist has given them one (never on a shared tablet).
    own_page: Option<String>,
    switch: Switch,
}

/// After the answers are sent on a waiting-room tablet: thanks, and back to the code form by itself.
#[derive(Template)]
#[template(path = "kiosk_done.html")]
struct KioskDone {
    tr: alliance_i18n::Tr,
    crisis: Option<CrisisProtocol>,
    home: String,
}

/// What the consent text on the check says about this client and this practice.
pub struct ConsentView {
    /// Shown open: the client has not seen this version of the text yet.
    pub due: bool,
    pub supervised: bool,
    pub retention: String,
    /// The research answer as given (`yes` or not).
    pub research: String,
}

/// How long the practice keeps a client's answers, in the client's words.
pub fn retention_text(years: Option<u32>) -> String {
    let tr = crate::language::current();
    match years {
        Some(n) => tr.t1("retention-years", "years", n),
        None => tr.t("retention-practice"),
    }
}

/// After the answers are stored: thanks, and the way to the client's own page when their therapist has given
/// them one.
#[derive(Template)]
#[template(path = "thank_you.html")]
struct ThankYouPage {
    tr: alliance_i18n::Tr,
    crisis: Option<CrisisProtocol>,
    own_page: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub tr: alliance_i18n::Tr,
    pub title: &'a str,
    pub paragraphs: Vec<&'a str>,
    /// The practice's crisis information, shown first, when the answers mention thoughts of death or self-harm.
    pub crisis: Option<CrisisProtocol>,
    /// The language switch, on the pages a client reads.
    pub switch: Option<Switch>,
}

/// A page of a title and paragraphs, each a message id, in the request's language.
fn message(status: StatusCode, title: &str, paragraphs: &[&str]) -> Result<Response, WebError> {
    with_crisis(status, title, paragraphs, None)
}

fn with_crisis(
    status: StatusCode,
    title: &str,
    paragraphs: &[&str],
    crisis: Option<CrisisProtocol>,
) -> Result<Response, WebError> {
    let tr = crate::language::current();
    let title = tr.t(title);
    let paragraphs: Vec<String> = paragraphs.iter().map(|p| tr.t(p)).collect();
    let paragraphs = paragraphs.iter().map(String::as_str).collect();
    let page = MessagePage { tr, title: &title, paragraphs, crisis, switch: Some(Switch::here(false)) };
    Ok((status, Html(page.render()?)).into_response())
}

pub(super) fn not_valid() -> Result<Response, WebError> {
    message(StatusCode::NOT_FOUND, "link-invalid-title", &["link-invalid"])
}

/// The practice's crisis information is shown whenever answers mention thoughts of death or self-harm, even when
/// they cannot be stored (`admin_crisis::crisis_information`: the built-in text when none is set or readable).
fn refused_page(state: LinkState, crisis: Option<CrisisProtocol>) -> Result<Response, WebError> {
    let Some(crisis) = crisis else {
        return state_page(state, true);
    };
    match state {
        // The same answers sent again after a lost reply (the first were stored, the reply never came) land here
        // too, so the page must not say they were not sent.
        LinkState::Used => {
            with_crisis(StatusCode::CONFLICT, "link-used-title", &["link-used-with-crisis"], Some(crisis))
        }
        _ => with_crisis(StatusCode::GONE, "link-expired-title", &["link-expired-with-crisis"], Some(crisis)),
    }
}

pub(super) fn state_page(state: LinkState, on_submit: bool) -> Result<Response, WebError> {
    match state {
        LinkState::Used => {
            message(if on_submit { StatusCode::CONFLICT } else { StatusCode::OK }, "link-used-title", &["link-used"])
        }
        LinkState::Expired => message(StatusCode::GONE, "link-expired-title", &["link-expired", "link-expired-new"]),
        LinkState::Open => not_valid(),
    }
}

/// When the link ends, on the practice's clock (a client has no account, so no zone of their own).
fn expiry_text(expires: OffsetDateTime, zone: &crate::LocalZone) -> String {
    super::show_time(expires, zone)
}

pub(super) async fn open_link(
    state: &AppState,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<LinkView>, WebError> {
    if !security::looks_like_token(token) {
        return Ok(None);
    }
    let link = state.app.check_link(&security::hash_token(token), now).await?;
    // The page speaks the client's language from here on (unless this browser chose another).
    if let Some(link) = &link {
        crate::language::adopt(link.language.as_deref());
    }
    Ok(link)
}

/// What the form shows again: the answers given so far, the questionnaires' first problem, the goal and task
/// fields as given.
#[derive(Default)]
struct Given<'a> {
    answers: &'a [Answers],
    error: Option<(usize, &'a AnswerError)>,
    partner: PartnerForm,
    kiosk_home: Option<String>,
}

async fn render_form(
    state: &AppState,
    token: &str,
    link: &LinkView,
    given: Given<'_>,
    crisis: Option<CrisisProtocol>,
) -> Result<String, WebError> {
    let Given { answers, error, partner: partner_form, kiosk_home } = given;
    let instruments = state.app.check_instruments(link)?;
    let partner = state.app.check_partner(link).await?;
    let mut sections: Vec<SectionView> = instruments
        .iter()
        .enumerate()
        .map(|(i, ins)| {
            let empty = Answers::new();
            let given = answers.get(i).unwrap_or(&empty);
            section(
                ins,
                &alliance_app::check_field_prefix(ins),
                given,
                error.filter(|(at, _)| *at == i).map(|(_, e)| e),
            )
        })
        .collect();
    sections.extend(partner_check::sections(&partner, &partner_form));
    let parts = sections.len();
    if parts > 1 {
        for (i, section) in sections.iter_mut().enumerate() {
            section.part = crate::language::current().t2("check-part", "part", i + 1, "parts", parts);
        }
    }
    let consent = ConsentView {
        due: partner.consent_due,
        supervised: partner.supervised,
        retention: retention_text(state.config.retention_years),
        research: partner_form.value(alliance_app::CONSENT_FIELD).to_owned(),
    };
    let questions: usize =
        sections.iter().map(|s| s.items.iter().filter(|i| i.followup.is_none() && i.kind != "text").count()).sum();
    let first_error =
        sections.iter().flat_map(|s| s.items.iter()).find(|i| i.error.is_some()).map(|i| format!("q-{}", i.name));
    Ok(RespondPage {
        tr: crate::language::current(),
        csrf: security::form_token(&state.secret, "respond", token),
        questions,
        // About five seconds a question, rounded up to whole minutes.
        minutes: (questions * 5).div_ceil(60).max(1),
        first_error,
        sections,
        error: (error.is_some() || !partner_form.errors.is_empty())
            .then(|| crate::language::current().t("check-errors")),
        crisis,
        expires: expiry_text(link.expires_at, &state.config.time_zone),
        consent,
        stop_action: format!("/c/{token}/stop"),
        own_page: match kiosk_home {
            Some(_) => None,
            None => super::own_page::url_for_link(state, link).await,
        },
        kiosk_home,
        switch: Switch::new(&format!("/c/{token}"), state.config.pseudo_locale),
    }
    .render()?)
}

pub async fn form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let now = state.now();
    let Some(link) = open_link(&state, &token, now).await? else { return not_valid() };
    if link.state != LinkState::Open {
        return state_page(link.state, false);
    }
    let given = Given { kiosk_home: super::kiosk::kiosk_home(&state, &headers).await, ..Given::default() };
    Ok(Html(render_form(&state, &token, &link, given, None).await?).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let kiosk_home = super::kiosk::kiosk_home(&state, &headers).await;
    let now = state.now();
    let Some(link) = open_link(&state, &token, now).await? else { return not_valid() };
    form.check_form_token(&state.secret, "respond", &token)?;
    // The page's language travels with the answers, to become the client's (for their e-mails and next check).
    let page_language =
        form.one(LANGUAGE_FIELD)?.and_then(|tag| crate::language::choosable(tag, state.config.pseudo_locale));
    let fields: Vec<(&str, &str)> = form.pairs().filter(|(name, _)| *name != LANGUAGE_FIELD).collect();
    let outcome = match state.app.submit_check(&link, &security::hash_token(&token), &fields, now).await {
        Ok(outcome) => outcome,
        // Nothing could be stored (the database unavailable, or a failure): the error page as usual, but answers
        // that mention thoughts of death or self-harm still get the crisis information (docs/SCIENCE.md#risk).
        Err(e) => {
            let mut response = WebError::from(e).into_response();
            if state.app.check_mentions_risk(&link, &fields) {
                let status = response.status();
                let title =
                    if status == StatusCode::SERVICE_UNAVAILABLE { "check-retry-title" } else { "check-failed-title" };
                let retry = response.headers_mut().remove(axum::http::header::RETRY_AFTER);
                response = with_crisis(status, title, &["check-retry"], Some(crisis_information(&state).await))?;
                if let Some(value) = retry {
                    response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
                }
            }
            return Ok(response);
        }
    };
    if let CheckOutcome::Sent { risk: true } = outcome
        && state.config.mail.is_some()
    {
        // The therapist is told at once, by e-mail, that a client needs them (issue 13, item 2): no content.
        match state.app.therapist_of_link(&link).await {
            Ok(Some(therapist)) => {
                crate::mail::queue(&state, therapist, alliance_store::MailKind::Risk, "/".into()).await
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "the therapist to notify of a risk answer could not be read"),
        }
    }
    if let (CheckOutcome::Sent { .. }, Some(lang)) = (&outcome, page_language)
        && link.language.as_deref() != Some(lang.tag())
        && lang != alliance_i18n::Lang::Pseudo
    {
        // Best effort: the answers are stored; a language not remembered is asked again next time.
        if let Err(e) = state.store.set_client_language(link.client, Some(lang.tag()), None).await {
            tracing::warn!(error = %e, "the client's language could not be remembered");
        }
    }
    match outcome {
        CheckOutcome::Sent { risk } => {
            let crisis = if risk { Some(crisis_information(&state).await) } else { None };
            // A shared tablet shows no way to the client's own page, and clears itself.
            if let Some(home) = kiosk_home {
                let page = KioskDone { tr: crate::language::current(), crisis, home };
                let mut response = (StatusCode::OK, Html(page.render()?)).into_response();
                // The next person at the tablet starts from their own language, not this client's choice.
                crate::language::forget_choice(&mut response, state.config.https());
                return Ok(response);
            }
            let own_page = super::own_page::url_for_link(&state, &link).await;
            let page = ThankYouPage { tr: crate::language::current(), crisis, own_page };
            Ok((StatusCode::OK, Html(page.render()?)).into_response())
        }
        CheckOutcome::Invalid { given, problem, partner, risk } => {
            let crisis = if risk { Some(crisis_information(&state).await) } else { None };
            let shown = Given { answers: &given, error: problem.as_ref().map(|(at, e)| (*at, e)), partner, kiosk_home };
            let html = render_form(&state, &token, &link, shown, crisis).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        CheckOutcome::Refused { state: link_state, risk } => {
            let crisis = if risk { Some(crisis_information(&state).await) } else { None };
            refused_page(link_state, crisis)
        }
        CheckOutcome::Gone => not_valid(),
    }
}
