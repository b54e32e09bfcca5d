//! Adding clients, opening episodes of care, and the client page with its trajectories.

use alliance_app::RISK_NOTE_MAX;
use alliance_core::catalog::{GAD7, PHQ9, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use alliance_core::domain::{Pseudonym, Role};
use alliance_core::overview::{ClientOverview, signal_key};
use alliance_core::practice::ExpectedCourse;
use alliance_signals::rupture::{DEFAULT_REPAIR_WINDOW, RepairStatus, RepairedBy};
use alliance_store::{
    ClientId, EndReason, EpisodeId, NewClient, NewEpisode, NewRiskAction, Rater, RiskActionKind, StoredResponse,
};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::caseload::describe;
use super::partnership;
use super::signals::{self, SignalView};
use super::words::{self, number};
use super::{Nav, care_date, iso_date, show_date, show_time};
use crate::access::{self, Via};
use crate::auth::SignedIn;
use crate::charts::{Band, CLIENT, Chart, Marker, MarkerKind, Reference, Series, THERAPIST};
use crate::error::WebError;
use crate::forms::FormFields;
use crate::forms::Id;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "client_new.html")]
struct NewClientPage<'a> {
    tr: alliance_i18n::Tr,
    nav: Nav,
    error: Option<&'a str>,
    pseudonym: &'a str,
    contact: &'a str,
    today: String,
    /// (id, label, ticked) of each outcome measure that can be chosen.
    measures: Vec<(String, String, bool)>,
}

/// The outcome measures on offer: PHQ-9 and GAD-7 ticked, any instrument the practice added (from a FHIR
/// Questionnaire) offered unticked and marked as not validated.
fn measure_options(state: &AppState) -> Vec<(String, String, bool)> {
    let tr = crate::language::current();
    state
        .catalog
        .outcome_measures()
        .into_iter()
        .map(|i| match i.id.as_str() {
            PHQ9 => (i.id.clone(), format!("PHQ-9 ({})", tr.t("client-depression")), true),
            GAD7 => (i.id.clone(), format!("GAD-7 ({})", tr.t("client-anxiety")), true),
            _ if !i.validated => (i.id.clone(), tr.t1("client-measure-not-validated", "name", &i.short_name), false),
            _ => (i.id.clone(), i.short_name.clone(), false),
        })
        .collect()
}

pub async fn new_client_page(State(state): State<AppState>, who: SignedIn) -> Result<Response, WebError> {
    access::require_role(&who, Role::Therapist)?;
    let today = iso_date(who.today(state.now()));
    Ok(Html(
        NewClientPage {
            tr: crate::language::current(),
            nav: Nav::of(&who),
            error: None,
            pseudonym: "",
            contact: "",
            today,
            measures: measure_options(&state),
        }
        .render()?,
    )
    .into_response())
}

/// Outcome measures a therapist may choose for an episode: those the practice's catalogue offers.
fn measures(state: &AppState, form: &FormFields) -> Result<Vec<String>, WebError> {
    let offered = state.catalog.outcome_measures();
    let mut chosen = Vec::new();
    for m in form.all("measure") {
        if !offered.iter().any(|i| i.id == m) {
            return Err(WebError::BadRequest(crate::language::current().t("client-unknown-measure")));
        }
        if !chosen.iter().any(|c| c == m) {
            chosen.push(m.to_owned());
        }
    }
    Ok(chosen)
}

