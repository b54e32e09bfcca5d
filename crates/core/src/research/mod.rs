//! The practice research report (docs/SCIENCE.md#practice-research): does the relationship predict outcome
//! in this practice, how much outcome varies between therapists, how reliable the measures are, how ruptures
//! relate to change, and how the practice's clients fared. Pure: the caller gathers the rows (from the store
//! or from a CSV) and renders the result.

mod csv;

mod culture;
mod models;
mod outcomes;
pub mod reliability;
mod signal_fairness;
mod special;

use std::collections::BTreeMap;

use alliance_signals::change::ChangeCriteria;
use alliance_signals::variability::PracticePrior;
use serde::Serialize;

pub use csv::{CsvError, MAX_CSV_BYTES, read_fixture_csv};
pub use culture::{
    BackgroundFact, CategoryGroups, CourseBackground, CultureCell, CultureError, CultureReport, match_of,
};
pub use models::{LaggedModel, TherapistEffect, TherapistEffects};
pub use outcomes::{ChangeByRupture, OverallOutcomes, RuptureGroup, Share};
pub use reliability::{Reliability, ReliabilityError, reliability};
pub use signal_fairness::{
    CategoryAudit, DETERIORATION, LOW_ALLIANCE, NOT_RECORDED, RUPTURE, SMALL_GROUPS, SignalFairness,
    SignalFairnessError,
};
pub use special::f_quantile;

/// The smallest number of clients a table cell may describe; smaller cells are suppressed.
pub const MIN_CELL_CLIENTS: usize = 5;

/// One session of one client, as the report needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub client: String,
    pub therapist: String,
    pub session: u32,
    /// The client's alliance total (the relationship check's `alliance` scale), if they rated it.
    pub alliance: Option<f64>,
    /// The outcome measure's total, if measured at this session.
    pub outcome: Option<f64>,
}

/// The answers of one multi-item measure: one row per complete administration.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTable {
    pub measure: String,
    pub items: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

/// Everything the report is computed from.
#[derive(Debug, Clone)]
pub struct ResearchData {
    pub sessions: Vec<SessionRow>,
    /// The alliance measure's items first (it is the `reliability` of the JSON), then any others.
    pub item_tables: Vec<ItemTable>,
    /// The outcome measure's identifier and its reliable-change and cut-off rules.
    pub outcome_measure: String,
    pub outcome_criteria: ChangeCriteria,
    /// The practice's session-to-session alliance spread for rupture detection; estimated from the rows when
    /// `None`.
    pub rupture_prior: Option<PracticePrior>,
    /// What consenting clients said about their background, per course (issue 20); empty where culture is off.
    pub backgrounds: Vec<CourseBackground>,
    /// The alliance measure's low-alliance cut-off, for the fairness audit's `low-alliance` signal; not counted
    /// when `None`.
    pub alliance_cutoff: Option<f64>,
}

/// The stages of the report, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Lagged,
    TherapistEffects,
    Reliability,
    Ruptures,
    Outcomes,
    Culture,
}

impl Stage {
    pub const ALL: [Stage; 6] =
        [Stage::Lagged, Stage::TherapistEffects, Stage::Reliability, Stage::Ruptures, Stage::Outcomes, Stage::Culture];
}

/// A part of the report that could not be computed, and why (shown in its place).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unavailable {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Part<T> {
    Ready(T),
    Unavailable(Unavailable),
}

impl<T> Part<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Part::Ready(t) => Some(t),
            Part::Unavailable(_) => None,
        }
    }

    fn from_result<E: std::fmt::Display>(result: Result<T, E>) -> Self {
        match result {
            Ok(t) => Part::Ready(t),
            Err(e) => Part::Unavailable(Unavailable { reason: e.to_string() }),
        }
    }
}

/// One measure's reliability, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureReliability {
    pub measure: String,
    #[serde(flatten)]
    pub result: Part<Reliability>,
}

