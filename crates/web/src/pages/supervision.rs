//! Supervision: the supervisor's home (supervisees' caseloads with open signals, reflections waiting for a
//! comment), the reflections shared for supervision with the therapist's feelings towards the client, the comment
//! thread on a reflection, and per-therapist patterns for reflection (not a performance rating).

use std::collections::HashMap;

use alliance_core::catalog::{RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use alliance_core::domain::{DEFAULT_LINK_LIFETIME, Role};
use alliance_core::instrument::{Instrument, localized};
use alliance_core::patterns::{self, ClientCourse, SessionDay};
use alliance_core::scoring::{Answer, Answers, is_shown};
use alliance_core::supervision::CommentBody;
use alliance_store::{
    Client, ClientId, NewReflectionComment, Rater, SessionId, StoredResponse, TherapySession, UserId,
};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use time::Date;

use super::caseload::{Row, client_rows};
use super::{Nav, number, show_date, signals};
use crate::access::{self, ReadClient, Via};
use crate::access_supervision::{self, SeePatterns};
use crate::auth::SignedIn;
use crate::charts::{Chart, Series};
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
    let answers: Answers = serde_json::from_str(&r.answers_json).map_err(|e| WebError::Internal(Box::new(e)))?;
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
    let mut rupture = answer_text(ins, &answers, "rupture").unwrap_or_else(|| "Not answered".into());
    if let Some(kind) = answer_text(ins, &answers, "rupture-kind") {
        rupture.push_str(&format!(" — {kind}"));
    }
    if let Some(repaired) = answer_text(ins, &answers, "rupture-repaired") {
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
        feelings: answer_text(ins, &answers, "feelings").unwrap_or_else(|| "None noted".into()),
        intensity: answer_text(ins, &answers, "feelings-intensity").unwrap_or_else(|| "Not rated".into()),
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
    if !thread.shared() && comments.is_empty() {
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

#[derive(Template)]
#[template(path = "patterns.html")]
struct PatternsPage {
    nav: Nav,
    therapist: String,
    own: bool,
    figures: Vec<(String, String, String)>,
    chart: Option<String>,
    chart_caption: String,
}

/// `/patterns`: a therapist's own patterns.
pub async fn own_patterns(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Therapist)?;
    let see = access_supervision::see_patterns(&state, &who, who.user.id).await?;
    patterns_page(&state, &who, see).await
}

/// `/supervision/therapists/{id}`: a supervisee's patterns, for their supervisor.
pub async fn therapist_patterns(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
) -> Result<Response, WebError> {
    let see = access_supervision::see_patterns(&state, &who, UserId(id)).await?;
    patterns_page(&state, &who, see).await
}

const COLOURS: [&str; 6] = ["#1f4e79", "#8a5a00", "#2e7d32", "#8e24aa", "#b00020", "#00796b"];

async fn patterns_page(state: &AppState, who: &SignedIn, see: SeePatterns) -> Result<Response, WebError> {
    let clients = state.store.clients_of(&[see.therapist.id]).await?;
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let states = signals::overviews(state, &ids, see.own).await?;
    let open: HashMap<ClientId, bool> =
        state.store.current_episodes(&ids).await?.into_iter().map(|e| (e.client, e.ended_on.is_none())).collect();
    let points = state.store.score_points(&ids).await?;
    let today = state.now().date();
    let pending_since = today - DEFAULT_LINK_LIFETIME;
    struct Course {
        alliance: Vec<(u32, f64)>,
        sessions: Vec<SessionDay>,
        acks: Vec<(String, Date)>,
    }
    let mut courses: Vec<(&Client, Course)> = Vec::new();
    for client in &clients {
        let Some(cs) = states.get(&client.id) else { continue };
        let mine = |p: &&alliance_store::ScorePoint| {
            p.client == client.id && Some(p.episode) == cs.episode && p.rater == Rater::Client
        };
        let alliance: Vec<(u32, f64)> = points
            .iter()
            .filter(mine)
            .filter(|p| p.instrument == RELATIONSHIP_CHECK && p.scale == "alliance")
            .filter_map(|p| p.value.map(|v| (p.session_number, v)))
            .collect();
        let answered: Vec<u32> = points.iter().filter(mine).map(|p| p.session_number).collect();
        let sessions = cs
            .sessions
            .iter()
            .map(|s| SessionDay {
                number: s.number,
                held_on: s.held_on,
                attended: s.attended,
                check_answered: answered.contains(&s.number),
                check_pending: s.held_on >= pending_since,
            })
            .collect();
        let acks = cs.acknowledgements.iter().map(|a| (a.key.clone(), a.at.date())).collect();
        courses.push((client, Course { alliance, sessions, acks }));
    }
    let input: Vec<ClientCourse<'_>> = courses
        .iter()
        .filter_map(|(client, c)| {
            let cs = states.get(&client.id)?;
            Some(ClientCourse {
                overview: &cs.overview,
                episode: cs.episode_key(),
                active: open.get(&client.id).copied().unwrap_or(false),
                alliance: &c.alliance,
                sessions: &c.sessions,
                acknowledgements: &c.acks,
            })
        })
        .collect();
    let p = patterns::patterns(&input, today);
    let figures = figures(&p);
    // The chart: each active client's alliance by session number.
    let series: Vec<Series> = courses
        .iter()
        .filter(|(client, c)| open.get(&client.id).copied().unwrap_or(false) && !c.alliance.is_empty())
        .enumerate()
        .map(|(i, (client, c))| {
            let mut points: Vec<(f64, f64)> = c.alliance.iter().map(|(n, v)| (f64::from(*n), *v)).collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series { label: client.pseudonym.clone(), points, colour: COLOURS[i % COLOURS.len()], dashed: false }
        })
        .collect();
    let sessions = series.iter().flat_map(|s| s.points.iter().map(|p| p.0 as u32)).max().unwrap_or(0);
    let chart_caption = format!(
        "The client-rated working alliance (6 to 30, higher is better) of {} active clients by session number.",
        series.len()
    );
    let chart = (!series.is_empty()).then(|| {
        Chart {
            id: "chart-patterns".into(),
            title: "Clients' working alliance by session".into(),
            description: chart_caption.clone(),
            y_label: "Alliance".into(),
            y_range: (6.0, 30.0),
            sessions: sessions.max(4),
            bands: vec![],
            cutoff: None,
            series,
            markers: vec![],
        }
        .render()
    });
    let page = PatternsPage {
        nav: Nav::of(who),
        therapist: see.therapist.display_name.clone(),
        own: see.own,
        figures,
        chart,
        chart_caption,
    };
    Ok(Html(page.render()?).into_response())
}

/// The figures in words: (what, value, how it is computed).
fn figures(p: &patterns::Patterns) -> Vec<(String, String, String)> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "–".into());
    let signed = |v: f64| if v > 0.0 { format!("+{v:.2}") } else { format!("{v:.2}") };
    let active = "Clients with an open episode of care; every figure below is about them.";
    let level =
        format!("Mean of each client's latest alliance score (6 to 30), from {} clients.", p.alliance_level_clients);
    let trend = format!(
        "Mean of each client's slope over their latest {} scores (clients with at least {}): {} clients contribute.",
        patterns::TREND_WINDOW,
        patterns::TREND_MIN_SCORES,
        p.alliance_trend_clients
    );
    let ruptures = format!(
        "{} detected: {} repaired, {} not repaired, {} still open",
        p.ruptures, p.ruptures_repaired, p.ruptures_unrepaired, p.ruptures_open
    );
    let ruptures_how = "Reported by the client or the therapist, or a dip in the client's alliance; repaired when \
                        talked through or when the score came back.";
    let signals_how = "Open signals still ask for attention (risk from the latest questionnaire always does).";
    let days_how = format!(
        "From the session a signal is about to its acknowledgement. Open signals have waited {} days (median).",
        or_dash(p.median_days_open.map(number))
    );
    let checks_how = format!(
        "{} of {} attended sessions (checks still open are not counted).",
        p.sessions_with_check, p.sessions_due
    );
    vec![
        ("Active clients".into(), p.active_clients.to_string(), active.into()),
        ("Alliance level".into(), or_dash(p.alliance_level.map(|v| format!("{v:.1}"))), level),
        ("Alliance trend".into(), or_dash(p.alliance_trend.map(|v| format!("{} per session", signed(v)))), trend),
        ("Ruptures".into(), ruptures, ruptures_how.into()),
        (
            "Signals".into(),
            format!("{} open, {} acknowledged", p.signals_open, p.signals_acknowledged),
            signals_how.into(),
        ),
        (
            "Days to acknowledge".into(),
            or_dash(p.median_days_to_acknowledge.map(|v| format!("{} (median)", number(v)))),
            days_how,
        ),
        ("Client checks answered".into(), or_dash(p.check_share().map(|v| format!("{:.0} %", v * 100.0))), checks_how),
    ]
}
