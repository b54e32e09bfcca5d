//! Recording sessions, the client's link and QR code, and the therapist's reflection.

use alliance_app::ReflectionOutcome;
use alliance_core::catalog::{BARRIER_CHECK, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use alliance_core::contact::Reach;
use alliance_core::instrument::Purpose;
use alliance_core::schedule::Timing;
use alliance_core::scoring::{AnswerError, Answers};
use alliance_store::{
    Channel, Client, EpisodeId, InstrumentRef, LinkState, MailKind, NewLink, NewLinkMessage, NewSession, Rater,
    SessionId, TherapySession,
};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use qrcode::QrCode;
use qrcode::render::svg;

use super::questionnaire::{SectionView, answer_lines, section};
use super::{Nav, show_date, show_time};
use crate::access::{self, ReadClient, Via};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::FormFields;
use crate::forms::Id;
use crate::security;
use crate::state::AppState;

pub async fn record_session(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let episode = episode_to_record(&state, &who, EpisodeId(id)).await?;
    let attended = match form.one("attended")? {
        None => false,
        Some("yes") => true,
        Some(_) => return Err(WebError::BadRequest(crate::language::current().t("session-attended-invalid"))),
    };
    let session = record(&state, &who, &episode, form.one("held_on")?, attended).await?;
    Ok(Redirect::to(&format!("/sessions/{}", session.id)).into_response())
}

/// An episode the user may record a session of: the client's own therapist only, and not once it has ended.
/// The first step of recording a session, on the form and on `POST /api/v1/episodes/{id}/sessions`.
pub(crate) async fn episode_to_record(
    state: &AppState,
    who: &SignedIn,
    id: EpisodeId,
) -> Result<alliance_store::Episode, WebError> {
    let episode = state.store.episode(id).await?.ok_or(WebError::NotFound)?;
    // Holding the capability is the proof that only the client's own therapist records sessions.
    let _write = access::write_client(state, who, episode.client).await?;
    if episode.ended_on.is_some() {
        return Err(WebError::BadRequest(crate::language::current().t("session-episode-ended")));
    }
    Ok(episode)
}

/// Records a session of an episode [`episode_to_record`] gave: the one use case behind the form and
/// `POST /api/v1/episodes/{id}/sessions`. `held_on` is a care date as the form takes it, in the user's zone.
pub(crate) async fn record(
    state: &AppState,
    who: &SignedIn,
    episode: &alliance_store::Episode,
    held_on: Option<&str>,
    attended: bool,
) -> Result<TherapySession, WebError> {
    let what = crate::language::current().t("session-date-field");
    let held_on = super::care_date(held_on, who.today(state.now()), &what).map_err(WebError::BadRequest)?;
    let now = state.now();
    Ok(state
        .store
        .record_session(
            NewSession { episode: episode.id, held_on, attended },
            who.audit(now, "create", "session", None),
            now,
        )
        .await?)
}

pub struct NewLinkView {
    pub url: String,
    pub qr_svg: String,
    pub expires: String,
}

pub struct AnswerTable {
    pub title: String,
    /// Each scale's score with its severity band, e.g. ("PHQ-9", "14 · moderate").
    pub scores: Vec<(String, String)>,
    pub rows: Vec<AnswerRow>,
}

pub struct AnswerRow {
    pub question: String,
    pub answer: String,
    /// A critical item answered at or above its risk threshold (PHQ-9 item 9): highlighted.
    pub risk: bool,
}

/// The client's and the therapist's alliance ratings of one session, scale by scale.
pub struct AllianceSideBySide {
    /// (scale, client, therapist); "—" where one side has no score.
    pub rows: Vec<(String, String, String)>,
}

/// A scale's score as shown: the value, its band when the scale has bands, and whether missing items were
/// pro-rated.
fn shown_score(score: &alliance_core::scoring::ScaleScore) -> String {
    let tr = crate::language::current();
    let Some(value) = score.value else { return tr.t("session-not-scored") };
    let mut text = super::words::number(value);
    if let Some(band) = &score.band {
        text.push_str(&format!(" · {}", crate::language::band_words(band)));
    }
    if score.prorated {
        text.push(' ');
        text.push_str(&tr.t("session-prorated"));
    }
    text
}

/// Goals, tasks, bond and the total: the scales both alliance forms share, client beside therapist.
fn alliance_side_by_side(
    state: &AppState,
    client: Option<&alliance_store::StoredResponse>,
    therapist: Option<&alliance_store::StoredResponse>,
) -> Option<AllianceSideBySide> {
    let (client, therapist) = (client?, therapist?);
    let ins = state.catalog.get(RELATIONSHIP_CHECK)?;
    let value = |r: &alliance_store::StoredResponse, scale: &str| {
        r.scores.iter().find(|s| s.scale == scale).and_then(|s| s.value).map_or("—".to_owned(), super::words::number)
    };
    let rows = ["goals", "tasks", "bond", "alliance"]
        .iter()
        .filter_map(|id| {
            let name = super::questionnaire::scale_name(ins, ins.scale(id)?);
            Some((name, value(client, id), value(therapist, id)))
        })
        .collect();
    Some(AllianceSideBySide { rows })
}

/// The therapist's prediction of the client's check beside the check (issue 18): rows of (what, client,
/// prediction), what the strain comparison says, and whether the prediction was saved before the check came.
pub struct PredictionView {
    pub rows: Vec<(String, String, String)>,
    pub verdict: Option<String>,
    pub after_check: bool,
}

fn prediction_view(
    client: Option<&alliance_store::StoredResponse>,
    therapist: Option<&alliance_store::StoredResponse>,
) -> Option<PredictionView> {
    use alliance_core::recognition::{PredictionPair, StrainMatch, per_item};
    let therapist = therapist?;
    let score = |r: &alliance_store::StoredResponse, scale: &str| {
        r.scores.iter().find(|s| s.scale == scale).and_then(|s| s.value)
    };
    let predicted_strain = if therapist.flags.has("predicts-strain") {
        Some(true)
    } else {
        therapist.flags.has("predicts-no-strain").then_some(false)
    };
    let pair = PredictionPair {
        session: therapist.session_number,
        predicted_rating: score(therapist, "predicted-alliance"),
        predicted_strain,
        client_rating: client.and_then(|c| score(c, "alliance")).map(per_item),
        client_strain: client.map(|c| c.flags.has("rupture-reported")),
        before_check: client.is_none_or(|c| therapist.submitted_at < c.submitted_at),
    };
    if pair.predicted_rating.is_none() && pair.predicted_strain.is_none() {
        return None;
    }
    let tr = crate::language::current();
    let rating = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), super::words::number);
    let yes_no = |v: Option<bool>| match v {
        Some(true) => tr.t("session-yes"),
        Some(false) => tr.t("session-no"),
        None => "—".to_owned(),
    };
    let rows = vec![
        (tr.t("session-prediction-rating"), rating(pair.client_rating), rating(pair.predicted_rating)),
        (tr.t("session-prediction-strain"), yes_no(pair.client_strain), yes_no(pair.predicted_strain)),
    ];
    let verdict = pair.strain_match().map(|m| {
        tr.t(match m {
            StrainMatch::Spotted => "session-prediction-spotted",
            StrainMatch::Missed => "session-prediction-missed",
            StrainMatch::NotReported => "session-prediction-not-reported",
            StrainMatch::BothNone => "session-prediction-both-none",
        })
    });
    Some(PredictionView { rows, verdict, after_check: !pair.before_check })
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    client_id: i64,
    pseudonym: String,
    session_id: i64,
    number: u32,
    date: String,
    can_write: bool,
    new_link: Option<NewLinkView>,
    link_status: String,
    /// How the messages carrying the latest link went: sent, waiting, or why they could not be delivered.
    delivery: Vec<String>,
    /// Where a new link can be sent ("e-mail", "phone (text message)"), when the client's contact allows it and this
    /// server sends that way.
    send_to: Option<String>,
    answered: bool,
    has_link: bool,
    asks: String,
    /// Every measure the link may ask, the due ones ticked: the therapist may add or leave out one this time.
    measures: Vec<MeasureChoice>,
    reflection_status: String,
    reflection_action: String,
    /// The session was held before the client moved to this therapist: the reflection is the previous one's.
    previous_therapists: bool,
    answer_tables: Vec<AnswerTable>,
    alliance: Option<AllianceSideBySide>,
    prediction: Option<PredictionView>,
    thread: Option<super::supervision::ThreadView>,
    /// The session's transcript, coded, when there is one and the reader may see it (issue 21).
    transcript: Option<super::transcripts::TranscriptSection>,
    /// Whether the client reported a rupture in this session's check (None: no check), beside the markers.
    client_rupture: Option<bool>,
}

