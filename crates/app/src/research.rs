//! The practice research report's data (docs/SCIENCE.md#practice-research), gathered for the clients whose
//! latest consent includes research use. Each episode of care is one course (a client with two episodes counts
//! twice); courses and therapists are named by research ids, keyed hashes under the practice's key, so the
//! report names no record. Sessions are attributed to the therapist who held them.

use std::collections::HashMap;
use std::sync::Arc;

use alliance_core::catalog::{PHQ9, RELATIONSHIP_CHECK};
use alliance_core::instrument::{Aggregation, Rater as InstrumentRater};
use alliance_core::research::{BackgroundFact, CourseBackground, ItemTable, ResearchData, ResearchReport, SessionRow};
use alliance_core::scoring::Answer;
use alliance_signals::change::ChangeCriteria;
use alliance_store::{AuditEvent, ClientId, EpisodeId, Rater, ResearchKind, TherapySession, UserId};
use time::OffsetDateTime;

use crate::{App, AppError};

/// The last report, keyed by the practice refit it followed, and the refit a report is being made for. A
/// request never waits for a report: reading every consenting client's answers takes seconds at 1,000 clients
/// (5.5 s measured when a request did it), so the first request after a refit starts the work in the background
/// and is shown the previous report, or that one is being made.
#[derive(Default)]
pub(crate) struct ReportCache(std::sync::Mutex<CacheState>);

#[derive(Default)]
struct CacheState {
    report: Option<(Option<OffsetDateTime>, Arc<ResearchReport>)>,
    making: Option<Option<OffsetDateTime>>,
}

/// What the researcher's page can show now.
#[derive(Debug, Clone)]
pub enum ReportState {
    /// A report and the refit whose data it read; `newer_coming` when a report of a later refit is being made.
    Ready { fitted_at: Option<OffsetDateTime>, report: Arc<ResearchReport>, newer_coming: bool },
    /// The first report is being made.
    Making,
}

/// Measures with fewer items in their main scale are not given a reliability.
const MIN_ITEMS: usize = 3;

impl App {
    /// The clients whose latest consent includes research use (issue 16, item 4), of every therapist.
    pub async fn research_clients(&self) -> Result<Vec<ClientId>, AppError> {
        let users: Vec<UserId> = self.store.users().await?.into_iter().map(|u| u.id).collect();
        let all: Vec<ClientId> = self.store.clients_of(&users).await?.into_iter().map(|c| c.id).collect();
        let mut research = HashMap::new();
        for consent in self.store.consents_of(&all).await? {
            research.insert(consent.client, consent.research);
        }
        Ok(all.into_iter().filter(|c| research.get(c).copied().unwrap_or(false)).collect())
    }

    /// The report's rows: every held session of every consenting client, with the client's own alliance and
    /// PHQ-9 totals, and the complete answers of each multi-item client measure. Audited as one batch read.
    pub async fn research_data(&self, now: OffsetDateTime) -> Result<ResearchData, AppError> {
        let clients = self.research_clients().await?;
        self.store
            .audit(AuditEvent {
                at: now,
                actor: None,
                actor_role: None,
                action: "batch-read",
                object_kind: "practice",
                object_id: None,
                purpose: "research",
                address: None,
            })
            .await?;
        let sessions = self.store.sessions_of(&clients).await?;
        let held_by: HashMap<_, _> = self.store.session_therapists(&clients).await?.into_iter().collect();
        let phq9_total = self.catalog.get(PHQ9).and_then(|i| i.primary()).map(|s| s.id.clone()).unwrap_or_default();
        let mut alliance = HashMap::new();
        let mut outcome = HashMap::new();
        let mut culture: HashMap<EpisodeId, Vec<f64>> = HashMap::new();
        for p in self.store.score_points(&clients).await? {
            let (Rater::Client, Some(value)) = (p.rater, p.value) else { continue };
            if p.instrument == RELATIONSHIP_CHECK && p.scale == "alliance" {
                alliance.insert((p.episode, p.session_number), value);
            } else if p.instrument == RELATIONSHIP_CHECK && p.scale == "culture" {
                culture.entry(p.episode).or_default().push(value);
            } else if p.instrument == PHQ9 && p.scale == phq9_total {
                outcome.insert((p.episode, p.session_number), value);
            }
        }
        let mut rows = Vec::new();
        for s in sessions.iter().filter(|s| s.attended) {
            let Some(therapist) = held_by.get(&s.id) else { continue };
            rows.push(SessionRow {
                client: self.store.research_id(ResearchKind::Episode, s.episode.0),
                therapist: self.store.research_id(ResearchKind::Therapist, therapist.0),
                session: s.number,
                alliance: alliance.get(&(s.episode, s.number)).copied(),
                outcome: outcome.get(&(s.episode, s.number)).copied(),
            });
        }
        let backgrounds = self.backgrounds(&clients, &sessions, &culture).await?;
        Ok(ResearchData {
            sessions: rows,
            item_tables: self.item_tables(&clients).await?,
            outcome_measure: PHQ9.to_owned(),
            outcome_criteria: ChangeCriteria::phq9(),
            rupture_prior: Some(self.practice().rupture_prior),
            backgrounds,
            alliance_cutoff: self
                .catalog
                .get(RELATIONSHIP_CHECK)
                .and_then(|i| i.scale("alliance"))
                .and_then(|s| s.cutoff.as_ref())
                .map(|c| c.value),
        })
    }

