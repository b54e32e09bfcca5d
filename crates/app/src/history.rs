//! Bringing in a practice's history (issue 19, item 5): a checked `History` (`alliance_core::history`) is matched
//! against what the store holds, by the therapist's e-mail, the client's pseudonym among that therapist's
//! clients, the episode's start date and the session's number, and only what is missing is stored, so an import
//! run twice stores nothing twice. A dry run makes the same lookups and stores nothing.

use alliance_core::domain::Role;
use alliance_core::history::{History, HistoryClient, HistoryEpisode};
use alliance_core::instrument::Purpose;
use alliance_store::{
    AuditEvent, ClientId, EpisodeId, InstrumentRef, NewClient, NewEpisode, NewResponse, NewSession, UserId,
};
use time::{OffsetDateTime, Time};

/// Noon, the time an imported answer is dated at: the file gives days, not times.
const NOON: Time = time::macros::time!(12:00);

use crate::{App, AppError};

/// What an import stored (or, in a dry run, would store), and what it found already there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub clients_new: usize,
    pub clients_found: usize,
    pub episodes_new: usize,
    pub episodes_found: usize,
    pub sessions_new: usize,
    pub sessions_found: usize,
    pub responses_new: usize,
    pub responses_found: usize,
}

/// Why a client of the file cannot be imported as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportConflict {
    #[error("{therapist}: no active therapist account has this e-mail address")]
    NoTherapist { therapist: String },
    #[error("client {pseudonym}: session {number} of the episode started {started_on} is held on another date here")]
    SessionDiffers { pseudonym: String, started_on: String, number: u32 },
    #[error(
        "client {pseudonym}: the episode started {started_on} has sessions up to {held} here, and the file skips to {number}"
    )]
    SessionGap { pseudonym: String, started_on: String, held: u32, number: u32 },
}

fn event(now: OffsetDateTime, kind: &'static str) -> AuditEvent {
    AuditEvent::system(now, "import", kind, "care")
}

impl App {
    /// Imports `history` (`apply`) or reports what an import would do (a dry run). Conflicts with what is
    /// stored are found for every client before the first write, so a refused import stores nothing.
    pub async fn import_history(
        &self,
        history: &History,
        apply: bool,
        now: OffsetDateTime,
    ) -> Result<Result<ImportSummary, Vec<ImportConflict>>, AppError> {
        let mut summary = ImportSummary::default();
        let mut conflicts = Vec::new();
        let mut therapists = Vec::new();
        for client in &history.clients {
            match self.store.user_by_email(client.therapist.as_str()).await? {
                Some(u) if u.role == Role::Therapist && u.active => therapists.push(u.id),
                _ => {
                    conflicts.push(ImportConflict::NoTherapist { therapist: client.therapist.as_str().to_owned() });
                    therapists.push(UserId(0));
                }
            }
        }
        // The checking pass: the same lookups as the import, no writes.
        for (client, therapist) in history.clients.iter().zip(&therapists) {
            if therapist.0 != 0 {
                self.import_client(client, *therapist, false, now, &mut ImportSummary::default(), &mut conflicts)
                    .await?;
            }
        }
        conflicts.dedup();
        if !conflicts.is_empty() {
            return Ok(Err(conflicts));
        }
        for (client, therapist) in history.clients.iter().zip(&therapists) {
            self.import_client(client, *therapist, apply, now, &mut summary, &mut conflicts).await?;
        }
        if apply {
            self.store
                .audit(AuditEvent { object_id: i64::try_from(history.rows).ok(), ..event(now, "history-import") })
                .await?;
        }
        Ok(Ok(summary))
    }