/// The questionnaires a session's link asks: the relationship check, then the episode's outcome measures that
/// can be administered here.
/// One measure the session's link may ask, with when its schedule asks it.
pub struct MeasureChoice {
    pub id: String,
    pub name: String,
    pub when: String,
    /// Due at this session by the schedule and not answered for it yet.
    pub due: bool,
    /// Asked before the session rather than after it.
    pub before: bool,
}

/// The measures a session's link may ask (the relationship check, then the episode's outcome measures that can be
/// administered), when the schedule (the episode's own, or the practice's) asks each, and whether each is due at
/// this session and not yet answered for it.
async fn measure_choices(state: &AppState, session: &TherapySession) -> Result<Vec<MeasureChoice>, WebError> {
    let episode = state.store.episode(session.episode).await?.ok_or(WebError::NotFound)?;
    let schedule = super::partnership::schedule_of(state, &episode).await?;
    let responses = state.store.responses_of(session.client).await?;
    let answered: Vec<&str> = responses
        .iter()
        .filter(|r| r.session == session.id && r.rater == alliance_store::Rater::Client)
        .map(|r| r.instrument.id.as_str())
        .collect();
    // The clinical-support questionnaires (issue 18) are offered beside the episode's measures: the barrier
    // check is due while the therapist's request for it stands, the others only when ticked.
    let requested = episode.ended_on.is_none() && state.store.open_barrier_request(episode.id).await?.is_some();
    let tr = crate::language::current();
    let support = state
        .catalog
        .all()
        .filter(|i| i.purpose == Purpose::ClinicalSupport && state.catalog.can_administer(&i.id))
        .map(|i| {
            let due = i.id == BARRIER_CHECK && requested && !answered.contains(&i.id.as_str());
            let when = tr.t(if i.id == BARRIER_CHECK { "session-when-requested" } else { "session-when-chosen" });
            let name = if i.id == BARRIER_CHECK { tr.t("barrier-check-name") } else { i.short_name.clone() };
            MeasureChoice { when, due, before: false, name, id: i.id.clone() }
        })
        .collect::<Vec<_>>();
    let mut choices: Vec<MeasureChoice> = super::partnership::episode_measures(state, &episode)
        .into_iter()
        .map(|(id, name)| {
            let (cadence, timing) = (schedule.cadence_of(&id), schedule.timing_of(&id));
            let when = match timing {
                Timing::After => super::partnership::cadence_label(cadence),
                Timing::Before => crate::language::current().t2(
                    "session-cadence-timing",
                    "cadence",
                    super::partnership::cadence_label(cadence),
                    "timing",
                    crate::language::current().t("session-before"),
                ),
            };
            let due = cadence.due(session.number) && !answered.contains(&id.as_str());
            MeasureChoice { when, due, before: timing == Timing::Before, name, id }
        })
        .collect();
    let support: Vec<MeasureChoice> = support.into_iter().filter(|s| !choices.iter().any(|c| c.id == s.id)).collect();
    choices.extend(support);
    Ok(choices)
}