pub async fn create_client(
    State(state): State<AppState>,
    who: SignedIn,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    access::require_role(&who, Role::Therapist)?;
    let raw_name = form.one("pseudonym")?.unwrap_or("");
    let raw_contact = form.one("contact")?.unwrap_or("").trim();
    let today = iso_date(who.today(state.now()));
    let retry = |error: String| -> Result<Response, WebError> {
        let page = NewClientPage {
            tr: crate::language::current(),
            nav: Nav::of(&who),
            error: Some(&error),
            pseudonym: raw_name,
            contact: raw_contact,
            today: today.clone(),
            measures: measure_options(&state),
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
    };
    let pseudonym = match Pseudonym::parse(raw_name) {
        Ok(p) => p,
        Err(e) => {
            return retry(crate::language::current().t1(
                "client-pseudonym-error",
                "error",
                crate::language::parse_error(&e),
            ));
        }
    };
    // Optional; when given, one line under the text policy (no control, text-direction or invisible characters).
    let contact = match raw_contact {
        "" => None,
        raw => match alliance_core::text_policy::single_line("Contact", raw, 200) {
            Ok(contact) => Some(contact),
            Err(_) => return retry(crate::language::current().t("client-contact-error")),
        },
    };
    let started_on = match care_date(
        form.one("started_on")?,
        who.today(state.now()),
        &crate::language::current().t("client-start-of-care"),
    ) {
        Ok(date) => date,
        Err(message) => return retry(message),
    };
    let measures = measures(&state, &form)?;
    let now = state.now();
    let client = state
        .store
        .create_client(
            NewClient { therapist: who.user.id, pseudonym: pseudonym.as_str().to_owned(), contact },
            who.audit(now, "create", "client", None),
            now,
        )
        .await?;
    let episode = NewEpisode { client, therapist: who.user.id, started_on, measures };
    state.store.open_episode(episode, who.audit(now, "create", "episode", None), now).await?;
    Ok(Redirect::to(&format!("/clients/{client}")).into_response())
}

pub async fn open_episode(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let now = state.now();
    let started_on =
        care_date(form.one("started_on")?, who.today(now), &crate::language::current().t("client-start-of-episode"))
            .map_err(WebError::BadRequest)?;
    let measures = measures(&state, &form)?;
    let episode = NewEpisode { client: write.client.id, therapist: who.user.id, started_on, measures };
    state.store.open_episode(episode, who.audit(now, "create", "episode", None), now).await?;
    Ok(Redirect::to(&format!("/clients/{id}")).into_response())
}

/// Ends the client's current episode of care (discharge): the checks stop, and the retention period, when the
/// practice sets one, counts from this date.
pub async fn end_episode(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let episode = state.store.episode(EpisodeId(id)).await?.ok_or(WebError::NotFound)?;
    let write = access::write_client(&state, &who, episode.client).await?;
    let what = crate::language::current().t("client-end-of-episode");
    let ended_on = care_date(form.one("ended_on")?, who.today(state.now()), &what).map_err(WebError::BadRequest)?;
    if ended_on > who.today(state.now()) {
        return Err(WebError::BadRequest(crate::language::current().t("client-end-in-future")));
    }
    let reason = match form.one("reason")?.filter(|r| !r.is_empty()) {
        None => None,
        Some(word) => Some(
            EndReason::parse(word)
                .ok_or_else(|| WebError::BadRequest(crate::language::current().t("client-end-reason-invalid")))?,
        ),
    };
    state.store.end_episode(episode.id, ended_on, who.audit(state.now(), "end", "episode", Some(id))).await?;
    // How care ended teaches the dropout warning (issue 18); saying it is optional.
    if let Some(reason) = reason {
        let audit = who.audit(state.now(), "update", "episode-ending", Some(id));
        state.store.set_end_reason(episode.id, reason, audit).await?;
    }
    Ok(Redirect::to(&format!("/clients/{}", write.client.id.0)).into_response())
}

/// The end-of-care reasons as (value, words), for the form.
fn end_reasons() -> Vec<(&'static str, String)> {
    let tr = crate::language::current();
    EndReason::ALL
        .iter()
        .map(|r| {
            let id = match r {
                EndReason::Completed => "client-end-reason-completed",
                EndReason::DroppedOut => "client-end-reason-dropped-out",
                EndReason::Referred => "client-end-reason-referred",
                EndReason::Other => "client-end-reason-other",
            };
            (r.as_str(), tr.t(id))
        })
        .collect()
}

pub struct ChartView {
    pub svg: String,
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub struct SessionRow {
    pub id: i64,
    pub number: u32,
    pub date: String,
    pub attended: bool,
    pub client_summary: String,
    pub reflection_summary: String,
}

#[derive(Template)]
#[template(path = "client.html")]
struct ClientPage {
    tr: alliance_i18n::Tr,
    nav: Nav,
    client_id: i64,
    pseudonym: String,
    supervision: bool,
    can_write: bool,
    /// Set while an administrator reads under a break-glass grant: until when.
    break_glass_until: Option<String>,
    /// Administrators' break-glass reads of this client, newest first, for the therapist and supervisor.
    break_glass: Vec<String>,
    break_glass_unacknowledged: bool,
    signals: Vec<SignalView>,
    /// The risk acknowledgement form's choices and its time field's default (now, on the reader's clock).
    risk_choices: Vec<(&'static str, String)>,
    risk_now: String,
    /// The reader's zone, named beside the time field.
    risk_zone: String,
    etr_note: String,
    outcome: String,
    outcome_change: String,
    alliance: String,
    alliance_trend: String,
    episode_text: String,
    episode_id: Option<i64>,
    today: String,
    charts: Vec<ChartView>,
    partner: partnership::PartnerView,
    support: super::support::SupportView,
    /// Actions agreed in supervision about this client, not yet done: (id, words), for their own therapist.
    reminders: Vec<(i64, String)>,
    end_reasons: Vec<(&'static str, String)>,
    sessions: Vec<SessionRow>,
    /// The main transcript indicators of the sessions whose transcript the reader may see (issue 21).
    transcript_trend: Option<super::transcripts::TrendView>,
}

pub(crate) fn series(responses: &[&StoredResponse], instrument: &str, rater: Rater, scale: &str) -> Vec<(f64, f64)> {
    responses
        .iter()
        .filter(|r| r.instrument.id == instrument && r.rater == rater)
        .filter_map(|r| {
            r.scores.iter().find(|s| s.scale == scale).and_then(|s| s.value).map(|v| (f64::from(r.session_number), v))
        })
        .collect()
}

const BAND_FILLS: [&str; 5] = ["#eef6ee", "#f7f5e6", "#fbeedd", "#f9e1d6", "#f5d5d5"];

pub(crate) fn table(headers: &[impl AsRef<str>], series: &[&[(f64, f64)]]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut sessions: Vec<u32> = series.iter().flat_map(|s| s.iter().map(|p| p.0 as u32)).collect();
    sessions.sort_unstable();
    sessions.dedup();
    let rows = sessions
        .iter()
        .map(|n| {
            let mut row = vec![n.to_string()];
            for s in series {
                row.push(s.iter().find(|p| p.0 as u32 == *n).map_or("–".to_owned(), |p| number(p.1)));
            }
            row
        })
        .collect();
    (headers.iter().map(|h| h.as_ref().to_owned()).collect(), rows)
}

pub(crate) fn outcome_chart(
    state: &AppState,
    responses: &[&StoredResponse],
    id: &str,
    sessions: u32,
    expected: Option<&ExpectedCourse>,
    events: &[Marker],
) -> Option<ChartView> {
    let ins = state.catalog.get(id)?;
    let scale = ins.primary()?;
    let points = series(responses, id, Rater::Client, &scale.id);
    if points.is_empty() {
        return None;
    }
    let (low, high) = scale.bounds(ins)?;
    let first = points.first().map(|p| p.1).unwrap_or_default();
    let last = points.last().map(|p| p.1).unwrap_or_default();
    let tr = crate::language::current();
    let cutoff = scale.cutoff.as_ref().map(|c| (c.value, tr.t1("chart-cutoff", "value", number(c.value))));
    let mut description = tr.format(
        "chart-outcome-description",
        &[
            ("measure", ins.short_name.as_str().into()),
            ("first", number(first).into()),
            ("from", points.first().map_or(0.0, |p| p.0).into()),
            ("last", number(last).into()),
            ("to", points.last().map_or(0.0, |p| p.0).into()),
        ],
    );
    if let Some(c) = &cutoff {
        description.push(' ');
        description.push_str(&tr.t1("chart-outcome-cutoff", "cutoff", c.1.as_str()));
    }
    let chart = Chart {
        id: format!("chart-{id}"),
        title: tr.t1("chart-outcome-title", "measure", ins.short_name.as_str()),
        description: description.clone(),
        y_label: ins.short_name.clone(),
        y_range: (low, high),
        sessions,
        bands: scale
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| Band {
                from: b.from,
                to: b.to + 0.999,
                label: crate::language::band_words(&b.label),
                fill: BAND_FILLS[i.min(4)],
            })
            .collect(),
        cutoff,
        series: vec![Series { label: tr.t("chart-client"), points: points.clone(), colour: CLIENT, dashed: false }],
        references: vec![],
        markers: events.to_vec(),
    };
    let mut chart = chart;
    let mut headers = vec![ins.short_name.clone()];
    let mut columns = vec![points];
    if let Some(course) = expected.filter(|_| id == PHQ9) {
        let line = |band: &[alliance_lmm::PredictedScore], upper: bool| -> Vec<(f64, f64)> {
            band.iter()
                .filter(|p| p.session <= sessions)
                .map(|p| (f64::from(p.session), if upper { p.upper } else { p.expected }))
                .collect()
        };
        // Reference lines, each in its own dash and without dots; the at-risk edge in vermilion, the cut-off black.
        chart.references.push(Reference {
            label: tr.t("chart-expected"),
            points: line(&course.yellow, false),
            colour: "#555555",
            dash: "6 3",
        });
        chart.references.push(Reference {
            label: tr.t("chart-below-expectation"),
            points: line(&course.yellow, true),
            colour: "#E69F00",
            dash: "2 3",
        });
        chart.references.push(Reference {
            label: tr.t("chart-at-risk"),
            points: line(&course.red, true),
            colour: "#D55E00",
            dash: "8 3 2 3",
        });
        chart.description.push(' ');
        chart.description.push_str(&tr.t("chart-expected-description"));
        headers.extend([tr.t("chart-expected"), tr.t("chart-amber-edge"), tr.t("chart-red-edge")]);
        columns.extend([line(&course.yellow, false), line(&course.yellow, true), line(&course.red, true)]);
    }
    let column_refs: Vec<&[(f64, f64)]> = columns.iter().map(Vec::as_slice).collect();
    let (headers, rows) = table(&headers, &column_refs);
    let caption = chart.description.clone();
    Some(ChartView { svg: chart.render(), caption, headers, rows })
}

fn alliance_charts(
    state: &AppState,
    responses: &[&StoredResponse],
    sessions: u32,
    held: Option<u32>,
    o: &ClientOverview,
    events: &[Marker],
) -> Vec<ChartView> {
    let client = series(responses, RELATIONSHIP_CHECK, Rater::Client, "alliance");
    let therapist = series(responses, THERAPIST_REFLECTION, Rater::Therapist, "alliance");
    if client.is_empty() && therapist.is_empty() {
        return vec![];
    }
    let tr = crate::language::current();
    let mut markers: Vec<Marker> = Vec::new();
    for rupture in &o.ruptures {
        let repair = match rupture.repair {
            RepairStatus::Repaired { session, by } => {
                // Who said so (docs/SCIENCE.md#reported-ruptures): the score, the client or the therapist.
                let basis = match by {
                    RepairedBy::ScoreReturned => tr.t("chart-repaired-score"),
                    RepairedBy::TalkedThrough => tr.t("chart-repaired-client"),
                    RepairedBy::TherapistSaidRepaired => tr.t("chart-repaired-therapist"),
                };
                markers.push(Marker {
                    x: f64::from(session),
                    label: tr.format(
                        "chart-repair-marker",
                        &[
                            ("session", session.into()),
                            ("basis", basis.as_str().into()),
                            ("onset", rupture.onset_session.into()),
                        ],
                    ),
                    kind: MarkerKind::Repair,
                });
                tr.t2("chart-repaired-in", "session", session, "basis", basis)
            }
            RepairStatus::Unrepaired { decided_at_session } => {
                tr.t1("chart-not-repaired", "session", decided_at_session)
            }
            // Past its window with no check read since: not known (docs/SCIENCE.md#repair).
            RepairStatus::Open if held.is_some_and(|h| h >= rupture.onset_session + DEFAULT_REPAIR_WINDOW) => {
                tr.t("chart-repair-unknown")
            }
            RepairStatus::Open => tr.t("chart-repair-possible"),
        };
        markers.push(Marker {
            x: f64::from(rupture.onset_session),
            label: tr.format(
                "chart-rupture-marker",
                &[
                    ("session", rupture.onset_session.into()),
                    ("rule", words::rupture_rules(&rupture.rules).into()),
                    ("repair", repair.into()),
                ],
            ),
            kind: MarkerKind::Rupture,
        });
    }
    let cutoff = state
        .catalog
        .get(RELATIONSHIP_CHECK)
        .and_then(|i| i.scale("alliance"))
        .and_then(|s| s.cutoff.as_ref())
        .map(|c| (c.value, tr.t1("chart-concern", "value", number(c.value))));
    let description = tr.t2("chart-alliance-description", "client", client.len(), "therapist", therapist.len());
    let total = Chart {
        id: "chart-alliance".into(),
        title: tr.t("chart-alliance-title"),
        description: description.clone(),
        y_label: tr.t("chart-alliance-axis"),
        y_range: (6.0, 30.0),
        sessions,
        bands: vec![],
        cutoff,
        series: vec![
            Series { label: tr.t("chart-client"), points: client.clone(), colour: CLIENT, dashed: false },
            Series { label: tr.t("chart-therapist"), points: therapist.clone(), colour: THERAPIST, dashed: true },
        ],
        references: vec![],
        markers: markers.into_iter().chain(events.iter().cloned()).collect(),
    };
    let (headers, rows) = table(&[tr.t("chart-client"), tr.t("chart-therapist")], &[&client, &therapist]);
    let mut charts = vec![ChartView { svg: total.render(), caption: description, headers, rows }];
    let parts = [
        (tr.t("chart-goals"), series(responses, RELATIONSHIP_CHECK, Rater::Client, "goals"), "#0072B2"),
        (tr.t("chart-tasks"), series(responses, RELATIONSHIP_CHECK, Rater::Client, "tasks"), "#009E73"),
        (tr.t("chart-bond"), series(responses, RELATIONSHIP_CHECK, Rater::Client, "bond"), "#CC79A7"),
    ];
    if parts.iter().any(|p| !p.1.is_empty()) {
        let caption = tr.t("chart-gtb-description");
        let chart = Chart {
            id: "chart-gtb".into(),
            title: tr.t("chart-gtb-title"),
            description: caption.clone(),
            y_label: tr.t("chart-subscale"),
            y_range: (2.0, 10.0),
            sessions,
            bands: vec![],
            cutoff: None,
            series: parts
                .iter()
                .enumerate()
                // Equal ratings would hide each other: each subscale sits a little beside its session, and tasks
                // are dashed, so all three stay visible (the table holds the exact values).
                .map(|(i, (label, points, colour))| Series {
                    label: label.clone(),
                    points: points.iter().map(|&(x, y)| (x + (i as f64 - 1.0) * 0.12, y)).collect(),
                    colour,
                    dashed: i == 1,
                })
                .collect(),
            references: vec![],
            markers: vec![],
        };
        let headers = [parts[0].0.clone(), parts[1].0.clone(), parts[2].0.clone()];
        let (headers, rows) = table(&headers, &[&parts[0].1, &parts[1].1, &parts[2].1]);
        charts.push(ChartView { svg: chart.render(), caption, headers, rows });
    }
    charts
}

pub async fn client_page(State(state): State<AppState>, who: SignedIn, Id(id): Id) -> Result<Response, WebError> {
    let read = access::read_client(&state, &who, ClientId(id)).await?;
    let client = &read.client;
    let own = read.via == Via::OwnCaseload;
    // Independent reads, at once: the page waits for the slowest rather than for their sum.
    let grants = async {
        match read.via {
            Via::OwnCaseload | Via::Supervision => state.store.break_glass_of(&[client.id]).await,
            Via::BreakGlass { .. } => Ok(Vec::new()),
        }
    };
    let (episodes, all_responses, mut overviews, grants, risk_actions, notes) = tokio::try_join!(
        async { state.store.episodes(client.id).await.map_err(WebError::from) },
        async { state.store.responses_of(client.id).await.map_err(WebError::from) },
        async {
            let clients = std::slice::from_ref(client);
            state.app.overviews_for(who.user.id, clients, own, state.now()).await.map_err(WebError::from)
        },
        async { grants.await.map_err(WebError::from) },
        async { state.store.risk_actions(&[client.id]).await.map_err(WebError::from) },
        async { state.store.event_notes(&[client.id]).await.map_err(WebError::from) },
    )?;
    let client_state = overviews.remove(&client.id).ok_or(WebError::NotFound)?;
    // The current episode (the one opened last, the store's rule shared with the caseload) and its sessions as
    // the overview was computed from them, so that the page and its signals agree.
    let current = episodes.iter().find(|e| Some(e.id) == client_state.episode);
    let sessions = &client_state.sessions;
    let responses: Vec<&StoredResponse> = all_responses
        .iter()
        .filter(|r| current.is_some_and(|e| e.id == r.episode))
        .filter(|r| r.rater == Rater::Client || access::reflection_visible(read.via, &r.flags))
        .collect();
    let o = &client_state.overview;
    let (outcome, outcome_change, alliance, alliance_trend, _) = describe(&state, o);
    let held = sessions.last().map(|s| s.number);
    let span = held.unwrap_or(1).max(4);
    let events = partnership::event_markers(&notes, sessions);
    let mut charts = Vec::new();
    for id in current.map(|e| e.measures.clone()).unwrap_or_default() {
        charts.extend(outcome_chart(&state, &responses, &id, span, o.expected.as_ref(), &events));
    }
    charts.extend(alliance_charts(&state, &responses, span, held, o, &events));
    let partner = partnership::view(&state, client, current, sessions, &notes, own).await?;
    let scored: Vec<u32> =
        client_state.client_checks.iter().filter(|c| c.alliance.is_some()).map(|c| c.session).collect();
    let support = super::support::view(&state, current, sessions, &all_responses, o, &scored, own).await?;
    let reminders = match read.via {
        Via::OwnCaseload => state
            .store
            .open_actions(client.id, who.user.id)
            .await?
            .into_iter()
            .map(|a| {
                (a.id, crate::language::current().t2("meeting-reminder", "date", show_date(a.held_on), "text", a.text))
            })
            .collect(),
        Via::Supervision | Via::BreakGlass { .. } => Vec::new(),
    };
    let episode_key = client_state.episode_key();
    // What this page shows for the first time to this reader is new on it, and seen from now on (docs/TRIAGE.md).
    let unseen = client_state.unseen_keys(who.today(state.now()));
    if !unseen.is_empty() {
        state.store.mark_seen(client.id, &unseen, who.user.id, state.now()).await?;
    }
    let signal_views = o
        .signals
        .iter()
        .map(|s| {
            let new = unseen.contains(&signal_key(episode_key, s));
            signals::view(s, episode_key, client_state.acknowledgement_of(s), &risk_actions, new, &who.zone)
        })
        .collect();
    let tr = crate::language::current();
    let session_rows = sessions
        .iter()
        .map(|s| {
            let of =
                |rater: Rater| responses.iter().filter(|r| r.session == s.id && r.rater == rater).collect::<Vec<_>>();
            let client_summary = of(Rater::Client)
                .iter()
                .map(|r| {
                    let name =
                        state.catalog.get(&r.instrument.id).map_or(r.instrument.id.as_str(), |i| i.short_name.as_str());
                    let primary =
                        state.catalog.get(&r.instrument.id).map(|i| i.primary_scale.clone()).unwrap_or_default();
                    let value =
                        r.scores.iter().find(|x| x.scale == primary).and_then(|x| x.value).map_or("–".into(), number);
                    let rupture = if r.flags.has("rupture-reported") {
                        format!(" {}", tr.t("client-rupture-flag"))
                    } else {
                        String::new()
                    };
                    format!("{name} {value}{rupture}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let reflection = of(Rater::Therapist);
            let reflection_summary = match reflection.first() {
                Some(r) => {
                    let value = r
                        .scores
                        .iter()
                        .find(|x| x.scale == "alliance")
                        .and_then(|x| x.value)
                        .map_or("–".into(), number);
                    if r.flags.has("supervision") {
                        tr.t1("client-reflection-alliance-supervision", "value", value)
                    } else {
                        tr.t1("client-reflection-alliance", "value", value)
                    }
                }
                None => "–".into(),
            };
            SessionRow {
                id: s.id.0,
                number: s.number,
                date: show_date(s.held_on),
                attended: s.attended,
                client_summary: if client_summary.is_empty() { "–".into() } else { client_summary },
                reflection_summary,
            }
        })
        .rev()
        .collect();
    // The transcript trend follows the session page's rule for each session (access::read_transcript).
    let summaries = state.store.transcript_indicators_of(&[client.id]).await?;
    let visible: Vec<_> = summaries
        .iter()
        .filter(|s| {
            let reflection = all_responses
                .iter()
                .find(|r| r.session == s.session && r.instrument.id == alliance_core::catalog::THERAPIST_REFLECTION);
            access::read_transcript(&read, reflection).is_some()
        })
        .collect();
    let transcript_trend = super::transcripts::client_trend(&visible);
    let episode_text = match current {
        Some(e) => tr.t2("client-episode-since", "date", show_date(e.started_on), "count", sessions.len()),
        None => tr.t("client-no-episode"),
    };
    let page = ClientPage {
        tr,
        nav: Nav::of(&who),
        client_id: client.id.0,
        pseudonym: client.pseudonym.clone(),
        supervision: read.via == Via::Supervision,
        can_write: read.via == Via::OwnCaseload,
        break_glass_until: match read.via {
            Via::BreakGlass { until } => Some(show_time(until, &who.zone)),
            Via::OwnCaseload | Via::Supervision => None,
        },
        break_glass: grants.iter().map(|g| super::audit::notice(g, &who.zone)).collect(),
        break_glass_unacknowledged: grants.iter().any(|g| g.acknowledged_at.is_none()),
        signals: signal_views,
        risk_choices: signals::risk_choices(),
        risk_now: signals::form_time(state.now(), &who.zone),
        risk_zone: who.zone.name().to_owned(),
        etr_note: crate::language::current().text(&state.practice().source_text()),
        outcome,
        outcome_change,
        alliance,
        alliance_trend,
        episode_text,
        // Sessions are recorded in an open episode; an ended one offers a new episode instead.
        episode_id: current.filter(|e| e.ended_on.is_none()).map(|e| e.id.0),
        today: iso_date(who.today(state.now())),
        charts,
        partner,
        support,
        reminders,
        end_reasons: end_reasons(),
        sessions: session_rows,
        transcript_trend,
    };
    Ok(Html(page.render()?).into_response())
}

/// Acknowledging a signal records who saw it and when; it then stops pushing the client up the caseload
/// (risk never stops).
pub async fn acknowledge(
    State(state): State<AppState>,
    who: SignedIn,
    Id(id): Id,
    mut form: FormFields,
) -> Result<Response, WebError> {
    who.check_csrf(&mut form)?;
    let write = access::write_client(&state, &who, ClientId(id)).await?;
    let key = form.one("signal")?.unwrap_or("");
    let now = state.now();
    let audit = who.audit(now, "acknowledge", "signal", Some(id));
    // A risk signal comes with the action taken (the risk form); without one, `acknowledge` refuses a risk signal.
    match form.one("action")? {
        Some(action) => {
            let action = risk_action(&form, action, &who.zone)?;
            state.app.acknowledge_risk(&write.client, key, who.user.id, action, audit, now).await?;
        }
        None => state.app.acknowledge(&write.client, key, who.user.id, audit, now).await?,
    }
    Ok(Redirect::to(&format!("/clients/{id}")).into_response())
}

/// The action on a risk signal from its form: the kind, when it was done (a wall-clock time in the reader's zone)
/// and the note under the text policy.
fn risk_action(form: &FormFields, kind: &str, zone: &crate::LocalZone) -> Result<NewRiskAction, WebError> {
    let kind = RiskActionKind::parse(kind)
        .ok_or_else(|| WebError::BadRequest(crate::language::current().t("client-risk-choose")))?;
    let acted_at = form
        .one("acted_at")?
        .and_then(|text| signals::parse_form_time(text, zone))
        .ok_or_else(|| WebError::BadRequest(crate::language::current().t("client-risk-give-time")))?;
    let note = alliance_core::text_policy::multi_line("the note", form.one("note")?.unwrap_or(""), RISK_NOTE_MAX)
        .map_err(|e| {
            WebError::BadRequest(crate::language::current().t1(
                "client-not-saved",
                "error",
                crate::language::parse_error(&e),
            ))
        })?;
    Ok(NewRiskAction { kind, note, acted_at })
}