    async fn import_client(
        &self,
        client: &HistoryClient,
        therapist: UserId,
        apply: bool,
        now: OffsetDateTime,
        summary: &mut ImportSummary,
        conflicts: &mut Vec<ImportConflict>,
    ) -> Result<(), AppError> {
        let existing = self
            .store
            .clients_of(&[therapist])
            .await?
            .into_iter()
            .find(|c| c.pseudonym == client.pseudonym.as_str())
            .map(|c| c.id);
        let id = match existing {
            Some(id) => {
                summary.clients_found += 1;
                Some(id)
            }
            None => {
                summary.clients_new += 1;
                if apply {
                    let new = NewClient { therapist, pseudonym: client.pseudonym.as_str().to_owned(), contact: None };
                    Some(self.store.create_client(new, event(now, "client"), now).await?)
                } else {
                    None
                }
            }
        };
        for episode in &client.episodes {
            self.import_episode(client, episode, id, therapist, apply, now, summary, conflicts).await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_episode(
        &self,
        client: &HistoryClient,
        episode: &HistoryEpisode,
        id: Option<ClientId>,
        therapist: UserId,
        apply: bool,
        now: OffsetDateTime,
        summary: &mut ImportSummary,
        conflicts: &mut Vec<ImportConflict>,
    ) -> Result<(), AppError> {
        let found = match id {
            Some(id) => self.store.episodes(id).await?.into_iter().find(|e| e.started_on == episode.started_on),
            None => None,
        };
        let episode_id: Option<EpisodeId> = match (found, id) {
            (Some(e), _) => {
                summary.episodes_found += 1;
                Some(e.id)
            }
            (None, client_id) => {
                summary.episodes_new += 1;
                match (apply, client_id) {
                    (true, Some(client_id)) => {
                        let measures = self.outcome_measures(episode);
                        let new = NewEpisode { client: client_id, therapist, started_on: episode.started_on, measures };
                        Some(self.store.open_episode(new, event(now, "episode"), now).await?)
                    }
                    _ => None,
                }
            }
        };
        let held = match episode_id {
            Some(e) => self.store.sessions(e).await?,
            None => Vec::new(),
        };
        let started_on = episode.started_on.to_string();
        // What this client already has, read once: (session, instrument) of each completed response.
        let answered: Vec<(alliance_store::SessionId, String)> = match id {
            Some(id) if !apply => {
                self.store.responses_of(id).await?.into_iter().map(|r| (r.session, r.instrument.id)).collect()
            }
            _ => Vec::new(),
        };
        // New sessions continue the stored ones: the store numbers each one after the last.
        let mut next_number = held.iter().map(|s| s.number).max().unwrap_or(0) + 1;
        for session in &episode.sessions {
            let session_id = match held.iter().find(|s| s.number == session.number) {
                Some(s) if s.held_on != session.held_on => {
                    conflicts.push(ImportConflict::SessionDiffers {
                        pseudonym: client.pseudonym.as_str().to_owned(),
                        started_on,
                        number: session.number,
                    });
                    return Ok(());
                }
                Some(s) => {
                    summary.sessions_found += 1;
                    Some(s.id)
                }
                None if session.number != next_number => {
                    conflicts.push(ImportConflict::SessionGap {
                        pseudonym: client.pseudonym.as_str().to_owned(),
                        started_on,
                        held: next_number - 1,
                        number: session.number,
                    });
                    return Ok(());
                }
                None => {
                    next_number += 1;
                    summary.sessions_new += 1;
                    match (apply, episode_id) {
                        (true, Some(e)) => {
                            let new = NewSession { episode: e, held_on: session.held_on, attended: session.attended };
                            Some(self.store.record_session(new, event(now, "session"), now).await?.id)
                        }
                        _ => None,
                    }
                }
            };
            for response in &session.responses {
                let Some(session_id) = session_id else {
                    summary.responses_new += 1;
                    continue;
                };
                if !apply {
                    let there = answered.iter().any(|(s, i)| *s == session_id && *i == response.instrument);
                    if there {
                        summary.responses_found += 1
                    } else {
                        summary.responses_new += 1
                    }
                    continue;
                }
                let instrument = InstrumentRef { id: response.instrument.clone(), version: response.version };
                let new = NewResponse {
                    administration: None,
                    answers: response.answers.clone(),
                    flags: response.scores.flags.clone(),
                    scores: response.scores.scales.clone(),
                };
                let at = session.held_on.with_time(NOON).assume_utc();
                match self
                    .store
                    .import_client_response(session_id, instrument, new, event(now, "administration"), at)
                    .await?
                {
                    Some(_) => summary.responses_new += 1,
                    None => summary.responses_found += 1,
                }
            }
        }
        Ok(())
    }

    /// The outcome measures an imported episode used, as its measures.
    fn outcome_measures(&self, episode: &HistoryEpisode) -> Vec<String> {
        let mut measures: Vec<String> = episode
            .sessions
            .iter()
            .flat_map(|s| &s.responses)
            .filter(|r| self.catalog.get(&r.instrument).is_some_and(|i| i.purpose == Purpose::Outcome))
            .map(|r| r.instrument.clone())
            .collect();
        measures.sort();
        measures.dedup();
        measures
    }
}
