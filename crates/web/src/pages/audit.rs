//! The administrator's view of the audit log, and break-glass: an administrator's time-limited, audited read of
//! one client's record, which the client's therapist is shown.

use std::collections::HashMap;

use alliance_core::domain::Role;
use alliance_store::{AuditEvent, AuditFilter, AuditRecord, BreakGlass, ClientId, NewBreakGlass, UserId, audit};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use time::{Date, OffsetDateTime};

use super::{Nav, iso_date, parse_iso_date, show_time};
use crate::access::{self, BREAK_GLASS, BREAK_GLASS_LIFETIME};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::{AppState, AuditChecked};

/// Entries per page.
const PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    actor: String,
    action: String,
    kind: String,
    object: String,
    from: String,
    to: String,
    chain: String,
    chain_intact: bool,
    rows: Vec<EntryRow>,
    older: Option<String>,
}

struct EntryRow {
    seq: i64,
    at: String,
    who: String,
    action: String,
    object: String,
    purpose: String,
    address: String,
}

/// The filters as typed, kept for the form and the next page's link.
#[derive(Default)]
struct Typed {
    actor: String,
    action: String,
    kind: String,
    object: String,
    from: String,
    to: String,
    before: String,
}

fn bad(message: &str) -> WebError {
    WebError::BadRequest(message.to_owned())
}

/// Reads the query string strictly: known names once each, short values, well-formed numbers, names and dates.
fn parse_filters(raw: Option<&str>, zone: &crate::LocalZone) -> Result<(Typed, AuditFilter), WebError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| bad("The filter could not be read."))?;
    let mut typed = Typed::default();
    for (name, value) in pairs {
        if value.len() > 64 {
            return Err(bad("A filter value is too long (at most 64 characters)."));
        }
        let slot = match name.as_str() {
            "actor" => &mut typed.actor,
            "action" => &mut typed.action,
            "kind" => &mut typed.kind,
            "object" => &mut typed.object,
            "from" => &mut typed.from,
            "to" => &mut typed.to,
            "before" => &mut typed.before,
            _ => return Err(bad("Unknown filter.")),
        };
        if !slot.is_empty() {
            return Err(bad("A filter was given twice."));
        }
        *slot = value.trim().to_owned();
    }
    let id = |text: &str, what: &str| -> Result<Option<i64>, WebError> {
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(bad(&format!("{what} must be a positive whole number."))),
        }
    };
    let name = |text: &str, what: &str| -> Result<Option<String>, WebError> {
        if text.is_empty() {
            return Ok(None);
        }
        if text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            Ok(Some(text.to_owned()))
        } else {
            Err(bad(&format!("{what} is written in lowercase letters, digits and hyphens, like read-denied.")))
        }
    };
    let day = |text: &str, what: &str| -> Result<Option<Date>, WebError> {
        if text.is_empty() {
            return Ok(None);
        }
        parse_iso_date(text).map(Some).ok_or_else(|| bad(&format!("{what} must be a date like 2026-11-28.")))
    };
    let from = day(&typed.from, "From")?;
    let to = day(&typed.to, "To")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(bad("From must not be after To."));
    }
    let object_id = id(&typed.object, "Object number")?;
    let object_kind = name(&typed.kind, "Object kind")?;
    if object_id.is_some() && object_kind.is_none() {
        return Err(bad("Give the object kind with the object number, e.g. client 12."));
    }
    let filter = AuditFilter {
        actor: id(&typed.actor, "Account number")?.map(UserId),
        action: name(&typed.action, "Action")?,
        object_kind,
        object_id,
        // Days on the reader's calendar, as the entries are shown.
        from: from.and_then(|d| zone.moment(d.midnight())),
        // "To" is inclusive: up to the start of the next day.
        until: to.and_then(Date::next_day).and_then(|d| zone.moment(d.midnight())),
        before: id(&typed.before, "Page")?,
    };
    Ok((typed, filter))
}

