//! The client's own page (issue 16): their goals and ratings, their outcome in plain words, their relationship
//! ratings unless their therapist hid them, and their tasks; a goal they would like to work on, proposed for the
//! next session; a print view to bring along. Never the therapist's reflection, signal texts or the expected
//! course.
//!
//! It is reached by a personal link without an account. The link's token is a keyed hash of the client and the
//! link's generation under the server secret: the server can show it again (on the thank-you page, to the
//! therapist) while the database holds only its SHA-256, and reissuing (a new generation) ends the old one.

use alliance_core::catalog::RELATIONSHIP_CHECK;

use alliance_core::partnership::{GoalStatus, GoalText, MAX_OPEN_GOALS, ProposedBy, TaskDone};
use alliance_signals::change::ChangeCategory;
use alliance_store::{AuditEvent, ClientId, ClientPage, LinkView, Rater, StoredResponse};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::clients::{ChartView, outcome_chart, series, table};
use super::partnership::goal_chart;
use super::respond::MessagePage;
use crate::charts::{CLIENT, Chart, Series};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::security;
use crate::state::AppState;

/// The token of the client's page link of this generation.
pub fn token(state: &AppState, client: ClientId, generation: i64) -> String {
    security::form_token(&state.secret, "client-page", &format!("{client}:{generation}"))
}

/// The address of the client's page link of this generation.
pub fn url(state: &AppState, client: ClientId, generation: i64) -> String {
    format!("{}/my/{}", state.config.public_url.trim_end_matches('/'), token(state, client, generation))
}

/// The client's page address, for the thank-you page after a check, when the therapist has given them one.
pub async fn url_for_link(state: &AppState, link: &LinkView) -> Option<String> {
    let found = async {
        let Some(client) = state.app.client_of_link(link).await? else { return Ok(None) };
        let page = state.store.client_page(client).await?;
        Ok::<_, WebError>(page.filter(|p| p.active).map(|p| url(state, client, p.generation)))
    };
    match found.await {
        Ok(url) => url,
        // The answers are stored: a thank-you page without the link beats an error page.
        Err(e) => {
            tracing::error!(error = %e, "the client's page could not be looked up for the thank-you page");
            None
        }
    }
}

struct OwnGoal {
    text: String,
    /// "Your latest rating: 6 of 10 (3 at the start)".
    progress: String,
    status: String,
}

struct OwnTask {
    text: String,
    report: String,
}

#[derive(Template)]
#[template(path = "own_page.html")]
struct OwnPage {
    tr: alliance_i18n::Tr,
    token: String,
    csrf: String,
    print: bool,
    goals: Vec<OwnGoal>,
    proposed: Vec<String>,
    can_propose: bool,
    proposal: String,
    error: Option<String>,
    goal_chart: Option<ChartView>,
    outcomes: Vec<String>,
    charts: Vec<ChartView>,
    alliance: Option<String>,
    alliance_chart: Option<ChartView>,
    tasks: Vec<OwnTask>,
    /// The client asked not to be asked (and can undo it here).
    stopped: bool,
    /// Their current answer to the research question.
    research: bool,
    retention: String,
    switch: crate::language::Switch,
    /// The background questions (issue 20), where the practice asks them.
    background: Option<Vec<super::background::BackgroundRow>>,
}

fn not_valid() -> Result<Response, WebError> {
    let tr = crate::language::current();
    let (title, paragraph) = (tr.t("link-invalid-title"), tr.t("own-link-invalid"));
    let page = MessagePage {
        tr,
        title: &title,
        paragraphs: vec![&paragraph],
        crisis: None,
        switch: Some(crate::language::Switch::here(false)),
    };
    Ok((StatusCode::NOT_FOUND, Html(page.render()?)).into_response())
}

pub(super) async fn page_of(state: &AppState, token: &str) -> Result<Option<ClientPage>, WebError> {
    if !security::looks_like_token(token) {
        return Ok(None);
    }
    let page = state.store.client_page_by_token(&security::hash_token(token)).await?;
    // The page speaks the client's language from here on (unless this browser chose another).
    if let Some(page) = &page
        && let Some(client) = state.store.client(page.client).await?
    {
        crate::language::adopt(client.language.as_deref());
    }
    Ok(page)
}

/// Plain words for a reliable-change category, for the client (a message id).
fn change_words(change: ChangeCategory) -> &'static str {
    match change {
        ChangeCategory::Recovered => "change-recovered",
        ChangeCategory::ReliablyImproved => "change-reliable-improvement",
        ChangeCategory::Unchanged => "change-unchanged",
        ChangeCategory::ReliablyDeteriorated | ChangeCategory::Harmed => "change-reliable-deterioration",
    }
}

