//! The JSON API for integration (issue 19, part 4), versioned under `/api/v1`.
//!
//! A request carries a personal access token in `Authorization: Bearer`; cookies are never read here, so there
//! is no ambient credential and no anti-forgery token. The token stands for its user: the route table's role
//! rule ([`crate::routes::Access::Api`]) and the record rules in [`crate::access`] apply exactly as on the pages,
//! and a `read` token is refused every write. Every read of a client's record is audited by `access` as the page
//! it mirrors is. Errors are `{"error": "..."}` in plain words, never their cause.
//!
//! The OpenAPI 3.1 document is generated from the handlers' annotations below (`utoipa`) and served, without
//! authentication, at `GET /api/openapi.json`.

use alliance_store::{ApiToken, ClientId, EpisodeId, Rater, SessionId, TokenScope};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::access;
use crate::auth::{self, SignedIn};
use crate::error::WebError;
use crate::local_time::LocalZone;
use crate::security;
use crate::state::AppState;

/// What every token starts with, so that secret scanners recognise a leaked one.
pub const TOKEN_PREFIX: &str = "alliance_pat_";
/// The longest a token may live, in days.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// A new token's secret (prefix and 256 random bits, shown once) and the hash that is stored.
pub fn new_api_token() -> (String, Vec<u8>) {
    let token = format!("{TOKEN_PREFIX}{}", security::new_token());
    let hash = security::hash_token(&token);
    (token, hash)
}

/// The hash to look a presented token up by, or `None` when it cannot be one of ours (before any lookup).
pub fn api_token_hash(presented: &str) -> Option<Vec<u8>> {
    let secret = presented.strip_prefix(TOKEN_PREFIX)?;
    security::looks_like_token(secret).then(|| security::hash_token(presented))
}

/// A token's lifetime from what a form or the command line says: 1 to 365 days.
pub fn token_days(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|d| (1..=MAX_TOKEN_DAYS).contains(d))
}

/// A token's name as typed: trimmed, 1 to 60 characters, no control characters.
pub fn token_name(raw: &str) -> Option<&str> {
    let name = raw.trim();
    (!name.is_empty() && name.chars().count() <= 60 && !name.chars().any(char::is_control)).then_some(name)
}

/// An API error: the pages' error, answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<alliance_store::StoreError> for ApiError {
    fn from(e: alliance_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl From<alliance_app::AppError> for ApiError {
    fn from(e: alliance_app::AppError) -> Self {
        ApiError(e.into())
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorJson {
    /// What went wrong, in plain words.
    pub error: String,
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => ApiError(WebError::Internal(Box::new(e))).into_response(),
    }
}

fn error_json(status: StatusCode, message: &str) -> Response {
    json_response(status, &ErrorJson { error: message.to_owned() })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            WebError::SignInRequired => {
                let mut response = error_json(StatusCode::UNAUTHORIZED, "A valid access token is required.");
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
            WebError::Forbidden | WebError::CrossSite | WebError::PasswordRejected => {
                error_json(StatusCode::FORBIDDEN, "This token may not do that.")
            }
            WebError::NotFound => error_json(StatusCode::NOT_FOUND, "Not found."),
            // The reason is written for the person using the form: it names no record they may not see.
            WebError::BadRequest(why) => error_json(StatusCode::UNPROCESSABLE_ENTITY, &why),
            WebError::TooLarge => error_json(StatusCode::PAYLOAD_TOO_LARGE, "The request is too large."),
            WebError::TooSlow => error_json(StatusCode::REQUEST_TIMEOUT, "The request was too slow."),
            WebError::Throttled(seconds) => {
                let mut response = error_json(StatusCode::TOO_MANY_REQUESTS, "Too many attempts.");
                if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            WebError::Unavailable(cause) => {
                tracing::warn!(error = %alliance_app::with_causes(cause.as_ref()), "database unavailable");
                error_json(StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable; try again later.")
            }
            WebError::Internal(cause) => {
                tracing::error!(error = %alliance_app::with_causes(cause.as_ref()), "api request failed");
                error_json(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server.")
            }
        }
    }
}

/// The user a bearer token stands for, checked as the route guard needs it: `None` in the error for a missing,
/// malformed, unknown, expired or revoked token or a deactivated user (all 401, alike).
pub(crate) async fn authenticate(state: &AppState, parts: &Parts) -> Result<(SignedIn, ApiToken), ApiError> {
    let presented = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(ApiError(WebError::SignInRequired))?;
    let hash = api_token_hash(presented).ok_or(ApiError(WebError::SignInRequired))?;
    let (token, user) =
        state.store.use_api_token(&hash, state.now()).await?.ok_or(ApiError(WebError::SignInRequired))?;
    let zone = user.time_zone.as_deref().and_then(|name| LocalZone::parse(name).ok());
    let zone = zone.unwrap_or_else(|| state.config.time_zone.clone());
    let who =
        SignedIn { user, csrf: String::new(), address: auth::client_address(parts), login_hash: Vec::new(), zone };
    Ok((who, token))
}

/// Refuses a write to a read-only token.
pub(crate) fn may_write(token: &ApiToken) -> bool {
    token.scope == TokenScope::ReadWrite
}

/// A record id in the path; anything that is not a number is as unknown as a missing record.
pub struct ApiId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(WebError::NotFound))?;
        raw.parse::<i64>().map(ApiId).map_err(|_| ApiError(WebError::NotFound))
    }
}

/// A JSON body: 400 when it is not JSON, 422 when it is not what the route takes.
fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, (StatusCode, String)> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("The body does not fit this request: {e}"))
        }
        _ => (StatusCode::BAD_REQUEST, "The body is not valid JSON.".to_owned()),
    })
}

