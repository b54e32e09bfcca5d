//! The partnership on the therapist's side of a client's page (issue 16): goals agreed in session and their
//! ratings, tasks agreed for between sessions and whether they were done, dated event notes, and the client's
//! own page (its personal link, and whether it shows the relationship ratings).

use alliance_core::partnership::{
    EventKind, EventNoteText, GoalChange, GoalStatus, GoalText, MAX_OPEN_GOALS, ProposedBy, TaskText, completion_rate,
};
use alliance_core::schedule::{Cadence, Schedule, Timing};
use alliance_store::{
    Client, ClientId, Episode, EventNote, Goal, GoalId, NewEventNote, StoredGoalRating, Task, TherapySession,
};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use time::Date;

use super::clients::{ChartView, table};
use super::words::number;
use super::{care_date, show_date};
use crate::access;
use crate::auth::SignedIn;
use crate::charts::{Chart, Marker, MarkerKind, OKABE_ITO, Series};
use crate::error::WebError;
use crate::forms::{FormFields, Id};
use crate::state::AppState;

pub struct GoalView {
    pub id: i64,
    pub text: String,
    pub status: String,
    pub open: bool,
    pub proposed: bool,
    /// "3 at session 2, now 6 at session 5" or "not rated yet".
    pub ratings: String,
    /// Earlier wordings and changes, oldest first.
    pub history: Vec<String>,
}

pub struct TaskView {
    pub text: String,
    pub agreed: String,
    pub report: String,
}

pub struct NoteView {
    pub date: String,
    pub kind: String,
    pub text: String,
}

