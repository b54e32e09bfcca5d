//! Supervision: the supervisor's home (supervisees' caseloads with open signals, reflections waiting for a
//! comment), the reflections shared for supervision with the therapist's feelings towards the client, the comment
//! thread on a reflection. Per-therapist patterns are in `patterns.rs`.

use std::collections::HashMap;

use alliance_core::catalog::THERAPIST_REFLECTION;
use alliance_core::domain::Role;
use alliance_core::instrument::{Instrument, localized};
use alliance_core::scoring::{Answer, Answers, is_shown};
use alliance_core::supervision::CommentBody;
use alliance_store::{
    AdministrationId, Client, ClientId, ListedResponse, NewReflectionComment, SessionId, StoredResponse,
    TherapySession, UserId,
};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::caseload::{Row, client_rows};
use super::words::number;
use super::{Nav, show_date, show_day};
use crate::access::{self, ReadClient, Via};
use crate::access_supervision;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

pub struct TherapistGroup {
    pub id: i64,
    pub name: String,
    /// The rows shown: on the home page the most urgent few, on a supervisee's caseload one page.
    pub rows: Vec<Row>,
    pub clients: usize,
    /// Clients with at least one open signal, and those of them marked urgent.
    pub flagged: usize,
    pub urgent: usize,
    /// Reflections shared for supervision, and those nobody has commented on yet.
    pub shared: usize,
    pub waiting: usize,
}

impl TherapistGroup {
    fn new(id: UserId, name: String) -> Self {
        TherapistGroup { id: id.0, name, rows: vec![], clients: 0, flagged: 0, urgent: 0, shared: 0, waiting: 0 }
    }

    /// Clients not shown on the home page.
    pub fn more(&self) -> usize {
        self.clients.saturating_sub(self.rows.len())
    }
}

/// Most urgent clients per supervisee on the supervisor's home; the rest are a link away, paged.
pub const HOME_ROWS: usize = 10;
/// Newest waiting reflections listed on the home page (with counts per supervisee for all of them).
pub const HOME_WAITING: usize = 10;
/// Rows per page of a supervisee's caseload and of the shared reflections.
pub const PAGE_SIZE: usize = 25;

/// A reflection shared for supervision as the supervisor sees it: never the private note.
pub struct ReflectionView {
    pub session_id: i64,
    pub client_id: i64,
    pub pseudonym: String,
    pub therapist: String,
    pub number: u32,
    pub date: String,
    pub alliance: String,
    pub rupture: String,
    pub feelings: String,
    pub intensity: String,
    pub comments: usize,
}

