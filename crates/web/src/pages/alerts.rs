//! The risk banner: a therapist is told on every page, not only on the caseload, that a client of theirs endorsed
//! a risk item and nobody has acknowledged it yet (issue 13, item 2; docs/ARCHITECTURE.md#risk-protocol).
//!
//! The staff header loads it after the page (`hx-trigger="load"`), so a page's own time does not carry the
//! caseload's overviews; the caseload ranks the same clients first for a browser without scripts.

use alliance_core::domain::Role;
use alliance_signals::signal::SignalKind;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use crate::access;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

/// A client whose item-9 answer waits for the therapist.
pub struct Waiting {
    pub id: i64,
    pub pseudonym: String,
    /// "today", "3 days ago", or nothing when the session has no date.
    pub when: String,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct Alerts {
    tr: alliance_i18n::Tr,
    waiting: Vec<Waiting>,
}

fn when(days: Option<i64>) -> String {
    match days {
        Some(0) => crate::language::current().t("alerts-today"),
        Some(1) => crate::language::current().t("alerts-yesterday"),
        Some(d) if d > 1 => crate::language::current().t1("alerts-days-ago", "days", d),
        _ => String::new(),
    }
}

/// `GET /alerts`: the therapist's own clients with an open risk signal, newest first, as a fragment for the
/// header (empty when there is none). Only the therapist's own caseload: a break-glass read is not theirs to act
/// on. Audited as a read when it names anyone.
pub async fn alerts(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Therapist)?;
    let now = state.now();
    let scope = access::caseload_scope(&state, &who).await?;
    let clients = state.store.clients_of(&scope).await?;
    let states = state.app.overviews(&clients, true, now).await?;
    let mut waiting: Vec<(Option<i64>, Waiting)> = clients
        .iter()
        .filter_map(|client| {
            let triage = states.get(&client.id)?.triage(who.today(now));
            let risk = triage.open().filter(|s| s.signal.kind == SignalKind::Risk).min_by_key(|s| s.age_days)?;
            let age = risk.age_days;
            Some((age, Waiting { id: client.id.0, pseudonym: client.pseudonym.clone(), when: when(age) }))
        })
        .collect();
    waiting
        .sort_by(|a, b| a.0.unwrap_or(i64::MAX).cmp(&b.0.unwrap_or(i64::MAX)).then(a.1.pseudonym.cmp(&b.1.pseudonym)));
    if !waiting.is_empty() {
        state.store.audit(who.audit(now, "list", "risk-alerts", None)).await?;
    }
    let waiting = waiting.into_iter().map(|(_, w)| w).collect();
    Ok(Html(Alerts { tr: crate::language::current(), waiting }.render()?).into_response())
}