/// The partnership section of a client's page.
pub struct PartnerView {
    /// The client's language, for its select.
    pub language: super::language_settings::LanguageChoice,
    pub goals: Vec<GoalView>,
    pub can_add_goal: bool,
    pub goal_chart: Option<ChartView>,
    pub tasks: Vec<TaskView>,
    /// "4 of 5 tasks done (one in part)": the share the therapist's patterns count.
    pub completion: String,
    /// The session a new task is agreed in: the latest of the open episode.
    pub task_session: Option<i64>,
    pub notes: Vec<NoteView>,
    pub kinds: Vec<(&'static str, String)>,
    /// The client's own page: its address (for the client's own therapist only) and settings.
    pub own_page_url: Option<String>,
    pub own_page_active: bool,
    pub hide_alliance: bool,
    /// "Asked on 6 Dec 2026 not to be asked for checks": no new link until they start again.
    pub stopped: Option<String>,
    /// What the client agreed to, and when: "Agreed on 6 Dec 2026 (text version 1); research use: yes".
    pub consent: String,
    /// The open episode's measure schedule, for its form: (measure id, name, choices as (value, label,
    /// selected)); empty without an open episode.
    pub schedule: Vec<ScheduleRow>,
    pub schedule_episode: Option<i64>,
    /// What the client said about their background on their own page (issue 20), one line a category answered.
    pub background: Vec<String>,
}

pub struct ScheduleRow {
    pub id: String,
    pub name: String,
    pub choices: Vec<(String, String, bool)>,
    /// Asked before the session (on the waiting-room tablet) rather than after it.
    pub before: bool,
}

/// The schedule an episode follows: its own, or the practice's.
pub async fn schedule_of(state: &AppState, episode: &Episode) -> Result<Schedule, WebError> {
    let own = state.store.episode_schedules(&[episode.id]).await?;
    Ok(match own.first() {
        Some((_, text)) => Schedule::parse(text).unwrap_or_else(|_| state.config.measure_schedule.clone()),
        None => state.config.measure_schedule.clone(),
    })
}

/// The measures an episode's checks may ask: the relationship check, then its outcome measures.
pub(crate) fn episode_measures(state: &AppState, episode: &Episode) -> Vec<(String, String)> {
    std::iter::once(alliance_core::catalog::RELATIONSHIP_CHECK.to_owned())
        .chain(episode.measures.iter().cloned())
        .filter(|id| state.catalog.can_administer(id))
        .filter_map(|id| Some((state.catalog.get(&id)?.short_name.clone(), id)))
        .map(|(name, id)| (id, name))
        .collect()
}

fn status_label(status: GoalStatus) -> String {
    crate::language::current().t(match status {
        GoalStatus::Proposed => "partner-goal-proposed-status",
        GoalStatus::Agreed => "partner-goal-agreed",
        GoalStatus::Achieved => "partner-goal-achieved",
        GoalStatus::Dropped => "partner-goal-dropped",
    })
}

fn change_label(change: GoalChange) -> String {
    crate::language::current().t(match change {
        GoalChange::Proposed => "partner-goal-proposed",
        GoalChange::Agreed => "partner-goal-agreed",
        GoalChange::Revised => "partner-goal-reworded",
        GoalChange::Achieved => "partner-goal-achieved",
        GoalChange::Dropped => "partner-goal-dropped",
    })
}

/// An event note's kind in words.
pub fn kind_label(kind: EventKind) -> String {
    crate::language::current().t(match kind {
        EventKind::Medication => "partner-kind-medication",
        EventKind::LifeEvent => "partner-kind-life-event",
        EventKind::Break => "partner-kind-break",
        EventKind::Other => "partner-kind-other",
    })
}

/// How often a measure is asked, in words.
pub(crate) fn cadence_label(cadence: Cadence) -> String {
    let tr = crate::language::current();
    match cadence {
        Cadence::EverySession => tr.t("partner-cadence-every"),
        Cadence::Every(2) => tr.t("partner-cadence-second"),
        Cadence::Every(3) => tr.t("partner-cadence-third"),
        Cadence::Every(n) => tr.t1("partner-cadence-nth", "n", n.to_string()),
        Cadence::FirstAndLast => tr.t("partner-cadence-first-last"),
    }
}

/// Session numbers by session id.
fn number_of(sessions: &[TherapySession], id: alliance_store::SessionId) -> Option<u32> {
    sessions.iter().find(|s| s.id == id).map(|s| s.number)
}

/// A goal's ratings, (session number, rating), in session order.
pub fn goal_points(goal: GoalId, ratings: &[StoredGoalRating], sessions: &[TherapySession]) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = ratings
        .iter()
        .filter(|r| r.goal == goal)
        .filter_map(|r| Some((f64::from(number_of(sessions, r.session)?), f64::from(r.rating.value()))))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points
}

