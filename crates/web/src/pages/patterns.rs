//! Per-therapist patterns, for reflection in supervision (not a performance rating): `/patterns` for a
//! therapist about themselves, `/supervision/therapists/{id}` for their supervisor. The figures are computed by
//! `alliance_core::patterns`; this page gathers its inputs and puts the figures into words.

use std::collections::HashMap;

use alliance_core::catalog::RELATIONSHIP_CHECK;
use alliance_core::domain::{DEFAULT_LINK_LIFETIME, Role};
use alliance_core::patterns::{self, ClientCourse, SessionDay};
use alliance_store::{Client, ClientId, Rater, ScorePoint, UserId};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use time::Date;

use super::{Nav, number};
use crate::access;
use crate::access_supervision::{self, SeePatterns};
use crate::auth::SignedIn;
use crate::charts::{Chart, OKABE_ITO, Series};
use crate::error::WebError;
use crate::forms::Id;
use crate::state::AppState;

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

async fn patterns_page(state: &AppState, who: &SignedIn, see: SeePatterns) -> Result<Response, WebError> {
    let clients = state.store.clients_of(&[see.therapist.id]).await?;
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let states = state.app.overviews(&clients, see.own, state.now()).await?;
    let open: HashMap<ClientId, bool> =
        state.app.current_episodes(&ids).await?.into_iter().map(|(client, e)| (client, e.ended_on.is_none())).collect();
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
        let mine = |p: &&ScorePoint| p.client == client.id && Some(p.episode) == cs.episode && p.rater == Rater::Client;
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
            // Seven colour-blind-safe colours, solid then dashed: 14 clients without a repeat.
            let colour = OKABE_ITO[i % OKABE_ITO.len()];
            Series { label: client.pseudonym.clone(), points, colour, dashed: (i / OKABE_ITO.len()) % 2 == 1 }
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
            references: vec![],
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