async fn render(
    state: &AppState,
    token: &str,
    page: &ClientPage,
    print: bool,
    proposal: (&str, Option<String>),
) -> Result<String, WebError> {
    let tr = crate::language::current();
    let now = state.now();
    let client = state.store.client(page.client).await?.ok_or(WebError::NotFound)?;
    let episodes = state.app.current_episodes(&[client.id]).await?;
    let episode = episodes.get(&client.id);
    let ids: Vec<_> = episode.map(|e| e.id).into_iter().collect();
    let clients = [client.id];
    let (consents, stops) = tokio::try_join!(state.store.consents_of(&clients), state.store.stopped_asking(&clients))?;
    let (goals, ratings, tasks, sessions, responses, mut overviews) = tokio::try_join!(
        async { state.store.goals_of(&ids).await.map_err(WebError::from) },
        async { state.store.goal_ratings(&ids).await.map_err(WebError::from) },
        async { state.store.tasks_of(&ids).await.map_err(WebError::from) },
        async {
            match episode {
                Some(e) => state.store.sessions(e.id).await.map_err(WebError::from),
                None => Ok(Vec::new()),
            }
        },
        async { state.store.responses_of(client.id).await.map_err(WebError::from) },
        // As a supervisor would see it: no reflection that was not shared counts, and none is shown here anyway.
        async { state.app.overviews(std::slice::from_ref(&client), false, now).await.map_err(WebError::from) },
    )?;
    // The client's own answers in this episode only: never the therapist's reflection.
    let own: Vec<&StoredResponse> =
        responses.iter().filter(|r| r.rater == Rater::Client && episode.is_some_and(|e| e.id == r.episode)).collect();
    let span = sessions.iter().map(|s| s.number).max().unwrap_or(1).max(4);
    let shown_goals: Vec<_> =
        goals.iter().filter(|g| g.status != GoalStatus::Proposed && g.status != GoalStatus::Dropped).cloned().collect();
    let own_goals = shown_goals
        .iter()
        .map(|g| {
            let points = super::partnership::goal_points(g.id, &ratings, &sessions);
            let progress = match (points.first(), points.last()) {
                (Some(first), Some(last)) if points.len() > 1 => {
                    tr.t2("own-goal-latest", "latest", last.1, "first", first.1)
                }
                (Some(only), _) => tr.t1("own-goal-only", "latest", only.1),
                _ => tr.t("own-goal-unrated"),
            };
            let status = if g.status == GoalStatus::Achieved { tr.t("own-goal-achieved") } else { String::new() };
            OwnGoal { text: g.text.clone(), progress, status }
        })
        .collect();
    let proposed: Vec<String> =
        goals.iter().filter(|g| g.status == GoalStatus::Proposed).map(|g| g.text.clone()).collect();
    let open = goals.iter().filter(|g| g.status.is_open()).count();
    let mut outcomes = Vec::new();
    let mut charts = Vec::new();
    if let Some(status) = overviews.remove(&client.id) {
        for out in &status.overview.outcomes {
            let name = state.catalog.get(&out.instrument).map_or(out.instrument.as_str(), |i| i.short_name.as_str());
            outcomes.push(match out.change {
                Some(change) => tr.format(
                    "own-outcome-change",
                    &[
                        ("measure", name.into()),
                        ("first", out.first.into()),
                        ("latest", out.latest.into()),
                        ("change", tr.t(change_words(change)).into()),
                    ],
                ),
                None => tr.t2("own-outcome-first", "measure", name, "latest", out.latest),
            });
            charts.extend(outcome_chart(state, &own, &out.instrument, span, None, &[]));
        }
    }
    let (alliance, alliance_chart) = if page.hide_alliance { (None, None) } else { alliance_view(state, &own, span) };
    let tasks = tasks
        .iter()
        .map(|t| OwnTask {
            text: t.text.clone(),
            report: tr.t(match t.report.as_ref().map(|r| r.done) {
                None => "task-report-pending",
                Some(TaskDone::Yes) => "task-report-yes",
                Some(TaskDone::Partly) => "task-report-partly",
                Some(TaskDone::No) => "task-report-no",
            }),
        })
        .collect();
    let background = super::background::rows(state, client.id).await?;
    Ok(OwnPage {
        tr: crate::language::current(),
        token: token.to_owned(),
        csrf: security::form_token(&state.secret, "own-page", token),
        print,
        goals: own_goals,
        proposed,
        can_propose: !print && episode.is_some_and(|e| e.ended_on.is_none()) && open < MAX_OPEN_GOALS,
        proposal: proposal.0.to_owned(),
        error: proposal.1,
        goal_chart: goal_chart(&shown_goals, &ratings, &sessions, "Your"),
        outcomes,
        charts,
        alliance,
        alliance_chart,
        tasks,
        stopped: !stops.is_empty(),
        research: consents.last().is_some_and(|c| c.research),
        retention: super::respond::retention_text(state.config.retention_years),
        switch: crate::language::Switch::new(&format!("/my/{token}"), state.config.pseudo_locale),
        background,
    }
    .render()?)
}