/// Which of the due measures a link asks when the therapist did not choose: those of the given timing, or
/// (`None`) every due one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    All,
    /// On the waiting-room tablet: the measures asked before the session while any is due, else the others.
    BeforeFirst,
}

/// The questionnaires a session's link asks: those due (see [`Due`]), or the therapist's choice for this session
/// (`chosen`, which must name only measures the link may ask, at least one).
pub(crate) async fn link_instruments(
    state: &AppState,
    session: &TherapySession,
    chosen: Option<&[&str]>,
    due: Due,
) -> Result<Vec<InstrumentRef>, WebError> {
    let mut choices = measure_choices(state, session).await?;
    if let Some(chosen) = chosen {
        if chosen.is_empty() {
            return Err(WebError::BadRequest(crate::language::current().t("session-choose-one")));
        }
        if chosen.iter().any(|c| !choices.iter().any(|m| m.id == *c)) {
            return Err(WebError::BadRequest(crate::language::current().t("session-not-askable")));
        }
    } else if due == Due::BeforeFirst && choices.iter().any(|m| m.due && m.before) {
        choices.retain(|m| m.before);
    }
    Ok(choices
        .into_iter()
        .filter(|m| chosen.map_or(m.due, |chosen| chosen.contains(&m.id.as_str())))
        .filter_map(|m| state.catalog.get(&m.id).map(|i| InstrumentRef { version: i.version, id: m.id }))
        .collect())
}