/// The answer to one item in words. Free text is never returned: the private note stays with the therapist.
fn answer_text(ins: &Instrument, answers: &Answers, id: &str) -> Option<String> {
    let item = ins.item(id)?;
    if !is_shown(item, answers) {
        return None;
    }
    let tr = crate::language::current();
    let lang = tr.lang().instrument_language();
    let label = |code: &str| {
        item.choices
            .iter()
            .find(|c| c.code == code)
            .and_then(|c| localized(&c.label, lang))
            .map_or_else(|| code.to_owned(), |l| tr.data_text(l).into_owned())
    };
    match answers.get(id)? {
        Answer::Choice(code) => Some(label(code)),
        Answer::Choices(codes) if !codes.is_empty() => {
            Some(codes.iter().map(|c| label(c)).collect::<Vec<_>>().join("; "))
        }
        Answer::Choices(_) => None,
        Answer::Value(v) => {
            let option = ins.options_of(item).and_then(|s| s.options.iter().find(|o| o.value == *v));
            Some(match option.and_then(|o| localized(&o.label, lang)) {
                Some(l) => format!("{} ({})", tr.data_text(l), number(*v)),
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
    let answers = &r.answers;
    let score = |scale: &str| r.scores.iter().find(|s| s.scale == scale).and_then(|s| s.value).map(number);
    let tr = crate::language::current();
    let alliance = match score("alliance") {
        Some(total) => tr.format(
            "supervision-alliance-total",
            &[
                ("total", total.into()),
                ("goals", score("goals").unwrap_or_else(|| "–".into()).into()),
                ("tasks", score("tasks").unwrap_or_else(|| "–".into()).into()),
                ("bond", score("bond").unwrap_or_else(|| "–".into()).into()),
            ],
        ),
        None => tr.t("supervision-not-rated"),
    };
    let mut rupture = answer_text(ins, answers, "rupture").unwrap_or_else(|| tr.t("supervision-not-answered"));
    if let Some(kind) = answer_text(ins, answers, "rupture-kind") {
        rupture.push_str(&format!(" — {kind}"));
    }
    if let Some(repaired) = answer_text(ins, answers, "rupture-repaired") {
        rupture.push_str(&format!(" — {}", tr.t1("supervision-repaired", "repaired", repaired.to_lowercase())));
    }
    Ok(ReflectionView {
        session_id: r.session.0,
        client_id: client.id.0,
        pseudonym: client.pseudonym.clone(),
        therapist: therapist.to_owned(),
        number: r.session_number,
        date: show_date(r.held_on),
        alliance,
        rupture,
        feelings: answer_text(ins, answers, "feelings").unwrap_or_else(|| tr.t("supervision-none-noted")),
        intensity: answer_text(ins, answers, "feelings-intensity").unwrap_or_else(|| tr.t("supervision-not-rated")),
        comments,
    })
}

/// A reflection shared for supervision, before it is shown: its answers are not read yet.
struct Shared<'a> {
    client: &'a Client,
    listed: ListedResponse,
}

/// A session whose reflection a supervisee shared, as a supervision meeting names it.
pub(crate) struct SharedSession {
    pub client: ClientId,
    pub pseudonym: String,
    pub therapist: UserId,
    pub session: SessionId,
    pub number: u32,
}

/// The sessions these therapists' clients have a shared reflection on, newest first (no reflection is opened).
pub(crate) async fn shared_sessions(
    state: &AppState,
    who: &SignedIn,
    therapists: &[UserId],
) -> Result<Vec<SharedSession>, WebError> {
    let clients = state.store.clients_of(therapists).await?;
    Ok(shared_reflections(state, who, &clients)
        .await?
        .into_iter()
        .map(|s| SharedSession {
            client: s.client.id,
            pseudonym: s.client.pseudonym.clone(),
            therapist: s.client.therapist,
            session: s.listed.session,
            number: s.listed.session_number,
        })
        .collect())
}

/// Every reflection of these clients shared for supervision, newest first, from one listing query that opens
/// only flags. Nothing is shown yet, so only the listing of comment counts is audited; [`views`] reads and audits
/// each reflection it shows. (One `responses_of` per client made a 1,000-client practice's page take seconds.)
async fn shared_reflections<'a>(
    state: &AppState,
    who: &SignedIn,
    clients: &'a [Client],
) -> Result<Vec<Shared<'a>>, WebError> {
    let by_id: HashMap<i64, &'a Client> = clients.iter().map(|c| (c.id.0, c)).collect();
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let mut found: Vec<Shared<'a>> = shared_listing(state, &ids)
        .await?
        .into_iter()
        .filter_map(|listed| by_id.get(&listed.client.0).map(|client| Shared { client, listed }))
        .collect();
    if !found.is_empty() {
        state.store.audit(access_supervision::audit(who, state.now(), "list", "reflection-comments", None)).await?;
    }
    found.sort_by(|a, b| {
        let (a, b) = (&a.listed, &b.listed);
        b.held_on
            .cmp(&a.held_on)
            .then(b.session_number.cmp(&a.session_number))
            .then(b.submitted_at.cmp(&a.submitted_at))
    });
    Ok(found)
}

/// The reflections of these clients shared for supervision, with fresh comment counts. Finding them opens every
/// reflection's sealed flags, so each client's list is kept while the client's revision holds (saving, sharing or
/// un-sharing a reflection and a move all change it); comments do not change the revision and are counted anew.
async fn shared_listing(state: &AppState, ids: &[ClientId]) -> Result<Vec<ListedResponse>, WebError> {
    // Read before the listing, so what is kept is at least as new as its revision (as for overviews).
    let revisions: HashMap<ClientId, i64> = state.store.client_revisions(ids).await?.into_iter().collect();
    let lock = || state.shared_reflections.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut listed = Vec::new();
    let mut stale = Vec::new();
    {
        let kept = lock();
        for id in ids {
            match (kept.get(id), revisions.get(id)) {
                (Some((at, list)), Some(now)) if at == now => listed.extend(list.iter().cloned()),
                _ => stale.push(*id),
            }
        }
    }
    if !stale.is_empty() {
        let mut fresh: HashMap<ClientId, Vec<ListedResponse>> = stale.iter().map(|id| (*id, Vec::new())).collect();
        for l in state.store.therapist_listing(&stale, THERAPIST_REFLECTION).await? {
            if l.flags.has("supervision") {
                fresh.entry(l.client).or_default().push(l);
            }
        }
        let mut kept = lock();
        for (client, list) in fresh {
            if let Some(revision) = revisions.get(&client) {
                kept.insert(client, (*revision, list.clone()));
            }
            listed.extend(list);
        }
    }
    let sessions: Vec<SessionId> = listed.iter().map(|l| l.session).collect();
    let counts: HashMap<SessionId, usize> = state.store.comment_counts(&sessions).await?.into_iter().collect();
    for l in &mut listed {
        l.comments = counts.get(&l.session).copied().unwrap_or(0);
    }
    Ok(listed)
}

/// The reflections shown on a page, read in one query and each audited as a read.
async fn views(
    state: &AppState,
    who: &SignedIn,
    shown: &[&Shared<'_>],
    names: &HashMap<UserId, String>,
) -> Result<Vec<ReflectionView>, WebError> {
    let ids: Vec<AdministrationId> = shown.iter().map(|f| f.listed.administration).collect();
    let mut responses: HashMap<AdministrationId, StoredResponse> =
        state.store.responses_by_id(&ids).await?.into_iter().map(|r| (r.administration, r)).collect();
    let now = state.now();
    let mut out = Vec::with_capacity(shown.len());
    let mut reads = Vec::with_capacity(shown.len());
    for f in shown {
        // Gone between the listing and this read (the client erased): left out, not an error.
        let Some(response) = responses.remove(&f.listed.administration) else { continue };
        let name = names.get(&f.client.therapist).map_or("", String::as_str);
        out.push(reflection_view(state, f.client, name, &response, f.listed.comments)?);
        reads.push(access_supervision::audit(who, now, "read", "reflection", Some(response.administration.0)));
    }
    // Every read is audited before the page is shown, in one commit rather than one each.
    state.store.audit_all(reads).await?;
    Ok(out)
}

/// Shared and waiting reflections per supervisee.
fn count_shared(groups: &mut [TherapistGroup], shared: &[Shared<'_>]) {
    for f in shared {
        if let Some(g) = groups.iter_mut().find(|g| g.id == f.client.therapist.0) {
            g.shared += 1;
            if f.listed.comments == 0 {
                g.waiting += 1;
            }
        }
    }
}

/// `page=N` (from 1) and `therapist=ID` from a query string; anything else is refused with a clear message.
pub(crate) fn parse_paging(raw: Option<&str>, allow_therapist: bool) -> Result<(usize, Option<i64>), WebError> {
    let (mut page, mut therapist) = (1usize, None);
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "page" => {
                page = value
                    .parse::<usize>()
                    .ok()
                    .filter(|p| (1..=1_000_000).contains(p))
                    .ok_or_else(|| WebError::BadRequest(crate::language::current().t("supervision-bad-page")))?;
            }
            "therapist" if allow_therapist => {
                therapist =
                    Some(value.parse::<i64>().map_err(|_| {
                        WebError::BadRequest(crate::language::current().t("supervision-bad-therapist"))
                    })?);
            }
            _ => return Err(WebError::BadRequest(crate::language::current().t("supervision-bad-query"))),
        }
    }
    Ok((page, therapist))
}

/// One page of `items` (pages from 1) and whether there are later pages.
pub(crate) fn page_of<T>(items: &[T], page: usize) -> (&[T], bool) {
    let from = (page - 1).saturating_mul(PAGE_SIZE).min(items.len());
    let to = from.saturating_add(PAGE_SIZE).min(items.len());
    (&items[from..to], to < items.len())
}

/// The supervisor's supervisees (id, name), by name, and every user's name.
pub(crate) async fn supervisees(
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
    tr: alliance_i18n::Tr,
    nav: Nav,
    groups: Vec<TherapistGroup>,
    waiting: Vec<ReflectionView>,
    waiting_total: usize,
}

/// Supervisee groups with their client counts and rows, most urgent first.
fn groups_of(therapists: Vec<(UserId, String)>, rows: Vec<Row>) -> Vec<TherapistGroup> {
    let mut groups: Vec<TherapistGroup> =
        therapists.into_iter().map(|(id, name)| TherapistGroup::new(id, name)).collect();
    for row in rows {
        if let Some(g) = groups.iter_mut().find(|g| g.id == row.therapist_id.0) {
            g.clients += 1;
            if !row.reasons.is_empty() {
                g.flagged += 1;
            }
            if row.urgent {
                g.urgent += 1;
            }
            g.rows.push(row);
        }
    }
    groups
}

/// The supervisor's home at `/`: per supervisee, counts and the most urgent clients (the whole caseload is a
/// link away, paged), and the shared reflections nobody has commented on yet: counts per supervisee and the
/// newest few. A practice of 1,000 clients made this page one list of everything (docs/ARCHITECTURE.md#pages-at-scale).
pub async fn home(state: &AppState, who: &SignedIn) -> Result<Response, WebError> {
    access::require_role(who, Role::Supervisor)?;
    let (therapists, names) = supervisees(state, who).await?;
    let ids: Vec<UserId> = therapists.iter().map(|t| t.0).collect();
    let clients = state.store.clients_of(&ids).await?;
    let rows = client_rows(state, who, &clients, &names).await?;
    let shared = shared_reflections(state, who, &clients).await?;
    state.store.audit(who.audit(state.now(), "list", "caseload", None)).await?;
    let mut groups = groups_of(therapists, rows);
    for g in &mut groups {
        g.rows.truncate(HOME_ROWS);
    }
    count_shared(&mut groups, &shared);
    let waiting_all: Vec<&Shared<'_>> = shared.iter().filter(|f| f.listed.comments == 0).collect();
    let waiting = views(state, who, &waiting_all[..waiting_all.len().min(HOME_WAITING)], &names).await?;
    let page = HomePage {
        tr: crate::language::current(),
        nav: Nav::of(who),
        groups,
        waiting,
        waiting_total: waiting_all.len(),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "supervision_caseload.html")]
struct SuperviseeCaseloadPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    group: TherapistGroup,
    page: usize,
    newer: Option<usize>,
    older: Option<usize>,
}