/// The client's relationship ratings (the relationship check's total) over the sessions, in plain words.
fn alliance_view(state: &AppState, own: &[&StoredResponse], span: u32) -> (Option<String>, Option<ChartView>) {
    let Some(ins) = state.catalog.get(RELATIONSHIP_CHECK) else { return (None, None) };
    let Some(scale) = ins.primary() else { return (None, None) };
    let points = series(own, RELATIONSHIP_CHECK, Rater::Client, &scale.id);
    let (Some(first), Some(last)) = (points.first(), points.last()) else { return (None, None) };
    let Some((low, high)) = scale.bounds(ins) else { return (None, None) };
    let tr = crate::language::current();
    let words = tr.format(
        "own-alliance",
        &[("first", first.1.into()), ("latest", last.1.into()), ("min", low.into()), ("max", high.into())],
    );
    let chart = Chart {
        id: "chart-own-alliance".into(),
        title: tr.t("own-chart-alliance-title"),
        description: words.clone(),
        y_label: tr.t("own-chart-rating"),
        y_range: (low, high),
        sessions: span,
        bands: vec![],
        cutoff: None,
        series: vec![Series { label: tr.t("own-chart-you"), points: points.clone(), colour: CLIENT, dashed: false }],
        references: vec![],
        markers: vec![],
    };
    let you = tr.t("own-chart-you");
    let (headers, rows) = table(&[you.as_str()], &[&points]);
    let caption = words.clone();
    (Some(words), Some(ChartView { svg: chart.render(), caption, headers, rows }))
}

async fn show(state: &AppState, token: &str, print: bool) -> Result<Response, WebError> {
    let Some(page) = page_of(state, token).await? else { return not_valid() };
    // The client reading their own record is audited like any other read of it.
    let at = state.now();
    let action = if print { "client-printed-own-page" } else { "client-viewed-own-page" };
    state
        .store
        .audit(AuditEvent { object_id: Some(page.client.0), ..AuditEvent::system(at, action, "client", "care") })
        .await?;
    Ok(Html(render(state, token, &page, print, ("", None)).await?).into_response())
}

pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    show(&state, &token, false).await
}

pub async fn print(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    show(&state, &token, true).await
}

/// A goal the client would like to work on: proposed, for the therapist to agree in session.
pub async fn propose_goal(
    State(state): State<AppState>,
    Path(token): Path<String>,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let Some(page) = page_of(&state, &token).await? else { return not_valid() };
    form.check_form_token(&state.secret, "own-page", &token)?;
    let raw = form.one("text")?.unwrap_or("").to_owned();
    let tr = crate::language::current();
    let why = match GoalText::parse(&raw) {
        Err(e) => tr.t1("own-proposal-invalid", "problem", crate::language::parse_error(&e)),
        Ok(text) => {
            let episodes = state.app.current_episodes(&[page.client]).await?;
            match episodes.get(&page.client).filter(|e| e.ended_on.is_none()) {
                None => tr.t("own-proposal-ended"),
                Some(episode) => {
                    let now = state.now();
                    let audit = AuditEvent::system(now, "client-proposed", "goal", "care");
                    match state.store.add_goal(episode.id, &text, ProposedBy::Client, None, audit, now).await {
                        Ok(_) => return Ok(Redirect::to(&format!("/my/{token}#goals")).into_response()),
                        Err(alliance_store::StoreError::Conflict(_)) => tr.t("own-proposal-full"),
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
    };
    let html = render(&state, &token, &page, false, (&raw, Some(why))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// The client's answer to the research question, changed on their own page: recorded as a new consent with the
/// current text's version.
pub async fn research_choice(
    State(state): State<AppState>,
    Path(token): Path<String>,
    mut form: FormFields,
) -> Result<Response, WebError> {
    let Some(page) = page_of(&state, &token).await? else { return not_valid() };
    form.check_form_token(&state.secret, "own-page", &token)?;
    let research = match form.one("research")? {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(WebError::BadRequest(crate::language::current().t("own-research-choose"))),
    };
    let now = state.now();
    let consent = alliance_store::NewConsent { version: alliance_core::partnership::CONSENT_VERSION, research };
    let audit = AuditEvent::system(now, "client-consented", "client", "care");
    state.store.record_consent(page.client, consent, audit, now).await?;
    Ok(Redirect::to(&format!("/my/{token}#about")).into_response())
}

/// The client's own answers and goals, as JSON to keep: what their therapist's export holds, without the name
/// the practice knows them by or their contact details.
pub async fn download(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, WebError> {
    let Some(page) = page_of(&state, &token).await? else { return not_valid() };
    let client = state.store.client(page.client).await?.ok_or(WebError::NotFound)?;
    let now = state.now();
    let audit = AuditEvent {
        object_id: Some(client.id.0),
        ..AuditEvent::system(now, "client-downloaded-own-answers", "client", "care")
    };
    state.store.audit(audit).await?;
    let mut export = super::rights::gather(&state, &client).await?;
    export.client.pseudonym = String::new();
    export.client.contact = None;
    // Notes are the therapist's; the client's download is their own answers, goals and tasks.
    export.event_notes.clear();
    let body = serde_json::to_vec_pretty(&export).map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"my-answers.json\""),
        ],
        body,
    )
        .into_response())
}