/// The goals' ratings as one chart, a line per goal: `None` before the first rating.
pub fn goal_chart(
    goals: &[Goal],
    ratings: &[StoredGoalRating],
    sessions: &[TherapySession],
    who: &str,
) -> Option<ChartView> {
    let lines: Vec<(&Goal, Vec<(f64, f64)>)> =
        goals.iter().map(|g| (g, goal_points(g.id, ratings, sessions))).filter(|(_, p)| !p.is_empty()).collect();
    if lines.is_empty() {
        return None;
    }
    let span = sessions.iter().map(|s| s.number).max().unwrap_or(1).max(4);
    let tr = crate::language::current();
    let series: Vec<Series> = lines
        .iter()
        .enumerate()
        .map(|(i, (_, points))| Series {
            label: tr.t1("chart-goal", "number", i + 1),
            points: points.clone(),
            colour: OKABE_ITO[i % OKABE_ITO.len()],
            dashed: i % 2 == 1,
        })
        .collect();
    let description = lines
        .iter()
        .enumerate()
        .map(|(i, (goal, points))| {
            let first = points.first().map_or(0.0, |p| p.1);
            let last = points.last().map_or(0.0, |p| p.1);
            tr.format(
                "chart-goal-line",
                &[
                    ("number", (i + 1).into()),
                    ("goal", goal.text.as_str().into()),
                    ("first", number(first).into()),
                    ("last", number(last).into()),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let chart = Chart {
        id: "chart-goals".into(),
        // The client's own page says "Your"; the therapist's page "The client's".
        title: if who == "Your" { tr.t("chart-goals-title-own") } else { tr.t("chart-goals-title-client") },
        description: tr.t1("chart-goals-description", "lines", description),
        y_label: tr.t("chart-goal-rating"),
        y_range: (0.0, 10.0),
        sessions: span,
        bands: vec![],
        cutoff: None,
        series,
        references: vec![],
        markers: vec![],
    };
    let headers: Vec<String> = (1..=lines.len()).map(|i| tr.t1("chart-goal", "number", i)).collect();
    let columns: Vec<&[(f64, f64)]> = lines.iter().map(|(_, p)| p.as_slice()).collect();
    let (headers, rows) = table(&headers, &columns);
    let caption = chart.description.clone();
    Some(ChartView { svg: chart.render(), caption, headers, rows })
}

/// Where an event note falls on a by-session chart: between the sessions around its date, in proportion.
pub fn event_markers(notes: &[EventNote], sessions: &[TherapySession]) -> Vec<Marker> {
    let held: Vec<(Date, f64)> = sessions.iter().map(|s| (s.held_on, f64::from(s.number))).collect();
    notes
        .iter()
        .filter_map(|note| {
            let x = match held.iter().position(|(d, _)| *d >= note.on) {
                None => held.last()?.1 + 0.5,
                Some(0) => held.first()?.1 - 0.5,
                Some(i) => {
                    let ((d0, n0), (d1, n1)) = (held[i - 1], held[i]);
                    let span = (d1 - d0).whole_days().max(1) as f64;
                    n0 + (n1 - n0) * (note.on - d0).whole_days() as f64 / span
                }
            };
            Some(Marker {
                x: x.max(1.0),
                label: format!("{}: {}", show_date(note.on), kind_label(note.kind)),
                kind: MarkerKind::Event,
            })
        })
        .collect()
}

/// The partnership section of `client`'s page for the episode shown.
pub async fn view(
    state: &AppState,
    client: &Client,
    episode: Option<&Episode>,
    sessions: &[TherapySession],
    notes: &[EventNote],
    own: bool,
) -> Result<PartnerView, WebError> {
    let episodes: Vec<_> = episode.map(|e| e.id).into_iter().collect();
    let clients = [client.id];
    let (goals, history, ratings, tasks, page) = tokio::try_join!(
        state.store.goals_of(&episodes),
        state.store.goal_history(&episodes),
        state.store.goal_ratings(&episodes),
        state.store.tasks_of(&episodes),
        state.store.client_page(client.id),
    )?;
    let (consents, stops) = tokio::try_join!(state.store.consents_of(&clients), state.store.stopped_asking(&clients))?;
    let day = |at| show_date(state.config.time_zone.date_of(at));
    let tr = crate::language::current();
    let stopped = stops.first().map(|(_, at)| tr.t1("partner-stopped-text", "date", day(*at)));
    let consent = match consents.last() {
        None => tr.t("partner-consent-not-shown"),
        Some(c) => tr.t3(
            "partner-consent-given",
            "date",
            day(c.given_at),
            "version",
            c.version.to_string(),
            "research",
            if c.research { tr.t("partner-yes") } else { tr.t("partner-no") },
        ),
    };
    let goal_views = goals
        .iter()
        .map(|goal| {
            let points = goal_points(goal.id, &ratings, sessions);
            let ratings = match (points.first(), points.last()) {
                (Some(first), Some(last)) if points.len() > 1 => tr.format(
                    "partner-ratings-two",
                    &[
                        ("first", number(first.1).into()),
                        ("from", first.0.into()),
                        ("last", number(last.1).into()),
                        ("to", last.0.into()),
                    ],
                ),
                (Some(only), _) => tr.t2("partner-ratings-one", "rating", number(only.1), "session", only.0),
                _ => tr.t("partner-not-rated"),
            };
            let history = history
                .iter()
                .filter(|h| h.goal == goal.id)
                .map(|h| {
                    let day = show_date(state.config.time_zone.date_of(h.at));
                    match &h.text {
                        Some(text) => {
                            tr.t3("partner-history-text", "date", day, "change", change_label(h.change), "text", text)
                        }
                        None => tr.t2("partner-history-change", "date", day, "change", change_label(h.change)),
                    }
                })
                .collect();
            GoalView {
                id: goal.id.0,
                text: goal.text.clone(),
                status: status_label(goal.status),
                open: goal.status.is_open(),
                proposed: goal.status == GoalStatus::Proposed,
                ratings,
                history,
            }
        })
        .collect();
    let open_episode = episode.filter(|e| e.ended_on.is_none());
    let open_goals = goals.iter().filter(|g| g.status.is_open()).count();
    let reports: Vec<_> = tasks.iter().filter_map(|t| t.report.as_ref().map(|r| r.done)).collect();
    let completion = match completion_rate(&reports) {
        None if tasks.is_empty() => String::new(),
        None => tr.t("partner-no-task-reported"),
        Some(rate) => tr.t3(
            "partner-completion",
            "done",
            reports.iter().filter(|d| **d == alliance_core::partnership::TaskDone::Yes).count(),
            "reported",
            reports.len(),
            "percent",
            (rate * 100.0).round().to_string(),
        ),
    };
    let task_views = tasks.iter().map(|t| task_view(t, sessions)).collect();
    let schedule = match open_episode.filter(|_| own) {
        None => Vec::new(),
        Some(e) => {
            let current = schedule_of(state, e).await?;
            episode_measures(state, e)
                .into_iter()
                .map(|(id, name)| {
                    let now = current.cadence_of(&id);
                    let choices =
                        Cadence::CHOICES.iter().map(|c| (c.as_text(), cadence_label(*c), *c == now)).collect();
                    ScheduleRow { before: current.timing_of(&id) == Timing::Before, id, name, choices }
                })
                .collect()
        }
    };
    let background = super::background::rows(state, client.id)
        .await?
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.answered)
        .map(|r| {
            let chosen = |c: &[super::background::Choice]| {
                c.iter().find(|c| c.checked).map(|c| c.label.clone()).unwrap_or_default()
            };
            tr.format(
                "partner-background-line",
                &[
                    ("category", r.label.clone().into()),
                    ("words", r.text.clone().into()),
                    ("matters", chosen(&r.matters).into()),
                    ("shared", chosen(&r.shared).into()),
                ],
            )
        })
        .collect();
    let own_page_url = match &page {
        Some(p) if own && p.active => Some(super::own_page::url(state, client.id, p.generation)),
        _ => None,
    };
    Ok(PartnerView {
        language: super::language_settings::LanguageChoice::of(client.language.as_deref(), state.config.pseudo_locale),
        goals: goal_views,
        can_add_goal: own && open_episode.is_some() && open_goals < MAX_OPEN_GOALS,
        goal_chart: goal_chart(&goals, &ratings, sessions, "The client's"),
        tasks: task_views,
        completion,
        task_session: open_episode.and_then(|_| sessions.last()).filter(|_| own).map(|s| s.id.0),
        notes: notes
            .iter()
            .map(|n| NoteView { date: show_date(n.on), kind: kind_label(n.kind), text: n.text.clone() })
            .collect(),
        kinds: EventKind::ALL.iter().map(|k| (k.as_str(), kind_label(*k))).collect(),
        own_page_active: page.as_ref().is_some_and(|p| p.active),
        hide_alliance: page.as_ref().is_some_and(|p| p.hide_alliance),
        own_page_url,
        stopped,
        consent,
        schedule,
        schedule_episode: open_episode.filter(|_| own).map(|e| e.id.0),
        background,
    })
}

fn task_view(task: &Task, sessions: &[TherapySession]) -> TaskView {
    let tr = crate::language::current();
    let agreed =
        number_of(sessions, task.session).map_or_else(String::new, |n| tr.t1("partner-task-session", "number", n));
    let report = match &task.report {
        None => tr.t("partner-task-not-reported"),
        Some(r) => {
            let done = tr.t(match r.done {
                alliance_core::partnership::TaskDone::Yes => "partner-task-done",
                alliance_core::partnership::TaskDone::Partly => "partner-task-partly",
                alliance_core::partnership::TaskDone::No => "partner-task-not-done",
            });
            match &r.obstacle {
                Some(o) => tr.t2("partner-task-obstacle", "done", done, "obstacle", o),
                None => done,
            }
        }
    };
    TaskView { text: task.text.clone(), agreed, report }
}

fn bad(message: impl Into<String>) -> WebError {
    WebError::BadRequest(message.into())
}

fn back(client: ClientId) -> Response {
    Redirect::to(&format!("/clients/{client}#partnership")).into_response()
}

/// The client's current episode, which must be open for goals.
async fn open_episode_of(state: &AppState, client: ClientId) -> Result<Episode, WebError> {
    let episodes = state.app.current_episodes(&[client]).await?;
    episodes
        .get(&client)
        .filter(|e| e.ended_on.is_none())
        .cloned()
        .ok_or_else(|| bad(crate::language::current().t("partner-no-episode")))
}

/// A goal agreed in session, in the client's words.
pub async fn add_goal(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let text = GoalText::parse(form.one("text")?.unwrap_or("")).map_err(|e| {
        bad(crate::language::current().t1("partner-goal-error", "error", crate::language::parse_error(&e)))
    })?;
    let episode = open_episode_of(&state, write.client.id).await?;
    let now = state.now();
    let audit = who.audit(now, "create", "goal", None);
    state.store.add_goal(episode.id, &text, ProposedBy::Therapist, Some(who.user.id), audit, now).await?;
    Ok(back(write.client.id))
}

/// Agrees a goal the client proposed, rewords one, or marks it achieved or dropped.
pub async fn change_goal(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let goal_id = form
        .one("goal")?
        .and_then(|g| g.trim().parse::<i64>().ok())
        .ok_or_else(|| bad(crate::language::current().t("partner-which-goal")))?;
    // The goal must be of this client's episodes: unknown and foreign look the same.
    let goal = state.store.goal(GoalId(goal_id)).await?.ok_or(WebError::NotFound)?;
    let episode = state.store.episode(goal.episode).await?.ok_or(WebError::NotFound)?;
    if episode.client != write.client.id {
        return Err(WebError::NotFound);
    }
    let change = match form.one("change")?.unwrap_or("") {
        "agree" => GoalChange::Agreed,
        "revise" => GoalChange::Revised,
        "achieve" => GoalChange::Achieved,
        "drop" => GoalChange::Dropped,
        _ => return Err(bad(crate::language::current().t("partner-choose-goal-change"))),
    };
    let text = match change {
        GoalChange::Revised => Some(GoalText::parse(form.one("text")?.unwrap_or("")).map_err(|e| {
            bad(crate::language::current().t1("partner-goal-error", "error", crate::language::parse_error(&e)))
        })?),
        _ => None,
    };
    let now = state.now();
    let audit = who.audit(now, "update", "goal", Some(goal_id));
    state.store.change_goal(goal.id, change, text.as_ref(), Some(who.user.id), audit, now).await?;
    Ok(back(write.client.id))
}

/// A task agreed in a session for until the next one.
pub async fn add_task(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let (write, session) = access::write_session(&state, &who, alliance_store::SessionId(id)).await?;
    let text = TaskText::parse(form.one("text")?.unwrap_or("")).map_err(|e| {
        bad(crate::language::current().t1("partner-task-error", "error", crate::language::parse_error(&e)))
    })?;
    let now = state.now();
    let audit = who.audit(now, "create", "task", None);
    state.store.add_task(session.id, &text, Some(who.user.id), audit, now).await?;
    Ok(back(write.client.id))
}

/// A dated note: a medication change, a life event, a break in therapy.
pub async fn add_note(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let now = state.now();
    let on = care_date(form.one("on")?, who.today(now), &crate::language::current().t("partner-note-date"))
        .map_err(WebError::BadRequest)?;
    let kind = EventKind::parse(form.one("kind")?.unwrap_or("")).map_err(|e| {
        bad(crate::language::current().t1("partner-note-error", "error", crate::language::parse_error(&e)))
    })?;
    let text = EventNoteText::parse(form.one("text")?.unwrap_or("")).map_err(|e| {
        bad(crate::language::current().t1("partner-note-error", "error", crate::language::parse_error(&e)))
    })?;
    let audit = who.audit(now, "create", "event-note", None);
    state
        .store
        .add_event_note(write.client.id, &NewEventNote { on, kind, text }, Some(who.user.id), audit, now)
        .await?;
    Ok(back(write.client.id))
}

/// The client's own page: issue or reissue its link, turn it off, or choose whether it shows the relationship
/// ratings. Each change is audited.
pub async fn own_page(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let client = write.client.id;
    let now = state.now();
    match form.one("action")?.unwrap_or("") {
        "issue" => {
            let page = state.store.client_page(client).await?;
            let expected = page.as_ref().map(|p| p.generation);
            let generation = expected.unwrap_or(0) + 1;
            let token = super::own_page::token(&state, client, generation);
            let audit = who.audit(now, "issue-link", "client-page", Some(client.0));
            let hash = crate::security::hash_token(&token);
            if !state.store.issue_client_page(client, expected, generation, &hash, audit, now).await? {
                return Err(bad(crate::language::current().t("partner-link-changed")));
            }
        }
        "revoke" => {
            let audit = who.audit(now, "revoke-link", "client-page", Some(client.0));
            state.store.revoke_client_page(client, audit, now).await?;
        }
        "hide-alliance" | "show-alliance" => {
            let hide = form.one("action")? == Some("hide-alliance");
            let audit =
                who.audit(now, if hide { "hide-alliance" } else { "show-alliance" }, "client-page", Some(client.0));
            state.store.set_hide_alliance(client, hide, audit, now).await?;
        }
        _ => return Err(bad(crate::language::current().t("partner-choose-page-change"))),
    }
    Ok(back(client))
}

/// The episode's own measure schedule: one cadence per measure (`cadence-ID` fields), audited.
pub async fn set_schedule(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let episode = state.store.episode(alliance_store::EpisodeId(id)).await?.ok_or(WebError::NotFound)?;
    let write = access::write_client(&state, &who, episode.client).await?;
    if episode.ended_on.is_some() {
        return Err(bad(crate::language::current().t("partner-episode-ended")));
    }
    let mut schedule = schedule_of(&state, &episode).await?;
    for (measure, _) in episode_measures(&state, &episode) {
        if let Some(raw) = form.one(&format!("cadence-{measure}"))? {
            let cadence = Cadence::parse(raw).map_err(|e| {
                bad(crate::language::current().t1("partner-schedule-error", "error", crate::language::parse_error(&e)))
            })?;
            let timing = match form.one(&format!("before-{measure}"))? {
                None => Timing::After,
                Some("yes") => Timing::Before,
                Some(_) => return Err(bad(crate::language::current().t("partner-schedule-before"))),
            };
            schedule = schedule.with(&measure, cadence).timed(&measure, timing);
        }
    }
    let audit = who.audit(state.now(), "update", "episode-schedule", Some(id));
    state.store.set_episode_schedule(episode.id, &schedule.to_text(), audit).await?;
    Ok(back(write.client.id))
}
