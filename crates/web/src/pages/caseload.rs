//! The caseload: every client the user may see, the ones who need attention first.

use std::collections::HashMap;

use alliance_core::domain::Role;
use alliance_core::overview::ClientOverview;
use alliance_core::triage::{SignalState, TriageKey, TriagedSignal};
use alliance_signals::signal::Severity;
use alliance_store::{Client, ClientId, UserId};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::words::{self, number};
use super::{Nav, show_date};
use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

pub struct Row {
    pub id: i64,
    pub pseudonym: String,
    pub therapist_id: UserId,
    pub therapist: String,
    pub sessions: u32,
    pub last_date: Option<String>,
    pub outcome: String,
    pub outcome_change: String,
    pub track: &'static str,
    pub alliance: String,
    pub alliance_trend: String,
    pub reasons: Vec<String>,
    pub urgent: bool,
    /// The open signals in a few words each, the most pressing first (at most [`BADGES`]).
    pub badges: Vec<Badge>,
    /// How many open signals the badges leave out.
    pub more: usize,
    /// The state in one short line: outcome and course, alliance and its direction.
    pub summary: String,
    /// The record could not be fully read: listed with a stand-in name.
    pub damaged: bool,
}

/// One open signal on the caseload line: a symbol and a level for the eye, words for everyone.
pub struct Badge {
    pub level: &'static str,
    pub icon: &'static str,
    pub text: String,
}

/// Badges per caseload line; the rest are counted ("+2 more") and shown on the client page.
const BADGES: usize = 3;

/// One badge; `measure` names the questionnaire when the signal is about one (two "Worse" badges side by side
/// said nothing about which measure worsened).
fn badge(s: &TriagedSignal, measure: Option<&str>) -> Badge {
    let (level, icon) = match s.weight {
        Severity::Critical => ("critical", "⚠"),
        Severity::Urgent => ("urgent", "▲"),
        Severity::Warning => ("warning", "●"),
        _ => ("notice", "○"),
    };
    let tr = crate::language::current();
    let when = match (s.state, s.age_days) {
        (_, Some(0)) => format!(" · {}", tr.t("caseload-when-today")),
        (SignalState::New, _) => format!(" · {}", tr.t("caseload-when-new")),
        (_, Some(d)) => format!(" · {}", age(d)),
        (_, None) => String::new(),
    };
    let measure = measure.map(|m| format!(" {m}")).unwrap_or_default();
    Badge { level, icon, text: format!("{}{measure}{when}", words::signal_badge(s.signal.kind)) }
}

fn age(days: i64) -> String {
    let tr = crate::language::current();
    match days {
        ..=13 => tr.t1("caseload-age-days", "days", days),
        14..=90 => tr.t1("caseload-age-weeks", "weeks", days / 7),
        _ => tr.t1("caseload-age-months", "months", days / 30),
    }
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    heading: String,
    empty: String,
    rows: Vec<Row>,
    /// Administrators' break-glass reads the therapist has not yet acknowledged: (client id, text).
    break_glass: Vec<(i64, String)>,
}

/// Display strings for an overview: (outcome, change, alliance, trend, track colour).
pub fn describe(state: &AppState, o: &ClientOverview) -> (String, String, String, String, &'static str) {
    let tr = crate::language::current();
    // Every outcome measure, the worst first (its colour is the row's); each named.
    let mut outcomes = Vec::new();
    let mut changes = Vec::new();
    for out in &o.outcomes {
        let ins = state.catalog.get(&out.instrument);
        let name = ins.map_or(out.instrument.as_str(), |i| i.short_name.as_str());
        let band = ins
            .and_then(|i| i.primary())
            .and_then(|s| s.band_of(out.latest))
            .map(|b| crate::language::band_words(&b.label));
        let band = band.map(|b| format!(" ({b})")).unwrap_or_default();
        let change = match out.change {
            // "since 15" read as session 15: say it is the first score (issue 13).
            Some(c) => tr.t2("client-change-from-first", "change", words::change(c), "first", number(out.first)),
            None => tr.t("client-first-score"),
        };
        let track_text = out.track.map(|t| format!(" · {}", words::track(t))).unwrap_or_default();
        outcomes.push(format!("{name} {}{band}", number(out.latest)));
        changes.push(format!("{name}: {change}{track_text}"));
    }
    let track = o.outcome().and_then(|out| out.track).map_or("none", |t| t.css());
    let (outcome, change) = if outcomes.is_empty() {
        (tr.t("client-no-outcome"), String::new())
    } else {
        (outcomes.join(" · "), changes.join("; "))
    };
    let (alliance, trend) = match &o.alliance {
        Some(a) => {
            let you = a
                .therapist_latest
                .map(|t| format!(" · {}", tr.t1("client-alliance-therapist", "score", number(t))))
                .unwrap_or_default();
            let trend = match a.trend {
                Some(t) if t <= -1.0 => tr.t1("client-trend-below", "points", number(-t)),
                Some(t) if t >= 1.0 => tr.t1("client-trend-above", "points", number(t)),
                Some(_) => tr.t("client-trend-steady"),
                None => tr.t("client-trend-first-check"),
            };
            (format!("{}{you}", number(a.latest)), trend)
        }
        None => (tr.t("client-no-check"), String::new()),
    };
    (outcome, change, alliance, trend, track)
}

