//! Supervision: the supervisor's home (supervisees' caseloads with open signals, reflections waiting for a
//! comment), the reflections shared for supervision with the therapist's feelings towards the client, the comment
//! thread on a reflection. Per-therapist patterns are in `patterns.rs`.

use std::collections::HashMap;

use alliance_core::catalog::THERAPIST_REFLECTION;
use alliance_core::domain::Role;
use alliance_core::instrument::{Instrument, localized};
use alliance_core::scoring::{Answer, Answers, is_shown};
use alliance_core::supervision::CommentBody;
use alliance_store::{Client, NewReflectionComment, Rater, SessionId, StoredResponse, TherapySession, UserId};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use time::Date;

use super::caseload::{Row, client_rows};
use super::{Nav, number, show_date};
use crate::access::{self, ReadClient, Via};
use crate::access_supervision;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

pub struct TherapistGroup {
    pub id: i64,
    pub name: String,
    pub rows: Vec<Row>,
    pub reflections: Vec<ReflectionView>,
}

/// A reflection shared for supervision as the supervisor sees it: never the private note.
pub struct ReflectionView {
    pub session_id: i64,
    pub client_id: i64,
    pub pseudonym: String,
    pub therapist_id: UserId,
    pub therapist: String,
    pub number: u32,
    pub date: String,
    pub alliance: String,
    pub rupture: String,
    pub feelings: String,
    pub intensity: String,
    pub comments: usize,
    held_on: Date,
    submitted: time::OffsetDateTime,
}

/// The answer to one item in words. Free text is never returned: the private note stays with the therapist.
fn answer_text(ins: &Instrument, answers: &Answers, id: &str) -> Option<String> {
    let item = ins.item(id)?;
    if !is_shown(item, answers) {
        return None;
    }
    let label = |code: &str| {
        item.choices.iter().find(|c| c.code == code).and_then(|c| localized(&c.label, "en")).unwrap_or(code).to_owned()
    };
    match answers.get(id)? {
        Answer::Choice(code) => Some(label(code)),
        Answer::Choices(codes) if !codes.is_empty() => {
            Some(codes.iter().map(|c| label(c)).collect::<Vec<_>>().join("; "))
        }
        Answer::Choices(_) => None,
        Answer::Value(v) => {
            let option = ins.options_of(item).and_then(|s| s.options.iter().find(|o| o.value == *v));
            Some(match option.and_then(|o| localized(&o.label, "en")) {
                Some(l) => format!("{l} ({})", number(*v)),
                None => number(*v),
            })
        }
        Answer::Text(_) => None,
    }
}

fn reflection_view(
    state: &AppState,
    client: &Client,
    therapist: &str,
    r: &StoredResponse,
    comments: usize,
) -> Result<ReflectionView, WebError> {
    let ins = state
        .catalog
        .get(THERAPIST_REFLECTION)
        .ok_or_else(|| WebError::Internal("the therapist reflection is not loaded".into()))?;
    let answers = &r.answers;
    let score = |scale: &str| r.scores.iter().find(|s| s.scale == scale).and_then(|s| s.value).map(number);
    let alliance = match score("alliance") {
        Some(total) => format!(
            "{total} of 30 (goals {}, tasks {}, bond {})",
            score("goals").unwrap_or_else(|| "–".into()),
            score("tasks").unwrap_or_else(|| "–".into()),
            score("bond").unwrap_or_else(|| "–".into())
        ),
        None => "Not rated".into(),
    };
    let mut rupture = answer_text(ins, answers, "rupture").unwrap_or_else(|| "Not answered".into());
    if let Some(kind) = answer_text(ins, answers, "rupture-kind") {
        rupture.push_str(&format!(" — {kind}"));
    }
    if let Some(repaired) = answer_text(ins, answers, "rupture-repaired") {
        rupture.push_str(&format!(" — repaired: {}", repaired.to_lowercase()));
    }
    Ok(ReflectionView {
        session_id: r.session.0,
        client_id: client.id.0,
        pseudonym: client.pseudonym.clone(),
        therapist_id: client.therapist,
        therapist: therapist.to_owned(),
        number: r.session_number,
        date: show_date(r.held_on),
        alliance,
        rupture,
        feelings: answer_text(ins, answers, "feelings").unwrap_or_else(|| "None noted".into()),
        intensity: answer_text(ins, answers, "feelings-intensity").unwrap_or_else(|| "Not rated".into()),
        comments,
        held_on: r.held_on,
        submitted: r.submitted_at,
    })
}

