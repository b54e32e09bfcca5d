//! Supervision meetings (issue 20, item 4): the supervisor records a meeting with one supervisee (the day, which
//! clients, shared reflections and shared boundary events were discussed, what was agreed, actions agreed about a
//! client); the therapist reads the meetings about them; an open action comes back on the therapist's client page
//! until marked done. Both listings are paged from the store (docs/ARCHITECTURE.md, "Supervision that learns").

use std::collections::HashMap;

use alliance_core::domain::Role;
use alliance_core::text_policy;
use alliance_store::{ClientId, Meeting, MeetingsOf, NewMeeting, NewMeetingItem, SessionId, UserId};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::supervision::{PAGE_SIZE, parse_paging, shared_sessions, supervisees};
use super::{Nav, care_date, iso_date, show_date};
use crate::access;
use crate::access_supervision;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

/// Longest text of what was agreed, and of one action, in characters.
pub const AGREED_MAX: usize = 4000;
pub const ACTION_MAX: usize = 500;
/// Action rows the form offers, and items one meeting may name.
pub const ACTIONS: usize = 3;
const ITEMS_MAX: usize = 100;

pub struct MeetingView {
    pub date: String,
    pub with: String,
    pub agreed: Option<String>,
    pub items: Vec<String>,
    pub actions: Vec<(String, bool)>,
}

/// Something the form offers to tick: (value, words, therapist).
pub struct Choice {
    pub value: String,
    /// The record's own id (a client's, for the actions' select).
    pub id: i64,
    pub words: String,
    pub therapist: i64,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    supervisor: bool,
    therapists: Vec<(i64, String)>,
    clients: Vec<Choice>,
    choices: Vec<Choice>,
    actions: Vec<usize>,
    today: String,
    meetings: Vec<MeetingView>,
    total: usize,
    page: usize,
    newer: Option<String>,
    older: Option<String>,
}

fn view(m: &Meeting, names: &HashMap<UserId, String>, supervisor: bool) -> MeetingView {
    let tr = crate::language::current();
    let items = m
        .items
        .iter()
        .map(|i| match (i.session_number, i.boundary_kind, i.boundary_on) {
            (Some(n), _, _) => tr.t2("meeting-item-session", "name", i.pseudonym.clone(), "number", n),
            (None, Some(kind), Some(on)) => format!("{}: {} · {}", i.pseudonym, tr.t(kind.message()), show_date(on)),
            _ => i.pseudonym.clone(),
        })
        .collect();
    let with = if supervisor { m.therapist } else { m.supervisor };
    MeetingView {
        date: show_date(m.held_on),
        with: names.get(&with).cloned().unwrap_or_default(),
        agreed: m.agreed.clone(),
        items,
        actions: m.actions.iter().map(|a| (format!("{}: {}", a.pseudonym, a.text), a.done_at.is_some())).collect(),
    }
}

async fn names(state: &AppState) -> Result<HashMap<UserId, String>, WebError> {
    Ok(state.store.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect())
}

/// What the supervisor may name in a meeting: supervisees' clients with something shared, the shared reflections
/// (newest first) and the shared boundary events, each at most a page's worth so the page stays small.
async fn choices(
    state: &AppState,
    who: &SignedIn,
    therapists: &[UserId],
) -> Result<(Vec<Choice>, Vec<Choice>), WebError> {
    let tr = crate::language::current();
    let mut clients: Vec<Choice> = Vec::new();
    let mut add_client = |id: ClientId, pseudonym: &str, therapist: UserId| {
        if !clients.iter().any(|c| c.value == format!("c:{}", id.0)) {
            clients.push(Choice {
                value: format!("c:{}", id.0),
                id: id.0,
                words: pseudonym.to_owned(),
                therapist: therapist.0,
            });
        }
    };
    let mut choices = Vec::new();
    for s in shared_sessions(state, who, therapists).await?.into_iter().take(PAGE_SIZE) {
        add_client(s.client, &s.pseudonym, s.therapist);
        let words = tr.t2("meeting-item-session", "name", s.pseudonym.clone(), "number", s.number);
        choices.push(Choice { value: format!("s:{}", s.session.0), id: s.session.0, words, therapist: s.therapist.0 });
    }
    for e in state.store.shared_boundary_events(therapists).await?.into_iter().take(PAGE_SIZE) {
        add_client(e.client, &e.pseudonym, e.therapist);
        let words = format!("{}: {} · {}", e.pseudonym, tr.t(e.crossing.kind().message()), show_date(e.occurred_on));
        choices.push(Choice { value: format!("b:{}", e.id), id: e.id, words, therapist: e.therapist.0 });
    }
    Ok((clients, choices))
}

fn link(p: usize) -> String {
    format!("?page={p}")
}