/// Caseload rows for these clients, the ones who need attention first. `names` gives therapists' names for a
/// supervisor's view (empty for a therapist's own caseload).
pub async fn client_rows(
    state: &AppState,
    who: &SignedIn,
    clients: &[Client],
    names: &HashMap<UserId, String>,
) -> Result<Vec<Row>, WebError> {
    let now = state.now();
    let today = who.today(now);
    let states = state.app.overviews_for(who.user.id, clients, who.user.role == Role::Therapist, now).await?;
    let mut rows: Vec<(TriageKey, Row)> = clients
        .iter()
        .filter_map(|client| {
            let client_state = states.get(&client.id)?;
            let last = client_state.sessions.last();
            let triage = client_state.triage(today);
            let open: Vec<&TriagedSignal> = triage.open().collect();
            let (outcome, outcome_change, alliance, alliance_trend, track) = describe(state, &client_state.overview);
            let mut key = triage.key;
            // A damaged record needs someone soon, after anyone at risk (docs/TRIAGE.md#damaged-records).
            if client.damaged {
                key.tier = key.tier.min(1);
            }
            let course =
                client_state.overview.outcome().and_then(|o| o.track).map(|t| format!(" · PHQ-9 {}", words::track(t)));
            let tr = crate::language::current();
            let alliance_words = match client_state.overview.alliance.as_ref().and_then(|a| a.trend) {
                Some(t) if t <= -1.0 => tr.t1("caseload-alliance-falling", "alliance", &alliance),
                Some(t) if t >= 1.0 => tr.t1("caseload-alliance-rising", "alliance", &alliance),
                _ => tr.t1("caseload-alliance", "alliance", &alliance),
            };
            let summary = format!("{}{} · {alliance_words}", outcome, course.unwrap_or_default());
            let row = Row {
                summary,
                id: client.id.0,
                pseudonym: client.pseudonym.clone(),
                therapist_id: client.therapist,
                therapist: names.get(&client.therapist).cloned().unwrap_or_default(),
                sessions: last.map_or(0, |s| s.number),
                last_date: last.map(|s| show_date(s.held_on)),
                outcome,
                outcome_change,
                track,
                alliance,
                alliance_trend,
                reasons: open
                    .iter()
                    .map(|s| {
                        let explanation = crate::language::current().text(&s.signal.text);
                        format!("{}: {explanation}", words::signal_title(s.signal.kind))
                    })
                    .collect(),
                urgent: triage.key.tier <= 1,
                badges: open
                    .iter()
                    .take(BADGES)
                    .map(|s| {
                        let measure = s.signal.measure.as_deref().and_then(|m| state.catalog.get(m));
                        badge(s, measure.map(|i| i.short_name.as_str()))
                    })
                    .collect(),
                more: open.len().saturating_sub(BADGES),
                damaged: client.damaged,
            };
            Some((key, row))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.pseudonym.cmp(&b.1.pseudonym)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

pub async fn caseload(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    match who.user.role {
        Role::Administrator => return Ok(Redirect::to("/admin/users").into_response()),
        // Researchers work with de-identified data only.
        Role::Researcher => return Ok(Redirect::to("/research").into_response()),
        // Supervisors start from their supervisees' caseloads, grouped by therapist.
        Role::Supervisor => return super::supervision::home(&state, &who).await,
        Role::Therapist => {}
    }
    let scope = access::caseload_scope(&state, &who).await?;
    let clients = state.store.clients_of(&scope).await?;
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let pseudonyms: HashMap<_, _> = clients.iter().map(|c| (c.id, c.pseudonym.as_str())).collect();
    let no_names = HashMap::new();
    // Independent, so at once: the rows, the break-glass notices and the audit entry of the listing.
    let (rows, grants, ()) = tokio::try_join!(
        client_rows(&state, &who, &clients, &no_names),
        async { state.store.break_glass_of(&ids).await.map_err(WebError::from) },
        async { state.store.audit(who.audit(state.now(), "list", "caseload", None)).await.map_err(WebError::from) },
    )?;
    // A therapist sees when an administrator broke the glass on one of their clients, until they acknowledge it.
    let break_glass = grants
        .iter()
        .filter(|g| g.acknowledged_at.is_none())
        .map(|g| {
            (
                g.client.0,
                format!("{}: {}", pseudonyms.get(&g.client).unwrap_or(&""), super::audit::notice(g, &who.zone)),
            )
        })
        .collect();
    let tr = crate::language::current();
    let page = CaseloadPage {
        tr,
        nav: Nav::of(&who),
        heading: tr.t("caseload-heading"),
        empty: tr.t("caseload-empty"),
        rows,
        break_glass,
    };
    Ok(Html(page.render()?).into_response())
}
