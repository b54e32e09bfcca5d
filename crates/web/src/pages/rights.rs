//! A client's rights over their data: deletion of everything held about them, and an export of their own data
//! on request. Both are for the client's own therapist only, after re-entering the password, and both are
//! audited.

use alliance_store::{ClientId, Rater};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::{Nav, iso_date};
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::reauth;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "client_delete.html")]
struct DeletePage<'a> {
    tr: alliance_i18n::Tr,
    nav: Nav,
    client_id: i64,
    pseudonym: &'a str,
    error: Option<&'a str>,
}

pub async fn delete_page(State(state): State<AppState>, who: SignedIn, Id(id): Id) -> Result<Response, WebError> {
    let client = access::write_client(&state, &who, ClientId(id)).await?.client;
    let page = DeletePage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        client_id: id,
        pseudonym: &client.pseudonym,
        error: None,
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let client = access::write_client(&state, &who, ClientId(id)).await?.client;
    let typed = form.one("confirm")?.unwrap_or("").trim().to_owned();
    if typed != client.pseudonym.trim() {
        let mismatch = crate::language::current().t("client-delete-mismatch");
        let page = DeletePage {
            tr: crate::language::current(),
            nav: Nav::of(&who),
            client_id: id,
            pseudonym: &client.pseudonym,
            error: Some(&mismatch),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    reauth::confirm_password(&state, &who, &mut form).await?;
    state.store.delete_client(client.id, who.audit(state.now(), "delete", "client", Some(id))).await?;
    let tr = crate::language::current();
    Ok(crate::error::page(StatusCode::OK, &tr.t("client-deleted-title"), &tr.t("client-deleted")))
}

#[derive(Template)]
#[template(path = "client_export.html")]
struct ExportPage<'a> {
    tr: alliance_i18n::Tr,
    nav: Nav,
    client_id: i64,
    pseudonym: &'a str,
}

pub async fn export_page(State(state): State<AppState>, who: SignedIn, Id(id): Id) -> Result<Response, WebError> {
    let client = access::write_client(&state, &who, ClientId(id)).await?.client;
    Ok(Html(
        ExportPage { tr: crate::language::current(), nav: Nav::of(&who), client_id: id, pseudonym: &client.pseudonym }
            .render()?,
    )
    .into_response())
}

/// Everything exported about a client, as JSON and as the printable page.
#[derive(Serialize)]
pub struct Export {
    pub exported_at: String,
    pub client: ExportClient,
    pub episodes: Vec<ExportEpisode>,
    /// The therapist's dated notes about events in the client's life and care.
    pub event_notes: Vec<ExportNote>,
    /// What the client said about their background on their own page (issue 20).
    pub background: Vec<ExportBackground>,
}

#[derive(Serialize)]
pub struct ExportBackground {
    pub category: String,
    pub text: String,
    pub matters: &'static str,
    pub shared: &'static str,
    pub consented_at: String,
    pub updated_at: String,
}

#[derive(Serialize)]
pub struct ExportNote {
    pub on: String,
    pub kind: &'static str,
    pub text: String,
}

#[derive(Serialize)]
pub struct ExportGoal {
    pub text: String,
    pub status: &'static str,
    pub proposed_by: &'static str,
    /// Each change with its date and, for a proposal, agreement or rewording, the words.
    pub history: Vec<(String, &'static str, Option<String>)>,
    /// (session number, rating 0 to 10).
    pub ratings: Vec<(u32, u8)>,
}

#[derive(Serialize)]
pub struct ExportTask {
    pub text: String,
    pub agreed_in_session: Option<u32>,
    pub done: Option<&'static str>,
    pub obstacle: Option<String>,
}

#[derive(Serialize)]
pub struct ExportClient {
    pub id: i64,
    pub pseudonym: String,
    pub contact: Option<String>,
    pub created_on: String,
}

#[derive(Serialize)]
pub struct ExportEpisode {
    pub started_on: String,
    pub ended_on: Option<String>,
    pub sessions: Vec<ExportSession>,
    pub goals: Vec<ExportGoal>,
    pub tasks: Vec<ExportTask>,
}

#[derive(Serialize)]
pub struct ExportSession {
    pub number: u32,
    pub held_on: String,
    pub attended: bool,
    pub answers: Vec<ExportAnswer>,
}

#[derive(Serialize)]
pub struct ExportAnswer {
    pub instrument_id: String,
    pub instrument_name: String,
    pub submitted_at: String,
    /// Item and answer, as given.
    pub answers: Vec<(String, serde_json::Value)>,
    pub flags: alliance_core::scoring::ResponseFlags,
    pub scores: Vec<alliance_core::scoring::ScaleScore>,
}

#[derive(Template)]
#[template(path = "client_export_print.html")]
struct PrintPage<'a> {
    tr: alliance_i18n::Tr,
    export: &'a Export,
}

pub(crate) async fn gather(state: &AppState, client: &alliance_store::Client) -> Result<Export, WebError> {
    let episodes = state.store.episodes(client.id).await?;
    let sessions = state.store.sessions_of(&[client.id]).await?;
    // The client's own answers only: the therapist's reflections are the therapist's notes.
    let responses: Vec<_> =
        state.store.responses_of(client.id).await?.into_iter().filter(|r| r.rater == Rater::Client).collect();
    let ids: Vec<_> = episodes.iter().map(|e| e.id).collect();
    let client_ids = [client.id];
    let (goals, history, ratings, tasks, notes, background) = tokio::try_join!(
        state.store.goals_of(&ids),
        state.store.goal_history(&ids),
        state.store.goal_ratings(&ids),
        state.store.tasks_of(&ids),
        state.store.event_notes(&client_ids),
        state.store.backgrounds_of(&client_ids),
    )?;
    let number_of = |id| sessions.iter().find(|s| s.id == id).map(|s| s.number);
    let mut out = Vec::with_capacity(episodes.len());
    for episode in &episodes {
        let goals = goals
            .iter()
            .filter(|g| g.episode == episode.id)
            .map(|g| ExportGoal {
                text: g.text.clone(),
                status: g.status.as_str(),
                proposed_by: g.proposed_by.as_str(),
                history: history
                    .iter()
                    .filter(|h| h.goal == g.id)
                    .map(|h| (rfc3339(h.at), h.change.as_str(), h.text.clone()))
                    .collect(),
                ratings: ratings
                    .iter()
                    .filter(|r| r.goal == g.id)
                    .filter_map(|r| Some((number_of(r.session)?, r.rating.value())))
                    .collect(),
            })
            .collect();
        let tasks = tasks
            .iter()
            .filter(|t| t.episode == episode.id)
            .map(|t| ExportTask {
                text: t.text.clone(),
                agreed_in_session: number_of(t.session),
                done: t.report.as_ref().map(|r| r.done.as_str()),
                obstacle: t.report.as_ref().and_then(|r| r.obstacle.clone()),
            })
            .collect();
        let mut list = Vec::new();
        for session in sessions.iter().filter(|s| s.episode == episode.id) {
            let mut answers = Vec::new();
            for r in responses.iter().filter(|r| r.session == session.id) {
                answers.push(ExportAnswer {
                    instrument_id: r.instrument.id.clone(),
                    instrument_name: state
                        .catalog
                        .get(&r.instrument.id)
                        .map_or_else(|| r.instrument.id.clone(), |i| i.name.clone()),
                    submitted_at: rfc3339(r.submitted_at),
                    answers: r
                        .answers
                        .iter()
                        .map(|(item, answer)| Ok((item.clone(), serde_json::to_value(answer)?)))
                        .collect::<Result<_, serde_json::Error>>()
                        .map_err(|e| WebError::Internal(Box::new(e)))?,
                    flags: r.flags.clone(),
                    scores: r.scores.clone(),
                });
            }
            list.push(ExportSession {
                number: session.number,
                held_on: iso_date(session.held_on),
                attended: session.attended,
                answers,
            });
        }
        out.push(ExportEpisode {
            started_on: iso_date(episode.started_on),
            ended_on: episode.ended_on.map(iso_date),
            sessions: list,
            goals,
            tasks,
        });
    }
    Ok(Export {
        exported_at: rfc3339(state.now()),
        client: ExportClient {
            id: client.id.0,
            pseudonym: client.pseudonym.clone(),
            contact: client.contact.clone(),
            created_on: iso_date(client.created_at.date()),
        },
        episodes: out,
        event_notes: notes
            .iter()
            .map(|n| ExportNote { on: iso_date(n.on), kind: n.kind.label(), text: n.text.clone() })
            .collect(),
        background: background
            .into_iter()
            .map(|b| ExportBackground {
                category: b.category,
                text: b.text,
                matters: b.matters.as_str(),
                shared: b.shared.as_str(),
                consented_at: rfc3339(b.consented_at),
                updated_at: rfc3339(b.updated_at),
            })
            .collect(),
    })
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub async fn export(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let client = access::write_client(&state, &who, ClientId(id)).await?.client;
    let json = match form.one("format")?.unwrap_or("html") {
        "json" => true,
        "html" => false,
        _ => return Err(WebError::BadRequest(crate::language::current().t("client-export-unknown"))),
    };
    reauth::confirm_password(&state, &who, &mut form).await?;
    let export = gather(&state, &client).await?;
    state.store.audit(who.audit(state.now(), "export", "client", Some(id))).await?;
    let no_store = (header::CACHE_CONTROL, "no-store");
    if json {
        let body = serde_json::to_vec_pretty(&export).map_err(|e| WebError::Internal(Box::new(e)))?;
        let disposition = format!("attachment; filename=\"client-{id}.json\"");
        Ok((
            [(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
            [no_store],
            body,
        )
            .into_response())
    } else {
        Ok(([no_store], Html(PrintPage { tr: crate::language::current(), export: &export }.render()?)).into_response())
    }
}