/// The meetings about the signed-in therapist, or the ones the signed-in supervisor recorded with the form to
/// record one; newest first, paged.
pub async fn list(State(state): State<AppState>, who: SignedIn, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let supervisor = who.user.role == Role::Supervisor;
    let (page, _) = parse_paging(raw.as_deref(), false)?;
    let of = if supervisor { MeetingsOf::Supervisor(who.user.id) } else { MeetingsOf::Therapist(who.user.id) };
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let (total, meetings) = state.store.meetings(of, offset, PAGE_SIZE).await?;
    let now = state.now();
    state.store.audit(access_supervision::audit(&who, now, "read", "supervision-meetings", None)).await?;
    let names = names(&state).await?;
    let (therapists, clients, choices) = if supervisor {
        let (therapists, _) = supervisees(&state, &who).await?;
        let ids: Vec<UserId> = therapists.iter().map(|t| t.0).collect();
        let (clients, choices) = choices(&state, &who, &ids).await?;
        (therapists.into_iter().map(|(id, name)| (id.0, name)).collect(), clients, choices)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let view = MeetingsPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        supervisor,
        therapists,
        clients,
        choices,
        actions: (1..=ACTIONS).collect(),
        today: iso_date(who.today(now)),
        meetings: meetings.iter().map(|m| view(m, &names, supervisor)).collect(),
        total,
        page,
        newer: (page > 1).then(|| link(page - 1)),
        older: (offset + meetings.len() < total).then(|| link(page + 1)),
    };
    Ok(Html(view.render()?).into_response())
}

fn bad(id: &str) -> WebError {
    WebError::BadRequest(crate::language::current().t(id))
}

/// Records a meeting with one supervisee. Every item and action must concern that supervisee's clients, and
/// reflections and boundary events must be ones they shared; anything else stores nothing.
pub async fn record(State(state): State<AppState>, who: SignedIn, mut form: FormFields) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    access::require_role(&who, Role::Supervisor)?;
    let supervisees = state.store.supervisees(who.user.id).await?;
    let therapist = form
        .one("therapist")?
        .and_then(|t| t.trim().parse::<i64>().ok())
        .map(UserId)
        .filter(|t| supervisees.contains(t))
        .ok_or_else(|| bad("meeting-error-therapist"))?;
    let tr = crate::language::current();
    let now = state.now();
    let held_on =
        care_date(form.one("held_on")?, who.today(now), &tr.t("meeting-date")).map_err(WebError::BadRequest)?;
    let text = |name: &'static str, raw: Option<&str>, max: usize| -> Result<Option<String>, WebError> {
        match raw.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(raw) => text_policy::multi_line(name, raw, max)
                .map(Some)
                .map_err(|e| WebError::BadRequest(crate::language::parse_error(&e))),
        }
    };
    let agreed = text("agreed", form.one("agreed")?, AGREED_MAX)?;
    let clients: Vec<ClientId> = state.store.clients_of(&[therapist]).await?.into_iter().map(|c| c.id).collect();
    let own_client = |raw: &str| -> Result<ClientId, WebError> {
        raw.trim()
            .parse::<i64>()
            .ok()
            .map(ClientId)
            .filter(|c| clients.contains(c))
            .ok_or_else(|| bad("meeting-error-item"))
    };
    let raw_items: Vec<&str> = form.all("item").collect();
    if raw_items.len() > ITEMS_MAX {
        return Err(bad("meeting-error-item"));
    }
    let mut items = Vec::new();
    if !raw_items.is_empty() {
        let sessions = shared_sessions(&state, &who, &[therapist]).await?;
        let events = state.store.shared_boundary_events(&[therapist]).await?;
        for raw in raw_items {
            let item = match raw.split_once(':') {
                Some(("c", id)) => NewMeetingItem { client: own_client(id)?, session: None, boundary_event: None },
                Some(("s", id)) => {
                    let s = sessions
                        .iter()
                        .find(|s| id.parse() == Ok(s.session.0))
                        .ok_or_else(|| bad("meeting-error-item"))?;
                    NewMeetingItem { client: s.client, session: Some(SessionId(s.session.0)), boundary_event: None }
                }
                Some(("b", id)) => {
                    let e = events.iter().find(|e| id.parse() == Ok(e.id)).ok_or_else(|| bad("meeting-error-item"))?;
                    NewMeetingItem { client: e.client, session: None, boundary_event: Some(e.id) }
                }
                _ => return Err(bad("meeting-error-item")),
            };
            if !items.contains(&item) {
                items.push(item);
            }
        }
    }
    let mut actions = Vec::new();
    for n in 1..=ACTIONS {
        let what = text("action", form.one(&format!("action_text_{n}"))?, ACTION_MAX)?;
        let about = form.one(&format!("action_client_{n}"))?.map(str::trim).filter(|c| !c.is_empty());
        match (what, about) {
            (None, _) => {}
            (Some(what), Some(about)) => actions.push((own_client(about)?, what)),
            (Some(_), None) => return Err(bad("meeting-error-action-client")),
        }
    }
    let meeting = NewMeeting { supervisor: who.user.id, therapist, held_on, agreed, items, actions };
    let audit = access_supervision::audit(&who, now, "create", "supervision-meeting", None);
    state.store.record_meeting(&meeting, audit, now).await?;
    Ok(Redirect::to("/supervision/meetings").into_response())
}

/// The therapist marks an action agreed about their client done (audited); it stops coming back.
pub async fn action_done(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let action =
        form.one("action")?.and_then(|a| a.trim().parse::<i64>().ok()).ok_or_else(|| bad("meeting-error-action"))?;
    let now = state.now();
    let audit = who.audit(now, "done", "supervision-action", None);
    if !state.store.mark_action_done(action, write.client.id, who.user.id, audit, now).await? {
        return Err(bad("meeting-error-action"));
    }
    Ok(Redirect::to(&format!("/clients/{}", write.client.id.0)).into_response())
}