async fn render_session(
    state: &AppState,
    who: &SignedIn,
    read: &ReadClient,
    session: &TherapySession,
    new_link: Option<NewLinkView>,
) -> Result<Response, WebError> {
    let now = state.now();
    let tr = crate::language::current();
    let links = state.store.links_for_session(session.id).await?;
    let link_status = match links.last() {
        None => tr.t("session-no-link"),
        Some(l) if l.used_at.is_some() => tr.t("session-answered"),
        Some(l) if l.expires_at <= now => tr.t("session-link-expired"),
        Some(l) => tr.t1("session-link-open", "until", show_time(l.expires_at, &who.zone)),
    };
    let delivery = delivery_lines(state, who, session, links.last()).await?;
    let send_to = reach(state, &read.client).map(|(reach, _)| match reach {
        Reach::Email(_) => tr.t("session-email"),
        Reach::Phone(_) => tr.t("session-phone"),
    });
    let measures = measure_choices(state, session).await?;
    let asks = measures.iter().filter(|m| m.due).map(|m| m.name.clone()).collect::<Vec<_>>().join(", ");
    let responses = state.store.responses_of(read.client.id).await?;
    let mut answer_tables = Vec::new();
    let mut has_reflection = false;
    for r in responses.iter().filter(|r| r.session == session.id) {
        let Some(ins) = state.catalog.get(&r.instrument.id) else { continue };
        let own = read.via == Via::OwnCaseload;
        if r.rater == Rater::Therapist {
            has_reflection = true;
            // A supervisor sees a reflection only when the therapist took it to supervision; the private
            // note stays with the therapist.
            if !access::reflection_visible(read.via, &r.flags) {
                continue;
            }
        }
        let who_answered = if r.rater == Rater::Client { tr.t("session-client") } else { tr.t("session-therapist") };
        let scores = r
            .scores
            .iter()
            .filter_map(|score| {
                Some((super::questionnaire::scale_name(ins, ins.scale(&score.scale)?), shown_score(score)))
            })
            .collect();
        let rows = answer_lines(ins, &r.answers, own)
            .into_iter()
            .map(|(id, question, answer)| AnswerRow {
                risk: r.flags.risks.iter().any(|flag| flag.item == id),
                question,
                answer,
            })
            .collect();
        let title = tr.t2("session-answer-title", "questionnaire", ins.name.as_str(), "who", who_answered);
        answer_tables.push(AnswerTable { title, scores, rows });
    }
    let visible = |rater: Rater, instrument: &str| {
        responses.iter().find(|r| {
            r.session == session.id
                && r.rater == rater
                && r.instrument.id == instrument
                && (rater == Rater::Client || access::reflection_visible(read.via, &r.flags))
        })
    };
    let alliance = alliance_side_by_side(
        state,
        visible(Rater::Client, RELATIONSHIP_CHECK),
        visible(Rater::Therapist, THERAPIST_REFLECTION),
    );
    let prediction =
        prediction_view(visible(Rater::Client, RELATIONSHIP_CHECK), visible(Rater::Therapist, THERAPIST_REFLECTION));
    let reflection = responses.iter().find(|r| r.session == session.id && r.instrument.id == THERAPIST_REFLECTION);
    let previous_therapists =
        read.via == Via::OwnCaseload && state.store.sessions_before_move(read.client.id).await?.contains(&session.id);
    let thread = super::supervision::thread_view(state, who, read, session, reflection).await?;
    let transcript = super::transcripts::for_session_page(state, who, read, session, reflection).await?;
    let page = SessionPage {
        tr,
        nav: Nav::of(who),
        client_id: read.client.id.0,
        pseudonym: read.client.pseudonym.clone(),
        session_id: session.id.0,
        number: session.number,
        date: show_date(session.held_on),
        can_write: read.via == Via::OwnCaseload,
        new_link,
        link_status,
        delivery,
        send_to,
        answered: links.iter().any(|l| l.used_at.is_some()),
        has_link: !links.is_empty(),
        asks,
        measures,
        reflection_status: tr.t(if has_reflection {
            "session-reflection-recorded"
        } else {
            "session-reflection-not-recorded"
        }),
        reflection_action: tr.t(if has_reflection { "session-reflection-edit" } else { "session-reflection-record" }),
        previous_therapists,
        answer_tables,
        alliance,
        prediction,
        thread,
        transcript,
        client_rupture: visible(Rater::Client, RELATIONSHIP_CHECK).map(|r| r.flags.has("rupture-reported")),
    };
    Ok(Html(page.render()?).into_response())
}

