//! The client lookup for break-glass (issue 13): an administrator finds a client's number from a part of the
//! pseudonym or of the therapist's name. It shows what break-glass needs and nothing clinical (number, pseudonym,
//! therapist), only for a search of at least 2 characters, at most 20 rows, and every search is audited with the
//! purpose `break-glass`.

use alliance_core::domain::Role;
use alliance_store::AuditEvent;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::Nav;
use crate::access::{self, BREAK_GLASS};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

const MAX_ROWS: usize = 20;

#[derive(Template)]
#[template(path = "admin_client_lookup.html")]
struct LookupPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    find: String,
    searched: bool,
    rows: Vec<(i64, String, String)>,
    more: bool,
}

/// `?find=<text>`: 2 to 80 characters of plain text, compared case-insensitively.
fn search_text(query: Option<&str>) -> Result<Option<String>, WebError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| WebError::BadRequest(crate::language::current().t("admin-lookup-unreadable")))?;
    let Some((_, find)) = pairs.into_iter().find(|(k, _)| k == "find") else { return Ok(None) };
    let find = find.trim().to_owned();
    if find.chars().any(char::is_control) || find.chars().count() > 80 {
        return Err(WebError::BadRequest(crate::language::current().t("admin-lookup-too-long")));
    }
    Ok((find.chars().count() >= 2).then_some(find))
}

pub async fn lookup(State(state): State<AppState>, who: SignedIn, RawQuery(q): RawQuery) -> Result<Response, WebError> {
    access::require_role(&who, Role::Administrator)?;
    let find = search_text(q.as_deref())?;
    let mut rows = Vec::new();
    if let Some(find) = &find {
        let needle = find.to_lowercase();
        let users = state.store.users().await?;
        let therapists: Vec<_> = users.iter().filter(|u| u.role == Role::Therapist).collect();
        let ids: Vec<_> = therapists.iter().map(|u| u.id).collect();
        for c in state.store.clients_of(&ids).await? {
            let name = therapists.iter().find(|u| u.id == c.therapist).map(|u| u.display_name.clone());
            let name = name.unwrap_or_default();
            if c.pseudonym.to_lowercase().contains(&needle) || name.to_lowercase().contains(&needle) {
                rows.push((c.id.0, c.pseudonym, name));
            }
        }
        let event = who.audit(state.now(), "lookup", "client-directory", None);
        state.store.audit(AuditEvent { purpose: BREAK_GLASS, ..event }).await?;
    }
    rows.sort();
    let more = rows.len() > MAX_ROWS;
    rows.truncate(MAX_ROWS);
    let page = LookupPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        searched: find.is_some(),
        find: find.unwrap_or_default(),
        rows,
        more,
    };
    Ok(Html(page.render()?).into_response())
}