fn date(d: time::Date) -> String {
    let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
    format!("{y:04}-{m:02}-{day:02}")
}

fn timestamp(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A client as the API shows them: the pseudonym only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClientJson {
    pub id: i64,
    pub pseudonym: String,
    /// The id of the client's therapist.
    pub therapist: i64,
    /// When the record was made (RFC 3339).
    pub created_at: String,
}

fn client_json(c: &alliance_store::Client) -> ClientJson {
    ClientJson {
        id: c.id.0,
        pseudonym: c.pseudonym.clone(),
        therapist: c.therapist.0,
        created_at: timestamp(c.created_at),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EpisodeJson {
    pub id: i64,
    pub client: i64,
    pub therapist: i64,
    /// The first day of the episode (YYYY-MM-DD).
    pub started_on: String,
    /// The last day, when it has ended.
    pub ended_on: Option<String>,
    /// The outcome measures of the episode (instrument ids).
    pub measures: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionJson {
    pub id: i64,
    pub episode: i64,
    pub client: i64,
    /// 1 for the episode's first session.
    pub number: u32,
    /// YYYY-MM-DD.
    pub held_on: String,
    pub attended: bool,
}

fn session_json(s: &alliance_store::TherapySession) -> SessionJson {
    SessionJson {
        id: s.id.0,
        episode: s.episode.0,
        client: s.client.0,
        number: s.number,
        held_on: date(s.held_on),
        attended: s.attended,
    }
}

/// One scale score of a check the client answered.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScoreJson {
    pub session: i64,
    pub episode: i64,
    /// The session's number in its episode.
    pub session_number: u32,
    pub held_on: String,
    pub instrument: String,
    pub scale: String,
    /// `null` when too few items were answered to score the scale.
    pub value: Option<f64>,
    /// The severity band, for scales that have bands.
    pub band: Option<String>,
    /// Whether missing items were pro-rated.
    pub prorated: bool,
}

/// A signal that is open (not acknowledged) on the client's current episode, as the client page shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignalJson {
    /// A stable machine name: `risk`, `rupture`, `low_alliance`, `not_on_track`, ...
    pub kind: String,
    /// `info`, `notice`, `warning`, `urgent` or `critical`.
    pub severity: String,
    /// The session number it is about, when there is one.
    pub session: Option<u32>,
    /// The outcome measure it is about, when there are several.
    pub measure: Option<String>,
    /// The explanation, in English.
    pub explanation: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GoalJson {
    pub id: i64,
    pub episode: i64,
    pub text: String,
    /// `proposed`, `agreed`, `achieved` or `dropped`.
    pub status: String,
    /// `therapist` or `client`.
    pub proposed_by: String,
    pub created_at: String,
    pub changed_at: String,
}

/// A session to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSessionJson {
    /// The day it was held (YYYY-MM-DD), not in the future nor before the episode began.
    pub held_on: String,
    /// Whether the client came (default `false`).
    #[serde(default)]
    pub attended: bool,
}

/// A check link to make.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLinkJson {
    /// The measures to ask (instrument ids); absent: those due.
    #[serde(default)]
    pub measures: Option<Vec<String>>,
    /// Send it to the client by e-mail or text message, when the server can (default `false`).
    #[serde(default)]
    pub send: bool,
}

/// A check link just made; its address is shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkJson {
    pub id: i64,
    pub session: i64,
    /// The address to give the client.
    pub url: String,
    pub expires_at: String,
    /// The measures it asks, in order.
    pub instruments: Vec<String>,
    /// Whether it was queued to be sent to the client.
    pub sent: bool,
}

