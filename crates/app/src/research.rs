//! The practice research report's data (docs/SCIENCE.md#practice-research), gathered for the clients whose
//! latest consent includes research use. Each episode of care is one course (a client with two episodes counts
//! twice); courses and therapists are named by research ids, keyed hashes under the practice's key, so the
//! report names no record. Sessions are attributed to the therapist who held them.

use std::collections::HashMap;
use std::sync::Arc;

use alliance_core::catalog::{PHQ9, RELATIONSHIP_CHECK};
use alliance_core::instrument::{Aggregation, Rater as InstrumentRater};
use alliance_core::research::{ItemTable, ResearchData, ResearchReport, SessionRow};
use alliance_core::scoring::Answer;
use alliance_signals::change::ChangeCriteria;
use alliance_store::{AuditEvent, ClientId, Rater, ResearchKind, UserId};
use time::OffsetDateTime;

use crate::{App, AppError};

/// The last report, keyed by the practice refit it followed: the report is made again only after a refit, on
/// the first request that wants it (a second request waits for that one rather than computing it again).
#[derive(Default)]
pub(crate) struct ReportCache(tokio::sync::Mutex<Option<(Option<OffsetDateTime>, Arc<ResearchReport>)>>);

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
        for p in self.store.score_points(&clients).await? {
            let (Rater::Client, Some(value)) = (p.rater, p.value) else { continue };
            if p.instrument == RELATIONSHIP_CHECK && p.scale == "alliance" {
                alliance.insert((p.episode, p.session_number), value);
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
        Ok(ResearchData {
            sessions: rows,
            item_tables: self.item_tables(&clients).await?,
            outcome_measure: PHQ9.to_owned(),
            outcome_criteria: ChangeCriteria::phq9(),
            rupture_prior: Some(self.practice().rupture_prior),
        })
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

    /// The report on this practice's data as of the last practice refit (see [`ReportCache`]), with when that
    /// refit ran.
    pub async fn research_report(
        &self,
        now: OffsetDateTime,
    ) -> Result<(Option<OffsetDateTime>, Arc<ResearchReport>), AppError> {
        let mut cache = self.research.0.lock().await;
        let fitted_at = self.practice().fitted_at;
        if let Some((at, report)) = cache.as_ref()
            && *at == fitted_at
        {
            return Ok((fitted_at, report.clone()));
        }
        let data = self.research_data(now).await?;
        let report = tokio::task::spawn_blocking(move || alliance_core::research::report(&data, |_| {}))
            .await
            .map_err(|e| AppError::PracticeModel(e.to_string()))?;
        let report = Arc::new(report);
        *cache = Some((fitted_at, report.clone()));
        Ok((fitted_at, report))
    }
}