/// Every reflection of these therapists' clients shared for supervision, newest first. Each one shown is
/// audited as a read.
async fn shared_reflections(
    state: &AppState,
    who: &SignedIn,
    clients: &[Client],
    names: &HashMap<UserId, String>,
) -> Result<Vec<ReflectionView>, WebError> {
    let mut found: Vec<(&Client, StoredResponse)> = Vec::new();
    for client in clients {
        for r in state.store.responses_of(client.id).await? {
            if r.rater == Rater::Therapist && r.instrument.id == THERAPIST_REFLECTION && r.flags.has("supervision") {
                found.push((client, r));
            }
        }
    }
    let sessions: Vec<SessionId> = found.iter().map(|(_, r)| r.session).collect();
    let comments = state.store.reflection_comments(&sessions).await?;
    let now = state.now();
    let mut views = Vec::new();
    for (client, r) in &found {
        let count = comments.iter().filter(|c| c.session == r.session).count();
        let name = names.get(&client.therapist).map_or("", String::as_str);
        views.push(reflection_view(state, client, name, r, count)?);
        state.store.audit(access_supervision::audit(who, now, "read", "reflection", Some(r.administration.0))).await?;
    }
    if !sessions.is_empty() {
        state.store.audit(access_supervision::audit(who, now, "list", "reflection-comments", None)).await?;
    }
    views.sort_by(|a, b| b.held_on.cmp(&a.held_on).then(b.number.cmp(&a.number)).then(b.submitted.cmp(&a.submitted)));
    Ok(views)
}

/// The supervisor's supervisees (id, name), by name, and every user's name.
async fn supervisees(
    state: &AppState,
    who: &SignedIn,
) -> Result<(Vec<(UserId, String)>, HashMap<UserId, String>), WebError> {
    let ids = access::caseload_scope(state, who).await?;
    let names: HashMap<UserId, String> =
        state.store.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let mut list: Vec<(UserId, String)> =
        ids.iter().map(|id| (*id, names.get(id).cloned().unwrap_or_default())).collect();
    list.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok((list, names))
}

#[derive(Template)]
#[template(path = "supervision_home.html")]
struct HomePage {
    nav: Nav,
    groups: Vec<TherapistGroup>,
    waiting: Vec<ReflectionView>,
}

/// The supervisor's home at `/`: each supervisee's caseload, most urgent first, with open signals, and the
/// shared reflections nobody has commented on yet.
pub async fn home(state: &AppState, who: &SignedIn) -> Result<Response, WebError> {
    access::require_role(who, Role::Supervisor)?;
    let (therapists, names) = supervisees(state, who).await?;
    let ids: Vec<UserId> = therapists.iter().map(|t| t.0).collect();
    let clients = state.store.clients_of(&ids).await?;
    let rows = client_rows(state, who, &clients, &names).await?;
    let shared = shared_reflections(state, who, &clients, &names).await?;
    state.store.audit(who.audit(state.now(), "list", "caseload", None)).await?;
    let mut rows_by: HashMap<UserId, Vec<Row>> = HashMap::new();
    for row in rows {
        rows_by.entry(row.therapist_id).or_default().push(row);
    }
    let groups = therapists
        .into_iter()
        .map(|(id, name)| TherapistGroup {
            id: id.0,
            name,
            rows: rows_by.remove(&id).unwrap_or_default(),
            reflections: vec![],
        })
        .collect();
    let waiting = shared.into_iter().filter(|r| r.comments == 0).collect();
    Ok(Html(HomePage { nav: Nav::of(who), groups, waiting }.render()?).into_response())
}

#[derive(Template)]
#[template(path = "supervision_reflections.html")]
struct ReflectionsPage {
    nav: Nav,
    groups: Vec<TherapistGroup>,
}