// The answers every token-checked route may give besides its own.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients",
    responses(
        (status = 200, description = "The clients in the user's caseload (a supervisor's: their supervisees')", body = [ClientJson]),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not list clients", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn clients(State(state): State<AppState>, who: SignedIn) -> Result<Response, ApiError> {
    let scope = access::caseload_scope(&state, &who).await?;
    let clients = state.store.clients_of(&scope).await?;
    state.store.audit(who.audit(state.now(), "list", "caseload", None)).await?;
    let list: Vec<ClientJson> = clients.iter().map(client_json).collect();
    Ok(json_response(StatusCode::OK, &list))
}

#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client", body = ClientJson),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such client, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn client(State(state): State<AppState>, who: SignedIn, ApiId(id): ApiId) -> Result<Response, ApiError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    Ok(json_response(StatusCode::OK, &client_json(&read.client)))
}

#[utoipa::path(get, path = "/api/v1/clients/{id}/episodes", tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client's episodes of care, oldest first", body = [EpisodeJson]),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such client, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn episodes(State(state): State<AppState>, who: SignedIn, ApiId(id): ApiId) -> Result<Response, ApiError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let episodes = state.store.episodes(read.client.id).await?;
    let list: Vec<EpisodeJson> = episodes
        .iter()
        .map(|e| EpisodeJson {
            id: e.id.0,
            client: e.client.0,
            therapist: e.therapist.0,
            started_on: date(e.started_on),
            ended_on: e.ended_on.map(date),
            measures: e.measures.clone(),
        })
        .collect();
    Ok(json_response(StatusCode::OK, &list))
}

#[utoipa::path(get, path = "/api/v1/episodes/{id}/sessions", tag = "sessions",
    params(("id" = i64, Path, description = "The episode's id")),
    responses(
        (status = 200, description = "The episode's sessions in order", body = [SessionJson]),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such episode, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn episode_sessions(
    State(state): State<AppState>,
    who: SignedIn,
    ApiId(id): ApiId,
) -> Result<Response, ApiError> {
    let episode = state.store.episode(EpisodeId(id)).await?.ok_or(WebError::NotFound)?;
    access::read_client(&state, &who, episode.client).await?;
    let sessions = state.store.sessions(episode.id).await?;
    let list: Vec<SessionJson> = sessions.iter().map(session_json).collect();
    Ok(json_response(StatusCode::OK, &list))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = i64, Path, description = "The session's id")),
    responses(
        (status = 200, description = "The session", body = SessionJson),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such session, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn session(State(state): State<AppState>, who: SignedIn, ApiId(id): ApiId) -> Result<Response, ApiError> {
    let (_, session) = access::read_session(&state, &who, SessionId(id)).await?;
    Ok(json_response(StatusCode::OK, &session_json(&session)))
}

#[utoipa::path(get, path = "/api/v1/clients/{id}/scores", tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The scale scores of every check the client answered, in order", body = [ScoreJson]),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such client, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn scores(State(state): State<AppState>, who: SignedIn, ApiId(id): ApiId) -> Result<Response, ApiError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let responses = state.store.responses_of(read.client.id).await?;
    // The client's own answers only: a therapist's reflection follows rules of its own (the pages').
    let list: Vec<ScoreJson> = responses
        .iter()
        .filter(|r| r.rater == Rater::Client)
        .flat_map(|r| {
            r.scores.iter().map(move |s| ScoreJson {
                session: r.session.0,
                episode: r.episode.0,
                session_number: r.session_number,
                held_on: date(r.held_on),
                instrument: r.instrument.id.clone(),
                scale: s.scale.clone(),
                value: s.value.filter(|v| v.is_finite()),
                band: s.band.clone(),
                prorated: s.prorated,
            })
        })
        .collect();
    Ok(json_response(StatusCode::OK, &list))
}