/// The cookie that carries a new link from its POST to the page that shows it (post-redirect-get): the store
/// keeps only the token's hash, so the token itself can be shown again only from the therapist's own browser.
/// A refresh of the page shows the same link instead of posting again and replacing the one the client may
/// already have scanned.
const NEW_LINK_COOKIE: &str = "alliance_link";
/// How long the browser keeps showing a new link: the length of a session and its check.
const NEW_LINK_SHOWN_SECONDS: i64 = 2 * 3600;

pub async fn session_page(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (read, session) = access::read_session(&state, &who, SessionId(id)).await?;
    let new_link = match read.via {
        Via::OwnCaseload => kept_link(&state, &headers, &session).await?,
        _ => None,
    };
    render_session(&state, &who, &read, &session, new_link).await
}

/// The link this browser made for this session, while it is still open (not answered, replaced or expired).
async fn kept_link(
    state: &AppState,
    headers: &HeaderMap,
    session: &TherapySession,
) -> Result<Option<NewLinkView>, WebError> {
    let Some(value) = security::read_cookie(headers, NEW_LINK_COOKIE, state.config.https()) else { return Ok(None) };
    // `session.shown-until.token`; the server's clock decides (the browser's Max-Age only tidies up).
    let mut parts = value.splitn(3, '.');
    let (Some(session_id), Some(until), Some(token)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let now = state.now();
    let shown = until.parse::<i64>().is_ok_and(|until| now.unix_timestamp() < until);
    if session_id != session.id.0.to_string() || !shown || !security::looks_like_token(token) {
        return Ok(None);
    }
    match state.store.link_by_token(&security::hash_token(token), now).await? {
        Some(link) if link.session == session.id && link.state == LinkState::Open => {
            Ok(Some(link_view(state, token, link.expires_at)?))
        }
        _ => Ok(None),
    }
}

fn link_view(state: &AppState, token: &str, expires_at: time::OffsetDateTime) -> Result<NewLinkView, WebError> {
    let url = format!("{}/c/{token}", state.config.public_url.trim_end_matches('/'));
    let qr_svg = QrCode::new(url.as_bytes())
        .map_err(|e| WebError::Internal(Box::new(e)))?
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline SVG needs no XML declaration.
    let qr_svg = match qr_svg.find("<svg") {
        Some(start) => {
            let label = crate::charts::escape(&crate::language::current().t("session-qr-label"));
            qr_svg[start..].replacen("<svg", &format!(r#"<svg role="img" aria-label="{label}""#), 1)
        }
        None => qr_svg,
    };
    // Shown to the therapist to tell the client: the practice's clock, which is the client's too.
    Ok(NewLinkView { url, qr_svg, expires: show_time(expires_at, &state.config.time_zone) })
}

pub async fn create_link(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    // Holding the write capability is the proof that only the client's own therapist makes links.
    let (write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    let send = match form.one("send")? {
        None => false,
        Some("yes") => true,
        Some(_) => return Err(WebError::BadRequest(crate::language::current().t("session-send-invalid"))),
    };
    // The form lists the measures with the due ones ticked (`choose` says it did); without it, those due.
    let chosen: Vec<&str> = form.all("measure").collect();
    let choose = form.one("choose")?.is_some();
    let made = new_link(&state, &who, &write, &session, send, choose.then_some(chosen.as_slice())).await?;
    // Post-redirect-get: the token travels to the page in a short-lived cookie, never in an address.
    let now = state.now();
    let cookie = security::set_cookie(
        NEW_LINK_COOKIE,
        &format!("{}.{}.{}", made.session.0, now.unix_timestamp() + NEW_LINK_SHOWN_SECONDS, made.token),
        security::Lifetime::Seconds(NEW_LINK_SHOWN_SECONDS),
        state.config.https(),
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&format!("/sessions/{}", made.session))).into_response())
}

/// A check link just made: its token (shown once, stored as a hash) and when it expires.
pub(crate) struct MadeLink {
    pub session: SessionId,
    pub link: alliance_store::LinkId,
    pub token: String,
    pub instruments: Vec<InstrumentRef>,
    pub expires_at: time::OffsetDateTime,
    pub sent: bool,
}

/// Makes a check link for a session whose client the user may change (`access::write_session`), and queues it
/// to the client when `send`: the one use case behind the form and `POST /api/v1/sessions/{id}/links`. `chosen`
/// names the measures (`None`: those due).
pub(crate) async fn new_link(
    state: &AppState,
    who: &SignedIn,
    write: &access::WriteClient,
    session: &TherapySession,
    send: bool,
    chosen: Option<&[&str]>,
) -> Result<MadeLink, WebError> {
    if !state.store.stopped_asking(&[session.client]).await?.is_empty() {
        return Err(WebError::BadRequest(
            "The client asked not to be asked for checks. They can start again from their own page or a link \
             they still hold; talk about it with them."
                .into(),
        ));
    }
    // The store refuses a link for a session the client has answered (race-free); that maps to a 400 page.
    let send = if send {
        Some(
            reach(state, &write.client)
                .ok_or_else(|| WebError::BadRequest(crate::language::current().t("session-cannot-send")))?,
        )
    } else {
        None
    };
    let instruments = link_instruments(state, session, chosen, Due::All).await?;
    if instruments.is_empty() {
        return Err(WebError::BadRequest(crate::language::current().t("session-all-answered")));
    }
    let token = security::new_token();
    let now = state.now();
    let expires_at = now + state.config.links.expires_after;
    let link = state
        .store
        .create_link(
            NewLink {
                session: session.id,
                token_hash: security::hash_token(&token),
                expires_at,
                instruments: instruments.clone(),
            },
            who.audit(now, "create", "link", None),
            now,
        )
        .await?;
    if let Some((_, channel)) = send {
        // The whole address is stored, sealed: it holds the token, which the store keeps only as a hash.
        let path = format!("{}/c/{token}", state.config.public_url.trim_end_matches('/'));
        let message = NewLinkMessage { client: session.client, link, channel, path };
        state.store.queue_link_message(message, who.audit(now, "send", "link", None), now).await?;
    }
    Ok(MadeLink { session: session.id, link, token, instruments, expires_at, sent: send.is_some() })
}

/// How the client can be sent a link from this server: their contact read as an address or a number, and a way
/// to send to it that is set up.
fn reach(state: &AppState, client: &Client) -> Option<(Reach, Channel)> {
    let reach = Reach::parse(client.contact.as_deref()?)?;
    let channel = match reach {
        Reach::Email(_) if state.config.mail.is_some() => Channel::Email,
        Reach::Phone(_) if state.config.sms.is_some() => Channel::Sms,
        _ => return None,
    };
    Some((reach, channel))
}

/// One line per message carrying `link`: its kind, how it went, and, when it failed, why (a reason that names
/// nobody). Nothing once the client has answered: a dropped reminder is no news then.
async fn delivery_lines(
    state: &AppState,
    who: &SignedIn,
    session: &TherapySession,
    link: Option<&alliance_store::LinkSummary>,
) -> Result<Vec<String>, WebError> {
    let Some(link) = link else { return Ok(Vec::new()) };
    let messages = state.store.link_messages(session.id).await?;
    let answered = link.used_at.is_some();
    let tr = crate::language::current();
    Ok(messages
        .iter()
        .filter(|m| m.link == link.id && !(answered && m.sent_at.is_none()))
        .map(|m| {
            let reminder = m.kind == MailKind::CheckReminder;
            let medium = tr.t(match m.channel {
                Channel::Email => "session-email",
                Channel::Sms => "session-text-message",
            });
            let why = m.last_error.clone().unwrap_or_else(|| tr.t("session-no-reason"));
            match (m.sent_at, m.gave_up_at) {
                (Some(at), _) => {
                    let id = if reminder { "session-delivery-sent-reminder" } else { "session-delivery-sent-link" };
                    tr.t2(id, "medium", medium, "at", show_time(at, &who.zone))
                }
                (None, Some(_)) => tr.t2("session-delivery-failed", "medium", medium, "why", why),
                (None, None) if m.attempts > 0 => {
                    tr.t3("session-delivery-retrying", "medium", medium, "attempts", m.attempts.to_string(), "why", why)
                }
                (None, None) => {
                    let id =
                        if reminder { "session-delivery-waiting-reminder" } else { "session-delivery-waiting-link" };
                    tr.t1(id, "medium", medium)
                }
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "reflection.html")]
struct ReflectionPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    session_id: i64,
    number: u32,
    error: Option<String>,
    sections: Vec<SectionView>,
}

fn reflection_form(
    who: &SignedIn,
    state: &AppState,
    session: &TherapySession,
    answers: &Answers,
    error: Option<&AnswerError>,
) -> Result<String, WebError> {
    let ins = state.app.reflection_instrument()?;
    Ok(ReflectionPage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        session_id: session.id.0,
        number: session.number,
        error: error.map(|e| crate::language::current().t1("session-check-form", "error", e.to_string())),
        sections: vec![section(ins, "", answers, error)],
    }
    .render()?)
}

pub async fn reflection_page(State(state): State<AppState>, who: SignedIn, Id(id): Id) -> Result<Response, WebError> {
    let (write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    access::refuse_previous_therapists_session(&state, &session).await?;
    let answers = state.app.reflection_answers(write.client.id, session.id).await?;
    Ok(Html(reflection_form(&who, &state, &session, &answers, None)?).into_response())
}

pub async fn save_reflection(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (_write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    access::refuse_previous_therapists_session(&state, &session).await?;
    let fields: Vec<(&str, &str)> = form.pairs().collect();
    let now = state.now();
    let audit = who.audit(now, "write", "reflection", None);
    match state.app.save_reflection(session.id, &fields, audit, now).await? {
        ReflectionOutcome::Saved => Ok(Redirect::to(&format!("/sessions/{}", session.id)).into_response()),
        ReflectionOutcome::Invalid { given, error } => {
            let html = reflection_form(&who, &state, &session, &given, Some(&error))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}