    /// What each consenting client said about their background, per course of theirs, with the course's mean
    /// culture item (issue 20).
    async fn backgrounds(
        &self,
        clients: &[ClientId],
        sessions: &[TherapySession],
        culture: &HashMap<EpisodeId, Vec<f64>>,
    ) -> Result<Vec<CourseBackground>, AppError> {
        let mut facts: HashMap<ClientId, Vec<BackgroundFact>> = HashMap::new();
        for entry in self.store.backgrounds_of(clients).await? {
            facts.entry(entry.client).or_default().push(BackgroundFact {
                category: entry.category,
                group: alliance_core::culture::group_of(&entry.text),
                matters: entry.matters,
                shared: entry.shared,
            });
        }
        let mut courses: Vec<(ClientId, EpisodeId)> = sessions.iter().map(|s| (s.client, s.episode)).collect();
        courses.dedup();
        Ok(courses
            .into_iter()
            .filter_map(|(client, episode)| {
                let facts = facts.get(&client)?.clone();
                let item = culture.get(&episode).filter(|v| !v.is_empty());
                Some(CourseBackground {
                    course: self.store.research_id(ResearchKind::Episode, episode.0),
                    facts,
                    culture: item.map(|v| v.iter().sum::<f64>() / v.len() as f64),
                })
            })
            .collect())
    }

    /// The complete administrations of each client-rated measure whose main scale sums or averages at least
    /// three items, the relationship check first.
    async fn item_tables(&self, clients: &[ClientId]) -> Result<Vec<ItemTable>, AppError> {
        let mut tables: Vec<ItemTable> = self
            .catalog
            .all()
            .filter(|i| i.rater == InstrumentRater::Client)
            .filter_map(|i| {
                let scale = i.primary()?;
                let summed = matches!(scale.method, Aggregation::Sum | Aggregation::Mean);
                (summed && scale.items.len() >= MIN_ITEMS).then(|| ItemTable {
                    measure: i.id.clone(),
                    items: scale.items.clone(),
                    rows: Vec::new(),
                })
            })
            .collect();
        tables.sort_by_key(|t| t.measure != RELATIONSHIP_CHECK);
        let index: HashMap<String, usize> = tables.iter().enumerate().map(|(i, t)| (t.measure.clone(), i)).collect();
        for client in clients {
            for response in self.store.responses_of(*client).await? {
                let Some(&t) = index.get(&response.instrument.id) else { continue };
                let table = &mut tables[t];
                let values: Option<Vec<f64>> = table
                    .items
                    .iter()
                    .map(|item| match response.answers.get(item) {
                        Some(Answer::Value(v)) => Some(*v),
                        _ => None,
                    })
                    .collect();
                if let Some(values) = values {
                    table.rows.push(values);
                }
            }
        }
        // Only the measures this practice uses.
        tables.retain(|t| !t.rows.is_empty());
        Ok(tables)
    }

    /// The report as of the last practice refit if it is made; otherwise the work is started in the background
    /// (once per refit) and the previous report, or [`ReportState::Making`], is returned at once.
    pub fn research_report(&self, now: OffsetDateTime) -> ReportState {
        let fitted_at = self.practice().fitted_at;
        let mut state = self.research.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = state.report.as_ref().is_some_and(|(at, _)| *at == fitted_at);
        if !current && state.making != Some(fitted_at) {
            state.making = Some(fitted_at);
            let app = self.clone();
            tokio::spawn(async move {
                let made = app.make_research_report(now).await;
                let mut state = app.research.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if state.making == Some(fitted_at) {
                    state.making = None;
                }
                match made {
                    Ok(report) => state.report = Some((fitted_at, Arc::new(report))),
                    // The next view tries again; the cause is logged without any clinical content.
                    Err(e) => tracing::warn!(error = %crate::with_causes(&e), "the research report could not be made"),
                }
            });
        }
        match &state.report {
            Some((at, report)) => ReportState::Ready { fitted_at: *at, report: report.clone(), newer_coming: !current },
            None => ReportState::Making,
        }
    }

    /// Makes the report on the practice's data now, off the request threads (the CLI and tests wait for it).
    pub async fn make_research_report(&self, now: OffsetDateTime) -> Result<ResearchReport, AppError> {
        let data = self.research_data(now).await?;
        tokio::task::spawn_blocking(move || alliance_core::research::report(&data, |_| {}))
            .await
            .map_err(|e| AppError::PracticeModel(e.to_string()))
    }

    /// Waits until the report of the current refit is made, or its making failed (tests, and the CLI).
    pub async fn research_report_ready(&self, now: OffsetDateTime) -> ReportState {
        // Starts the work if it is not under way.
        let _ = self.research_report(now);
        loop {
            let (idle, snapshot) = {
                let cache = self.research.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let fitted_at = self.practice().fitted_at;
                let snapshot = match &cache.report {
                    Some((at, report)) => {
                        ReportState::Ready { fitted_at: *at, report: report.clone(), newer_coming: *at != fitted_at }
                    }
                    None => ReportState::Making,
                };
                (cache.making.is_none(), snapshot)
            };
            if idle {
                return snapshot;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
