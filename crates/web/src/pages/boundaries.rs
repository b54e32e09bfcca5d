//! The boundary log (issue 20, item 1): the therapist records a boundary event about a client in a few seconds
//! (from the client page, or the session page with the session named); the supervisor reads the shared ones, and
//! how crossings accumulate per therapist and per client, as a prompt for reflection, never a score
//! (docs/ARCHITECTURE.md, "Supervision that learns"). Notes are sealed and shown as reflections are: to the
//! therapist, and to their supervisor when shared; never under break-glass. Every reading is audited.

use alliance_core::boundaries::{
    self, Accumulation, BoundaryKind, Channel, Crossing, Dated, Prompt, RawCrossing, WINDOWS,
};
use alliance_core::domain::Role;
use alliance_core::text_policy;
use alliance_store::{BoundaryEvent, ClientId, NewBoundaryEvent, SessionId};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::supervision::{page_of, parse_paging, supervisees};
use super::{Nav, care_date, iso_date, show_date};
use crate::access::{self, Via};
use crate::access_supervision;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

/// Longest note on a boundary event, in characters.
pub const NOTE_MAX: usize = 2000;

pub struct EventView {
    pub date: String,
    pub kind: String,
    pub detail: String,
    pub note: Option<String>,
    pub shared: bool,
    pub client: i64,
    pub pseudonym: String,
    pub therapist: String,
}

/// One kind's events per quarter (oldest first) with what to reflect on: words, never a number to rank by.
pub struct PatternView {
    pub who: String,
    pub kind: String,
    pub counts: Vec<String>,
    pub prompt: Option<String>,
}

#[derive(Template)]
#[template(path = "boundaries.html")]
struct ClientPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    client: i64,
    pseudonym: String,
    can_write: bool,
    /// Break-glass opens the clinical record, not what the therapist wrote about their own work.
    hidden: bool,
    supervisor: bool,
    events: Vec<EventView>,
    patterns: Vec<PatternView>,
    kinds: Options,
    channels: Options,
    today: String,
    /// The session the form was opened from: (id, number).
    session: Option<(i64, u32)>,
}

#[derive(Template)]
#[template(path = "supervision_boundaries.html")]
struct SupervisorPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    therapists: Vec<PatternView>,
    clients: Vec<PatternView>,
    events: Vec<EventView>,
    total: usize,
    page: usize,
    newer: Option<String>,
    older: Option<String>,
}

fn detail(c: Crossing) -> String {
    let tr = crate::language::current();
    match c {
        Crossing::Overrun { minutes } => tr.t1("boundary-minutes", "minutes", minutes),
        Crossing::Contact { channel, initiated_by } => {
            let by = match initiated_by {
                alliance_core::boundaries::Initiator::Client => tr.t("boundary-by-client"),
                alliance_core::boundaries::Initiator::Therapist => tr.t("boundary-by-therapist"),
            };
            format!("{}, {by}", tr.t(channel.message()))
        }
        Crossing::Gift { direction } => match direction {
            alliance_core::boundaries::GiftDirection::Given => tr.t("boundary-gift-given"),
            alliance_core::boundaries::GiftDirection::Received => tr.t("boundary-gift-received"),
        },
        Crossing::Other(_) => String::new(),
    }
}

fn event_view(e: &BoundaryEvent, therapist: String) -> EventView {
    EventView {
        date: show_date(e.occurred_on),
        kind: crate::language::current().t(e.crossing.kind().message()),
        detail: detail(e.crossing),
        note: e.note.clone(),
        shared: e.shared,
        client: e.client.0,
        pseudonym: e.pseudonym.clone(),
        therapist,
    }
}

fn dated(events: &[BoundaryEvent]) -> Vec<Dated> {
    events
        .iter()
        .map(|e| Dated {
            client: e.client.0,
            kind: e.crossing.kind(),
            on: e.occurred_on,
            minutes: e.crossing.minutes(),
        })
        .collect()
}

fn pattern_view(a: &Accumulation, who: String) -> PatternView {
    let tr = crate::language::current();
    let counts = (0..WINDOWS)
        .map(|w| match a.kind {
            BoundaryKind::Overrun => tr.t2("boundary-count-minutes", "count", a.counts[w], "minutes", a.minutes[w]),
            _ => a.counts[w].to_string(),
        })
        .collect();
    let prompt = match a.prompt {
        Prompt::Growing => Some(tr.t("boundary-prompt-growing")),
        Prompt::Recurring => Some(tr.t("boundary-prompt-recurring")),
        Prompt::Quiet => None,
    };
    PatternView { who, kind: tr.t(a.kind.message()), counts, prompt }
}

/// A select's options: (posted code, words).
type Options = Vec<(&'static str, String)>;

fn options() -> (Options, Options) {
    let tr = crate::language::current();
    (
        BoundaryKind::ALL.iter().map(|k| (k.code(), tr.t(k.message()))).collect(),
        Channel::ALL.iter().map(|c| (c.code(), tr.t(c.message()))).collect(),
    )
}

/// `?session=<id>`: the session the form is opened from, one of this client's; nothing else is taken.
fn session_query(raw: Option<&str>) -> Result<Option<i64>, WebError> {
    let bad = || WebError::BadRequest(crate::language::current().t("boundary-error-session"));
    let mut session = None;
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("session", value)) => session = Some(value.parse::<i64>().map_err(|_| bad())?),
            _ => return Err(bad()),
        }
    }
    Ok(session)
}