/// `/supervision/therapists/{id}/clients?page=N`: one supervisee's whole caseload, most urgent first, paged.
/// Anyone but the therapist's supervisor gets 404.
pub async fn supervisee_caseload(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    access::require_role(&who, Role::Supervisor)?;
    let (page, _) = parse_paging(raw.as_deref(), false)?;
    let (therapists, names) = supervisees(&state, &who).await?;
    let Some(therapist) = therapists.into_iter().find(|t| t.0.0 == id) else {
        return Err(WebError::NotFound);
    };
    let clients = state.store.clients_of(&[therapist.0]).await?;
    let (shown, more) = {
        // Rank the whole caseload first, then show one page of it.
        let rows = client_rows(&state, &who, &clients, &names).await?;
        let mut groups = groups_of(vec![therapist], rows);
        let mut group = groups.pop().ok_or(WebError::NotFound)?;
        let (slice, more) = page_of(&group.rows, page);
        let kept: Vec<i64> = slice.iter().map(|r| r.id).collect();
        group.rows.retain(|r| kept.contains(&r.id));
        (group, more)
    };
    state.store.audit(who.audit(state.now(), "list", "caseload", None)).await?;
    let newer = (page > 1).then(|| page - 1);
    let older = more.then_some(page + 1);
    Ok(Html(
        SuperviseeCaseloadPage { tr: crate::language::current(), nav: Nav::of(&who), group: shown, page, newer, older }
            .render()?,
    )
    .into_response())
}