fn severity_name(s: alliance_signals::signal::Severity) -> &'static str {
    use alliance_signals::signal::Severity;
    match s {
        Severity::Info => "info",
        Severity::Notice => "notice",
        Severity::Warning => "warning",
        Severity::Urgent => "urgent",
        Severity::Critical => "critical",
    }
}

#[utoipa::path(get, path = "/api/v1/clients/{id}/signals", tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client's open signals, most urgent first, as the client page computes them", body = [SignalJson]),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such client, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn signals(State(state): State<AppState>, who: SignedIn, ApiId(id): ApiId) -> Result<Response, ApiError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let own = read.via == access::Via::OwnCaseload;
    let clients = std::slice::from_ref(&read.client);
    let mut overviews = state.app.overviews_for(who.user.id, clients, own, state.now()).await?;
    let status = overviews.remove(&read.client.id).ok_or(WebError::NotFound)?;
    // Unlike the page, nothing is marked seen: a program reading signals is not a person seeing them.
    let list: Vec<SignalJson> = status
        .open_signals()
        .into_iter()
        .map(|s| SignalJson {
            kind: s.kind.name().to_owned(),
            severity: severity_name(s.severity).to_owned(),
            session: s.session,
            measure: s.measure.clone(),
            explanation: s.explanation(),
        })
        .collect();
    Ok(json_response(StatusCode::OK, &list))
}

#[utoipa::path(get, path = "/api/v1/clients/{id}/goals", tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The goals of every episode of the client", body = [GoalJson]),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "The user's role may not read clients", body = ErrorJson),
        (status = 404, description = "No such client, or not one the user may read", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn goals(State(state): State<AppState>, who: SignedIn, ApiId(id): ApiId) -> Result<Response, ApiError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let episodes: Vec<EpisodeId> = state.store.episodes(read.client.id).await?.iter().map(|e| e.id).collect();
    let goals = state.store.goals_of(&episodes).await?;
    let list: Vec<GoalJson> = goals
        .iter()
        .map(|g| GoalJson {
            id: g.id.0,
            episode: g.episode.0,
            text: g.text.clone(),
            status: g.status.as_str().to_owned(),
            proposed_by: g.proposed_by.as_str().to_owned(),
            created_at: timestamp(g.created_at),
            changed_at: timestamp(g.changed_at),
        })
        .collect();
    Ok(json_response(StatusCode::OK, &list))
}