async fn session_of(state: &AppState, client: ClientId, id: i64) -> Result<(i64, u32), WebError> {
    let sessions = state.store.sessions_of(&[client]).await?;
    sessions
        .iter()
        .find(|s| s.id.0 == id)
        .map(|s| (s.id.0, s.number))
        .ok_or_else(|| WebError::BadRequest(crate::language::current().t("boundary-error-session")))
}

/// The client's boundary log: the form and every event for their therapist, the shared ones for the supervisor.
pub async fn client_log(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let client = read.client.id;
    let now = state.now();
    let events = match read.via {
        Via::OwnCaseload => {
            state.store.audit(who.audit(now, "read", "boundary-events", Some(client.0))).await?;
            state.store.boundary_events_of(client, who.user.id, false).await?
        }
        Via::Supervision => {
            let audit = access_supervision::audit(&who, now, "read", "boundary-events", Some(client.0));
            state.store.audit(audit).await?;
            state.store.boundary_events_of(client, read.client.therapist, true).await?
        }
        Via::BreakGlass { .. } => Vec::new(),
    };
    let can_write = read.via == Via::OwnCaseload;
    let session = match (session_query(raw.as_deref())?, can_write) {
        (Some(s), true) => Some(session_of(&state, client, s).await?),
        _ => None,
    };
    let today = who.today(now);
    let patterns =
        boundaries::per_client(&dated(&events), today).iter().map(|a| pattern_view(a, String::new())).collect();
    let (kinds, channels) = options();
    let page = ClientPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        client: client.0,
        pseudonym: read.client.pseudonym.clone(),
        can_write,
        hidden: matches!(read.via, Via::BreakGlass { .. }),
        supervisor: read.via == Via::Supervision,
        events: events.iter().map(|e| event_view(e, String::new())).collect(),
        patterns,
        kinds,
        channels,
        today: iso_date(today),
        session,
    };
    Ok(Html(page.render()?).into_response())
}

/// Records a boundary event (the client's own therapist only): kind and its details, the day, an optional note
/// (sealed) and whether to take it to supervision; audited. Anything malformed stores nothing.
pub async fn record(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let client = write.client.id;
    let tr = crate::language::current();
    let crossing = Crossing::parse(RawCrossing {
        kind: form.one("kind")?,
        minutes: form.one("minutes")?,
        channel: form.one("channel")?,
        initiated_by: form.one("initiated_by")?,
        gift: form.one("gift")?,
    })
    .map_err(|e| WebError::BadRequest(tr.t(e.message())))?;
    let now = state.now();
    let occurred_on =
        care_date(form.one("occurred_on")?, who.today(now), &tr.t("boundary-date")).map_err(WebError::BadRequest)?;
    let note = match form.one("note")?.map(str::trim).filter(|n| !n.is_empty()) {
        Some(raw) => Some(
            text_policy::multi_line("note", raw, NOTE_MAX)
                .map_err(|e| WebError::BadRequest(crate::language::parse_error(&e)))?,
        ),
        None => None,
    };
    let shared = match form.one("supervision")? {
        None => false,
        Some("yes") => true,
        Some(_) => return Err(WebError::BadRequest(tr.t("boundary-error-supervision"))),
    };
    let session = match form.one("session")?.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => {
            let id = raw.parse::<i64>().map_err(|_| WebError::BadRequest(tr.t("boundary-error-session")))?;
            Some(SessionId(session_of(&state, client, id).await?.0))
        }
    };
    let event = NewBoundaryEvent { client, session, crossing, occurred_on, note, shared };
    let audit = who.audit(now, "create", "boundary-event", None);
    state.store.record_boundary_event(&event, who.user.id, audit, now).await?;
    Ok(Redirect::to(&format!("/clients/{}/boundaries", client.0)).into_response())
}

/// The supervisor's reading: how shared crossings accumulate per supervisee and per client, then the shared
/// events, newest first, paged (notes stay on each client's log, where reading them is audited per client).
pub async fn supervision(
    State(state): State<AppState>,
    who: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    access::require_role(&who, Role::Supervisor)?;
    let (page, _) = parse_paging(raw.as_deref(), false)?;
    let (therapists, names) = supervisees(&state, &who).await?;
    let ids: Vec<_> = therapists.iter().map(|t| t.0).collect();
    let now = state.now();
    let events = state.store.shared_boundary_events(&ids).await?;
    state.store.audit(access_supervision::audit(&who, now, "read", "boundary-events", None)).await?;
    let today = who.today(now);
    let mut per_therapist = Vec::new();
    for (id, name) in &therapists {
        let theirs: Vec<BoundaryEvent> = events.iter().filter(|e| e.therapist == *id).cloned().collect();
        for a in boundaries::per_therapist(&dated(&theirs), today) {
            per_therapist.push(pattern_view(&a, name.clone()));
        }
    }
    let pseudonym = |client: i64| events.iter().find(|e| e.client.0 == client).map(|e| e.pseudonym.clone());
    let clients: Vec<PatternView> = boundaries::per_client(&dated(&events), today)
        .iter()
        .filter(|a| a.prompt != Prompt::Quiet)
        .map(|a| pattern_view(a, a.client.and_then(pseudonym).unwrap_or_default()))
        .collect();
    let (slice, more) = page_of(&events, page);
    let name = |e: &BoundaryEvent| names.get(&e.therapist).cloned().unwrap_or_default();
    let link = |p: usize| format!("?page={p}");
    let view = SupervisorPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        therapists: per_therapist,
        clients,
        events: slice.iter().map(|e| event_view(e, name(e))).collect(),
        total: events.len(),
        page,
        newer: (page > 1).then(|| link(page - 1)),
        older: more.then(|| link(page + 1)),
    };
    Ok(Html(view.render()?).into_response())
}
