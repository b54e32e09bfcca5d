//! The caseload: every client the user may see, the ones who need attention first.

use std::collections::HashMap;

use alliance_core::domain::Role;
use alliance_core::overview::{AttentionSettings, ClientOverview, Observation, Respondent, overview};
use alliance_store::{ClientId, Rater, ScorePoint};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{Nav, number, show_date};
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

pub struct Row {
    pub id: i64,
    pub pseudonym: String,
    pub therapist: String,
    pub sessions: u32,
    pub last_date: Option<String>,
    pub outcome: String,
    pub outcome_change: String,
    pub alliance: String,
    pub alliance_trend: String,
    pub reasons: Vec<String>,
    pub urgent: bool,
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    nav: Nav,
    heading: &'static str,
    empty: &'static str,
    outcome_name: &'static str,
    show_therapist: bool,
    rows: Vec<Row>,
}

/// Observations of a client's latest episode (baselines reset with each episode of care).
pub fn observations(points: &[&ScorePoint]) -> Vec<Observation> {
    let latest_episode = points.iter().map(|p| p.episode).max();
    points
        .iter()
        .filter(|p| Some(p.episode) == latest_episode)
        .map(|p| Observation {
            session: p.session_number,
            instrument: p.instrument.clone(),
            respondent: match p.rater {
                Rater::Client => Respondent::Client,
                Rater::Therapist => Respondent::Therapist,
            },
            scale: p.scale.clone(),
            value: p.value,
            concern: p.concern,
            flags: p.flags.clone(),
        })
        .collect()
}

/// Display strings for an overview: (outcome, change, alliance, trend).
pub fn describe(state: &AppState, o: &ClientOverview) -> (String, String, String, String) {
    let (outcome, change) = match &o.outcome {
        Some(out) => {
            let ins = state.catalog.get(&out.instrument);
            let name = ins.map_or(out.instrument.as_str(), |i| i.short_name.as_str());
            let band = ins.and_then(|i| i.primary()).and_then(|s| s.band_of(out.latest)).map(|b| b.label.clone());
            let band = band.map(|b| format!(" ({b})")).unwrap_or_default();
            (
                format!("{name} {}{band}", number(out.latest)),
                format!("{} since start ({})", out.change.label(), number(out.first)),
            )
        }
        None => ("No outcome yet".to_owned(), String::new()),
    };
    let (alliance, trend) = match &o.alliance {
        Some(a) => {
            let you = a.therapist_latest.map(|t| format!(" · you {}", number(t))).unwrap_or_default();
            let trend = match a.trend {
                Some(t) if t <= -1.0 => format!("↓ {} below recent", number(-t)),
                Some(t) if t >= 1.0 => format!("↑ {} above recent", number(t)),
                Some(_) => "steady".to_owned(),
                None => "first check".to_owned(),
            };
            (format!("{}{you}", number(a.latest)), trend)
        }
        None => ("No check yet".to_owned(), String::new()),
    };
    (outcome, change, alliance, trend)
}

pub async fn caseload(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    match who.user.role {
        Role::Administrator => return Ok(Redirect::to("/admin/users").into_response()),
        Role::Researcher => {
            return Err(WebError::Forbidden);
        }
        Role::Therapist | Role::Supervisor => {}
    }
    let scope = access::caseload_scope(&state, &who).await?;
    let clients = state.store.clients_of(&scope).await?;
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let points = state.store.score_points(&ids).await?;
    let latest: HashMap<ClientId, (u32, time::Date)> =
        state.store.latest_sessions(&ids).await?.into_iter().map(|(c, n, d)| (c, (n, d))).collect();
    let names: HashMap<_, _> = if who.user.role == Role::Supervisor {
        state.store.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect()
    } else {
        HashMap::new()
    };
    let mut by_client: HashMap<ClientId, Vec<&ScorePoint>> = HashMap::new();
    for p in &points {
        by_client.entry(p.client).or_default().push(p);
    }
    let settings = AttentionSettings::default();
    let mut rows: Vec<((u8, usize), Row)> = clients
        .iter()
        .map(|client| {
            let obs = observations(by_client.get(&client.id).map_or(&[][..], Vec::as_slice));
            let held = latest.get(&client.id);
            let o = overview(&state.catalog, &obs, held.map(|h| h.0), &settings);
            let (outcome, outcome_change, alliance, alliance_trend) = describe(&state, &o);
            let row = Row {
                id: client.id.0,
                pseudonym: client.pseudonym.clone(),
                therapist: names.get(&client.therapist).cloned().unwrap_or_default(),
                sessions: held.map_or(0, |h| h.0),
                last_date: held.map(|h| show_date(h.1)),
                outcome,
                outcome_change,
                alliance,
                alliance_trend,
                reasons: o.attention.iter().map(|a| a.explain()).collect(),
                urgent: o.attention.iter().any(|a| a.is_urgent()),
            };
            (o.priority(), row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.pseudonym.cmp(&b.1.pseudonym)));
    state.store.audit(who.audit(state.now(), "list", "caseload", None)).await?;
    let supervisor = who.user.role == Role::Supervisor;
    let page = CaseloadPage {
        nav: Nav::of(&who),
        heading: if supervisor { "Supervisees' clients" } else { "Your caseload" },
        empty: if supervisor {
            "No supervisees yet. An administrator links therapists to you."
        } else {
            "No clients yet. Use “Add client” to start."
        },
        outcome_name: "PHQ-9, else GAD-7",
        show_therapist: supervisor,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    };
    Ok(Html(page.render()?).into_response())
}