/// The whole report. The keys `lagged`, `therapist_effects` and `reliability` follow the fixture oracle's
/// names and structure (docs/SCIENCE.md#practice-research), with intervals added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResearchReport {
    pub clients: usize,
    pub therapists: usize,
    pub sessions: usize,
    pub min_cell_clients: usize,
    pub lagged: Part<LaggedModel>,
    pub therapist_effects: Part<TherapistEffects>,
    /// The alliance measure's reliability (the first item table).
    pub reliability: Part<Reliability>,
    /// Every multi-item measure's.
    pub reliability_by_measure: Vec<MeasureReliability>,
    pub ruptures_and_outcome: Part<ChangeByRupture>,
    pub outcomes: Part<OverallOutcomes>,
    /// Alliance and outcome by client-described background and by match on what the client said matters.
    pub culture: Part<CultureReport>,
    /// The score-based signals' rates per client-described background group (the fairness audit, issue 20).
    pub signal_fairness: Part<SignalFairness>,
}

/// One client's sessions in order.
pub(crate) struct ClientRows<'a> {
    pub id: &'a str,
    pub therapist: &'a str,
    pub rows: Vec<&'a SessionRow>,
}

pub(crate) fn by_client(sessions: &[SessionRow]) -> Vec<ClientRows<'_>> {
    let mut clients: BTreeMap<&str, Vec<&SessionRow>> = BTreeMap::new();
    for row in sessions {
        clients.entry(row.client.as_str()).or_default().push(row);
    }
    clients
        .into_iter()
        .map(|(id, mut rows)| {
            rows.sort_by_key(|r| r.session);
            let therapist = rows.first().map_or("", |r| r.therapist.as_str());
            ClientRows { id, therapist, rows }
        })
        .collect()
}

/// The therapist-effects model alone (`outcome_last ~ outcome_first + (1 | therapist)`), on any rows that carry the
/// outcome: the practice refit makes it on every client's current episode for the severity-adjusted outcomes a
/// therapist and their supervisor see (docs/SCIENCE.md#severity-adjusted-therapist-outcomes). Rows need not be in
/// order; the alliance is not read.
pub fn therapist_effects(sessions: &[SessionRow]) -> Part<TherapistEffects> {
    Part::from_result(models::therapist_effects(&by_client(sessions)))
}

/// Computes the report; `progress` is told when each stage starts.
pub fn report(data: &ResearchData, mut progress: impl FnMut(Stage)) -> ResearchReport {
    let clients = by_client(&data.sessions);
    let therapists = clients.iter().map(|c| c.therapist).collect::<std::collections::BTreeSet<_>>().len();
    progress(Stage::Lagged);
    let lagged = Part::from_result(models::lagged(&clients));
    progress(Stage::TherapistEffects);
    let therapist_effects = Part::from_result(models::therapist_effects(&clients));
    progress(Stage::Reliability);
    let reliability_by_measure: Vec<MeasureReliability> = data
        .item_tables
        .iter()
        .map(|t| MeasureReliability {
            measure: t.measure.clone(),
            result: Part::from_result(reliability(&t.items, &t.rows)),
        })
        .collect();
    let reliability = reliability_by_measure.first().map_or_else(
        || Part::Unavailable(Unavailable { reason: "no multi-item alliance measure".to_owned() }),
        |m| m.result.clone(),
    );
    progress(Stage::Ruptures);
    let ruptures_and_outcome = Part::from_result(outcomes::change_by_rupture(&clients, data));
    progress(Stage::Outcomes);
    let outcomes = Part::from_result(outcomes::overall(&clients, data));
    progress(Stage::Culture);
    let culture = Part::from_result(culture::culture(&clients, data));
    let signal_fairness = Part::from_result(signal_fairness::signal_fairness(&clients, data));
    ResearchReport {
        clients: clients.len(),
        therapists,
        sessions: data.sessions.len(),
        min_cell_clients: MIN_CELL_CLIENTS,
        lagged,
        therapist_effects,
        reliability,
        reliability_by_measure,
        ruptures_and_outcome,
        outcomes,
        culture,
        signal_fairness,
    }
}

/// `estimate ± z·se` at 95 %.
pub(crate) fn wald_interval(estimate: f64, se: f64) -> [f64; 2] {
    let z = alliance_lmm::normal_quantile(0.975);
    [estimate - z * se, estimate + z * se]
}