fn query_string(typed: &Typed, before: i64) -> String {
    let pairs = [
        ("actor", typed.actor.as_str()),
        ("action", &typed.action),
        ("kind", &typed.kind),
        ("object", &typed.object),
        ("from", &typed.from),
        ("to", &typed.to),
    ];
    let mut kept: Vec<(&str, String)> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, (*v).to_owned())).collect();
    kept.push(("before", before.to_string()));
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// An entry's moment to the second on the reader's clock: "2026-12-04 10:30:05 CET".
fn time_text(t: OffsetDateTime, zone: &crate::LocalZone) -> String {
    let local = zone.local(t);
    let (date, (h, m, s)) = (iso_date(local.date()), (local.hour(), local.minute(), local.second()));
    format!("{date} {h:02}:{m:02}:{s:02} {}", zone.abbreviation(t))
}

fn row(entry: &AuditRecord, names: &HashMap<UserId, String>, zone: &crate::LocalZone) -> EntryRow {
    let who = match (entry.actor, entry.actor_role.as_deref()) {
        (Some(id), role) => {
            let name = names.get(&id).cloned().unwrap_or_else(|| format!("account {id}"));
            format!("{name} (#{id}{})", role.map(|r| format!(", {r}")).unwrap_or_default())
        }
        (None, _) => "Alliance or a client link".to_owned(),
    };
    EntryRow {
        seq: entry.seq,
        at: time_text(entry.at, zone),
        who,
        action: entry.action.clone(),
        object: match entry.object_id {
            Some(id) => format!("{} {id}", entry.object_kind),
            None => entry.object_kind.clone(),
        },
        purpose: entry.purpose.clone(),
        address: entry.address.clone().unwrap_or_default(),
    }
}

pub async fn audit_log(
    State(state): State<AppState>,
    who: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    access::require_role(&who, Role::Administrator)?;
    let (typed, filter) = parse_filters(raw.as_deref(), &who.zone)?;
    let entries = state.store.search_audit(&filter, PAGE).await?;
    // Reading the log is itself an entry in it.
    let event = who.audit(state.now(), "read", "audit-log", None);
    state.store.audit(AuditEvent { purpose: "oversight", ..event }).await?;
    let (report, checked_in_full) = check_chain(&state).await?;
    let chain = match &report.broken {
        None => format!(
            "Chain intact up to entry {} (every entry checked in full at {}, later ones at this view).",
            report.verified,
            show_time(checked_in_full, &who.zone)
        ),
        Some(broken) => format!(
            "Chain broken: {broken}. Entries 1 to {} are intact. Run `alliance audit verify` and investigate.",
            report.verified
        ),
    };
    let names: HashMap<UserId, String> =
        state.store.users().await?.into_iter().map(|u| (u.id, u.display_name)).collect();
    let older = (entries.len() == PAGE as usize).then(|| entries.last().map(|e| query_string(&typed, e.seq))).flatten();
    let page = AuditPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        chain,
        chain_intact: report.broken.is_none(),
        rows: entries.iter().map(|e| row(e, &names, &who.zone)).collect(),
        older,
        actor: typed.actor,
        action: typed.action,
        kind: typed.kind,
        object: typed.object,
        from: typed.from,
        to: typed.to,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "admin_break_glass.html")]
struct BreakGlassPage<'a> {
    tr: alliance_i18n::Tr,
    nav: Nav,
    error: Option<&'a str>,
    client: &'a str,
    reason: &'a str,
}

pub async fn break_glass_page(State(_state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Administrator)?;
    Ok(Html(
        BreakGlassPage { tr: crate::language::current(), nav: Nav::of(&who), error: None, client: "", reason: "" }
            .render()?,
    )
    .into_response())
}