#[derive(Template)]
#[template(path = "supervision_reflections.html")]
struct ReflectionsPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    groups: Vec<TherapistGroup>,
    reflections: Vec<ReflectionView>,
    /// The supervisee the list is narrowed to, if any: (id, name).
    therapist: Option<(i64, String)>,
    total: usize,
    page: usize,
    newer: Option<String>,
    older: Option<String>,
}

/// `/supervision?therapist=ID&page=N`: counts per supervisee, then the shared reflections newest first, one
/// page at a time, of everyone or of one supervisee (one not supervised by this supervisor gets 404).
pub async fn reflections(
    State(state): State<AppState>,
    who: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    access::require_role(&who, Role::Supervisor)?;
    let (page, only) = parse_paging(raw.as_deref(), true)?;
    let (therapists, names) = supervisees(&state, &who).await?;
    let therapist = match only {
        Some(id) => Some(therapists.iter().find(|t| t.0.0 == id).map(|t| (id, t.1.clone())).ok_or(WebError::NotFound)?),
        None => None,
    };
    let ids: Vec<UserId> = therapists.iter().map(|t| t.0).collect();
    let clients = state.store.clients_of(&ids).await?;
    let shared = shared_reflections(&state, &who, &clients).await?;
    let mut groups: Vec<TherapistGroup> =
        therapists.into_iter().map(|(id, name)| TherapistGroup::new(id, name)).collect();
    count_shared(&mut groups, &shared);
    let listed: Vec<&Shared<'_>> = shared.iter().filter(|f| only.is_none_or(|id| f.client.therapist.0 == id)).collect();
    let (slice, more) = page_of(&listed, page);
    let reflections = views(&state, &who, slice, &names).await?;
    let link = |p: usize| match only {
        Some(id) => format!("?therapist={id}&page={p}"),
        None => format!("?page={p}"),
    };
    let page_view = ReflectionsPage {
        tr: crate::language::current(),
        nav: Nav::of(&who),
        groups,
        reflections,
        therapist,
        total: listed.len(),
        page,
        newer: (page > 1).then(|| link(page - 1)),
        older: more.then(|| link(page + 1)),
    };
    Ok(Html(page_view.render()?).into_response())
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
    /// What the therapist wants to bring to supervision about this session, if they wrote it.
    pub focus: Option<String>,
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
    let focus = state.store.supervision_focus(session.id).await?;
    if !thread.shared() && comments.is_empty() && focus.is_none() {
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
        focus,
        comments: comments
            .into_iter()
            .map(|c| CommentView {
                author: c.author_name,
                role: if c.author_role == Role::Supervisor { "supervisor" } else { "therapist" },
                date: show_day(c.created_at, &who.zone),
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
        return Err(WebError::BadRequest(crate::language::current().t("supervision-not-shared")));
    }
    let body = CommentBody::parse(form.one("body")?.unwrap_or(""))
        .map_err(|e| WebError::BadRequest(crate::language::comment_error(&e)))?;
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

/// Sets what the therapist wants to bring to supervision about a session (an empty text clears it). Only the
/// client's own therapist, and only while the session is shared for supervision; a bad text gets a clear message
/// and nothing is stored.
pub async fn set_focus(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let thread = access_supervision::read_thread(&state, &who, SessionId(id)).await?;
    if thread.read.via != Via::OwnCaseload {
        return Err(WebError::NotFound);
    }
    if !thread.may_write() {
        return Err(WebError::BadRequest(crate::language::current().t("supervision-share-first")));
    }
    let raw = form.one("focus")?.unwrap_or("");
    let focus = if raw.trim().is_empty() {
        None
    } else {
        Some(
            CommentBody::parse(raw)
                .map_err(|e| WebError::BadRequest(crate::language::comment_error(&e)))?
                .into_string(),
        )
    };
    let audit = access_supervision::audit(&who, state.now(), "write", "supervision-focus", Some(id));
    state.store.set_supervision_focus(thread.session.id, focus.as_deref(), audit).await?;
    Ok(Redirect::to(&format!("/sessions/{id}#supervision")).into_response())
}