/// `/supervision`: the reflections each supervisee shared, newest first.
pub async fn reflections(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Supervisor)?;
    let (therapists, names) = supervisees(&state, &who).await?;
    let ids: Vec<UserId> = therapists.iter().map(|t| t.0).collect();
    let clients = state.store.clients_of(&ids).await?;
    let shared = shared_reflections(&state, &who, &clients, &names).await?;
    let mut by: HashMap<UserId, Vec<ReflectionView>> = HashMap::new();
    for r in shared {
        by.entry(r.therapist_id).or_default().push(r);
    }
    let groups = therapists
        .into_iter()
        .map(|(id, name)| TherapistGroup {
            id: id.0,
            name,
            rows: vec![],
            reflections: by.remove(&id).unwrap_or_default(),
        })
        .collect();
    Ok(Html(ReflectionsPage { nav: Nav::of(&who), groups }.render()?).into_response())
}

pub struct CommentView {
    pub author: String,
    pub role: &'static str,
    pub date: String,
    pub body: String,
}

/// The supervision conversation on a session page.
pub struct ThreadView {
    pub session_id: i64,
    pub own: bool,
    pub shared: bool,
    pub may_write: bool,
    /// What the therapist wants to bring to supervision about this session, if they wrote it.
    pub focus: Option<String>,
    pub comments: Vec<CommentView>,
}

/// The thread for the session page, when the reader may see it and there is something to show. Reading the
/// comments is audited.
pub async fn thread_view(
    state: &AppState,
    who: &SignedIn,
    read: &ReadClient,
    session: &TherapySession,
    reflection: Option<&StoredResponse>,
) -> Result<Option<ThreadView>, WebError> {
    let Some(thread) = access_supervision::thread_of(read.clone(), session.clone(), reflection.cloned()) else {
        return Ok(None);
    };
    let comments = state.store.reflection_comments(&[session.id]).await?;
    let focus = state.store.supervision_focus(session.id).await?;
    if !thread.shared() && comments.is_empty() && focus.is_none() {
        return Ok(None);
    }
    state
        .store
        .audit(access_supervision::audit(who, state.now(), "read", "reflection-comments", Some(session.id.0)))
        .await?;
    Ok(Some(ThreadView {
        session_id: session.id.0,
        own: thread.read.via == Via::OwnCaseload,
        shared: thread.shared(),
        may_write: thread.may_write(),
        focus,
        comments: comments
            .into_iter()
            .map(|c| CommentView {
                author: c.author_name,
                role: if c.author_role == Role::Supervisor { "supervisor" } else { "therapist" },
                date: show_date(c.created_at.date()),
                body: c.body,
            })
            .collect(),
    }))
}

/// Adds a comment to the thread: the supervisor of the therapist, or the therapist replying. Everyone else gets
/// 404; a bad body gets a clear message and nothing is stored.
pub async fn add_comment(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let thread = access_supervision::read_thread(&state, &who, SessionId(id)).await?;
    if !thread.may_write() {
        return Err(WebError::BadRequest(
            "This reflection is not shared for supervision, so there is no conversation to add to.".into(),
        ));
    }
    let body = CommentBody::parse(form.one("body")?.unwrap_or("")).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let now = state.now();
    let comment = state
        .store
        .add_reflection_comment(NewReflectionComment {
            session: thread.session.id,
            author: who.user.id,
            body: body.into_string(),
            created_at: now,
        })
        .await?;
    state.store.audit(access_supervision::audit(&who, now, "create", "reflection-comment", Some(comment))).await?;
    Ok(Redirect::to(&format!("/sessions/{id}#supervision")).into_response())
}

/// Sets what the therapist wants to bring to supervision about a session (an empty text clears it). Only the
/// client's own therapist, and only while the session is shared for supervision; a bad text gets a clear message
/// and nothing is stored.
pub async fn set_focus(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let thread = access_supervision::read_thread(&state, &who, SessionId(id)).await?;
    if thread.read.via != Via::OwnCaseload {
        return Err(WebError::NotFound);
    }
    if !thread.may_write() {
        return Err(WebError::BadRequest(
            "Take this session to supervision in your reflection first; then write what you want to bring.".into(),
        ));
    }
    let raw = form.one("focus")?.unwrap_or("");
    let focus = if raw.trim().is_empty() {
        None
    } else {
        Some(CommentBody::parse(raw).map_err(|e| WebError::BadRequest(e.to_string()))?.into_string())
    };
    let audit = access_supervision::audit(&who, state.now(), "write", "supervision-focus", Some(id));
    state.store.set_supervision_focus(thread.session.id, focus.as_deref(), audit).await?;
    Ok(Redirect::to(&format!("/sessions/{id}#supervision")).into_response())
}