/// A reason a colleague can later understand: 10 to 500 characters of plain text under the one text policy
/// (line breaks, no control or text-direction characters).
fn valid_reason(text: &str) -> Result<String, &'static str> {
    if text.trim().chars().count() < 10 {
        return Err("Reason: please explain in at least 10 characters why you need to read this record.");
    }
    alliance_core::text_policy::multi_line("the reason", text, 500).map_err(|e| match e {
        alliance_core::domain::ParseError::TooLong { .. } => "Reason: at most 500 characters.",
        _ => "Reason: plain text only.",
    })
}

pub async fn break_glass(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    access::require_role(&who, Role::Administrator)?;
    // Re-authentication first: a stolen session learns nothing here, not even which client numbers exist.
    crate::reauth::confirm_identity(&state, &who, &mut form).await?;
    let raw_client = form.one("client")?.unwrap_or("").trim();
    let raw_reason = form.one("reason")?.unwrap_or("");
    let retry = |error: &str| -> Result<Response, WebError> {
        let shown_reason: String = raw_reason.chars().take(500).collect();
        let client: String = raw_client.chars().take(20).collect();
        let page = BreakGlassPage {
            tr: crate::language::current(),
            nav: Nav::of(&who),
            error: Some(error),
            client: &client,
            reason: &shown_reason,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
    };
    let client = match raw_client.parse::<i64>() {
        Ok(n) if n > 0 => ClientId(n),
        _ => return retry("Client number: a positive whole number, as shown in the client's address (/clients/12)."),
    };
    let reason = match valid_reason(raw_reason) {
        Ok(r) => r,
        Err(e) => return retry(e),
    };
    if state.store.client(client).await?.is_none() {
        return retry("There is no client with that number.");
    }
    let now = state.now();
    let grant =
        NewBreakGlass { admin: who.user.id, client, reason, granted_at: now, expires_at: now + BREAK_GLASS_LIFETIME };
    let event = AuditEvent { purpose: BREAK_GLASS, ..who.audit(now, "break-glass", "client", Some(client.0)) };
    state.store.grant_break_glass(grant, event).await?;
    Ok(Redirect::to(&format!("/clients/{}", client.0)).into_response())
}

/// What the therapist (and supervisor) of a client is told about administrators' reads.
pub fn notice(grant: &BreakGlass, zone: &crate::LocalZone) -> String {
    format!(
        "Read by administrator {} on {}, reason: {}",
        grant.admin_name,
        show_time(grant.granted_at, zone),
        grant.reason
    )
}

/// The therapist has seen the break-glass notices of a client.
pub async fn acknowledge_break_glass(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let now = state.now();
    let event = who.audit(now, "acknowledge", "break-glass", Some(id));
    state.store.acknowledge_break_glass(write.client.id, event, now).await?;
    Ok(Redirect::to(&format!("/clients/{id}")).into_response())
}

/// How long the audit page trusts a check of the whole chain before it checks all of it again.
pub const FULL_CHECK_EVERY: time::Duration = time::Duration::hours(1);

/// The chain check the audit page shows: the entries appended since this server's last intact check, and every
/// entry once an hour (a rewrite of old entries alone is found by the full check; one that re-hashes the entries
/// after them breaks the link to the last checked entry at once). Checking everything on every view made the page
/// take seconds on a practice with a long log (docs/ARCHITECTURE.md#audit-checkpoints). Returns the report and
/// when everything was last checked.
async fn check_chain(state: &AppState) -> Result<(audit::ChainReport, OffsetDateTime), WebError> {
    let now = state.now();
    let cached = state.audit_checked.lock().map(|c| *c).unwrap_or(None);
    let resume = cached.filter(|c| now - c.in_full_at < FULL_CHECK_EVERY && c.in_full_at <= now);
    let (report, point) = audit::verify_chain_after(state.store.as_ref(), resume.map(|c| c.point)).await?;
    let in_full_at = resume.map_or(now, |c| c.in_full_at);
    if let Ok(mut slot) = state.audit_checked.lock() {
        // A broken chain is not remembered: the next view checks from the same place and finds it again.
        *slot = point.map(|point| AuditChecked { point, in_full_at });
    }
    Ok((report, in_full_at))
}