#[utoipa::path(post, path = "/api/v1/episodes/{id}/sessions", tag = "sessions",
    params(("id" = i64, Path, description = "The episode's id")),
    request_body = NewSessionJson,
    responses(
        (status = 201, description = "The session recorded", body = SessionJson),
        (status = 400, description = "The body is not JSON", body = ErrorJson),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "A read-only token, or not the client's own therapist", body = ErrorJson),
        (status = 404, description = "No such episode, or not one the user may read", body = ErrorJson),
        (status = 422, description = "The session cannot be recorded as given (nothing was stored)", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn record_session(
    State(state): State<AppState>,
    who: SignedIn,
    ApiId(id): ApiId,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    // The record rule first, as on the form: another therapist's episode is unknown whatever the body says.
    let episode = crate::pages::sessions::episode_to_record(&state, &who, EpisodeId(id)).await?;
    let new: NewSessionJson = match body(&bytes) {
        Ok(new) => new,
        Err((status, why)) => return Ok(error_json(status, &why)),
    };
    // The care date as the form takes it, but only as a calendar date: words such as "today" are for people.
    if time::Date::parse(&new.held_on, time::macros::format_description!("[year]-[month]-[day]")).is_err() {
        return Ok(error_json(StatusCode::UNPROCESSABLE_ENTITY, "held_on must be a date as YYYY-MM-DD."));
    }
    let session = crate::pages::sessions::record(&state, &who, &episode, Some(&new.held_on), new.attended).await?;
    Ok(json_response(StatusCode::CREATED, &session_json(&session)))
}

#[utoipa::path(post, path = "/api/v1/sessions/{id}/links", tag = "sessions",
    params(("id" = i64, Path, description = "The session's id")),
    request_body = NewLinkJson,
    responses(
        (status = 201, description = "The link made; its address is shown this once", body = LinkJson),
        (status = 400, description = "The body is not JSON", body = ErrorJson),
        (status = 401, description = "No valid token", body = ErrorJson, headers(("WWW-Authenticate" = String))),
        (status = 403, description = "A read-only token, or not the client's own therapist", body = ErrorJson),
        (status = 404, description = "No such session, or not one the user may read", body = ErrorJson),
        (status = 422, description = "No link can be made as asked (nothing was stored)", body = ErrorJson),
    ),
    security(("bearer" = [])))]
pub async fn create_link(
    State(state): State<AppState>,
    who: SignedIn,
    ApiId(id): ApiId,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    // The record rule first, as on the form: another therapist's session is unknown whatever the body says.
    let (write, session) = access::write_session(&state, &who, SessionId(id)).await?;
    // An empty body asks for the measures due, not sent.
    let new: NewLinkJson = if bytes.iter().all(u8::is_ascii_whitespace) {
        NewLinkJson::default()
    } else {
        match body(&bytes) {
            Ok(new) => new,
            Err((status, why)) => return Ok(error_json(status, &why)),
        }
    };
    let chosen: Option<Vec<&str>> = new.measures.as_ref().map(|m| m.iter().map(String::as_str).collect());
    let made = crate::pages::sessions::new_link(&state, &who, &write, &session, new.send, chosen.as_deref()).await?;
    let link = LinkJson {
        id: made.link.0,
        session: made.session.0,
        url: format!("{}/c/{}", state.config.public_url.trim_end_matches('/'), made.token),
        expires_at: timestamp(made.expires_at),
        instruments: made.instruments.iter().map(|i| i.id.clone()).collect(),
        sent: made.sent,
    };
    Ok(json_response(StatusCode::CREATED, &link))
}

/// The bearer scheme every `/api/v1` route uses.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("alliance_pat_…")
                    .description(Some(
                        "A personal access token made on the account page or with `alliance user token`.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Alliance JSON API",
        description = "Read a caseload's clients, episodes, sessions, scores, signals and goals, record sessions \
                       and make check links, as the token's user may on the pages.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(clients, client, episodes, episode_sessions, session, scores, signals, goals, record_session, create_link),
    components(schemas(
        ErrorJson, ClientJson, EpisodeJson, SessionJson, ScoreJson, SignalJson, GoalJson, NewSessionJson,
        NewLinkJson, LinkJson
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "clients", description = "Clients the token's user may read"),
        (name = "sessions", description = "Sessions and check links"),
    ),
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document, made once.
pub fn openapi_json() -> &'static str {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

/// `GET /api/openapi.json`: the document, for anyone (it describes the API, not any data).
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "public, max-age=300")], openapi_json())
        .into_response()
}
