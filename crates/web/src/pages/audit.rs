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
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| bad(&crate::language::current().t("admin-audit-unreadable")))?;
    let mut typed = Typed::default();
    for (name, value) in pairs {
        if value.len() > 64 {
            return Err(bad(&crate::language::current().t("admin-audit-too-long")));
        }
        let slot = match name.as_str() {
            "actor" => &mut typed.actor,
            "action" => &mut typed.action,
            "kind" => &mut typed.kind,
            "object" => &mut typed.object,
            "from" => &mut typed.from,
            "to" => &mut typed.to,
            "before" => &mut typed.before,
            _ => return Err(bad(&crate::language::current().t("admin-audit-unknown-filter"))),
        };
        if !slot.is_empty() {
            return Err(bad(&crate::language::current().t("admin-audit-twice")));
        }
        *slot = value.trim().to_owned();
    }
    let id = |text: &str, what: &str| -> Result<Option<i64>, WebError> {
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(bad(&crate::language::current().t1("admin-audit-positive", "field", what))),
        }
    };
    let name = |text: &str, what: &str| -> Result<Option<String>, WebError> {
        if text.is_empty() {
            return Ok(None);
        }
        if text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            Ok(Some(text.to_owned()))
        } else {
            Err(bad(&crate::language::current().t1("admin-audit-code", "field", what)))
        }
    };
    let day = |text: &str, what: &str| -> Result<Option<Date>, WebError> {
        if text.is_empty() {
            return Ok(None);
        }
        parse_iso_date(text)
            .map(Some)
            .ok_or_else(|| bad(&crate::language::current().t1("admin-audit-date", "field", what)))
    };
    let tr = crate::language::current();
    let from = day(&typed.from, &tr.t("admin-from"))?;
    let to = day(&typed.to, &tr.t("admin-to"))?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(bad(&tr.t("admin-audit-from-after-to")));
    }
    let object_id = id(&typed.object, &tr.t("admin-audit-object-number"))?;
    let object_kind = name(&typed.kind, &tr.t("admin-audit-kind"))?;
    if object_id.is_some() && object_kind.is_none() {
        return Err(bad(&tr.t("admin-audit-kind-needed")));
    }
    let filter = AuditFilter {
        actor: id(&typed.actor, &tr.t("admin-audit-account"))?.map(UserId),
        action: name(&typed.action, &tr.t("admin-audit-action"))?,
        object_kind,
        object_id,
        // Days on the reader's calendar, as the entries are shown.
        from: from.and_then(|d| zone.moment(d.midnight())),
        // "To" is inclusive: up to the start of the next day.
        until: to.and_then(Date::next_day).and_then(|d| zone.moment(d.midnight())),
        before: id(&typed.before, &tr.t("admin-audit-page"))?,
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
            let tr = crate::language::current();
            let name = names.get(&id).cloned().unwrap_or_else(|| tr.t1("admin-audit-account-of", "id", id.to_string()));
            let role = role.map(|r| format!(", {}", tr.t(super::role_id(r)))).unwrap_or_default();
            format!("{name} (#{id}{role})")
        }
        (None, _) => crate::language::current().t("admin-audit-system"),
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
        None => crate::language::current().t2(
            "admin-audit-intact",
            "entry",
            report.verified.to_string(),
            "at",
            show_time(checked_in_full, &who.zone),
        ),
        Some(broken) => crate::language::current().t2(
            "admin-audit-broken",
            "broken",
            broken.to_string(),
            "entry",
            report.verified.to_string(),
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
fn valid_reason(text: &str) -> Result<String, String> {
    let tr = crate::language::current();
    if text.trim().chars().count() < 10 {
        return Err(tr.t("admin-reason-short"));
    }
    alliance_core::text_policy::multi_line("the reason", text, 500).map_err(|e| match e {
        alliance_core::domain::ParseError::TooLong { .. } => tr.t("admin-reason-long"),
        _ => tr.t("admin-reason-plain"),
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
        _ => return retry(&crate::language::current().t("admin-client-number-invalid")),
    };
    let reason = match valid_reason(raw_reason) {
        Ok(r) => r,
        Err(e) => return retry(&e),
    };
    if state.store.client(client).await?.is_none() {
        return retry(&crate::language::current().t("admin-no-such-client"));
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
    crate::language::current().t3(
        "admin-break-glass-notice",
        "name",
        &grant.admin_name,
        "at",
        show_time(grant.granted_at, zone),
        "reason",
        &grant.reason,
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
