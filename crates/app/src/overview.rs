//! Client overviews: the current episode's outcome and alliance series, its signals and the expected course,
//! with the acknowledgements of those signals. The caseload, the client page, the patterns pages and the
//! acknowledgement of a signal all read them here, so they agree on the episode and on the signals.
//!
//! An overview is computed from every answer of the episode; for a caseload that is most of a page's time, so
//! overviews are kept between requests (see `overview_cache`). Acknowledgements are read fresh every time.

use std::collections::HashMap;
use std::sync::Arc;

use alliance_core::catalog::{RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use alliance_core::domain::Role;
use alliance_core::overview::{ClientOverview, Observation, Respondent, SessionInfo, overview, signal_key};
use alliance_core::practice::PracticeModel;
use alliance_core::recognition::PredictionPair;
use alliance_core::scoring::ResponseFlags;
use alliance_core::triage::{Triage, TriageInput, triage};
use alliance_signals::signal::{Signal, SignalKind};
use alliance_store::{Acknowledgement, Client, ClientId, EpisodeId, Rater, ScorePoint, TherapySession, UserId};
use time::OffsetDateTime;

use crate::overview_cache::Seen;
use crate::{App, AppError};

/// One client's current episode as computed from its data: the overview, the episode (none before the first)
/// and its sessions in order. Kept between requests while the data, the practice model and the day hold.
pub struct EpisodeOverview {
    pub overview: ClientOverview,
    pub episode: Option<EpisodeId>,
    pub sessions: Vec<TherapySession>,
    /// The sessions of the episode the client answered a questionnaire for, in order, with their relationship
    /// check's alliance score: what the patterns pages draw, kept here so that they read nothing more.
    pub client_checks: Vec<SessionCheck>,
    /// The therapist's predictions of the client's check beside what the client said, by session (issue 18).
    pub predictions: Vec<PredictionPair>,
}

/// A session of the episode the client answered something for, and their alliance score then (`None` when the
/// relationship check was not answered or its alliance was missing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionCheck {
    pub session: u32,
    pub alliance: Option<f64>,
}

/// A client's overview with the acknowledgements of its signals (who and when) and, for a named reader, the
/// signals already shown to them; both read fresh.
pub struct ClientStatus {
    overview: Arc<EpisodeOverview>,
    pub acknowledgements: Vec<Acknowledgement>,
    /// Keys of the signals the reader has been shown on this client's page (empty when no reader was named).
    pub seen: Vec<String>,
}

impl std::ops::Deref for ClientStatus {
    type Target = EpisodeOverview;

    fn deref(&self) -> &EpisodeOverview {
        &self.overview
    }
}

impl ClientStatus {
    /// The episode as signal keys name it (0 before the first episode).
    pub fn episode_key(&self) -> i64 {
        self.episode.map_or(0, |e| e.0)
    }

    pub fn acknowledged_keys(&self) -> Vec<&str> {
        self.acknowledgements.iter().map(|a| a.key.as_str()).collect()
    }

    pub fn open_signals(&self) -> Vec<&Signal> {
        self.overview.overview.open_signals(self.episode_key(), &self.acknowledged_keys())
    }

    /// Where the client sorts on a caseload: open signals by severity first.
    pub fn priority(&self) -> (u8, usize) {
        self.overview.overview.priority(self.episode_key(), &self.acknowledged_keys())
    }

    /// The client's triage as of `today` (docs/TRIAGE.md): signal states and the caseload sort key.
    pub fn triage(&self, today: time::Date) -> Triage<'_> {
        let sessions: Vec<(u32, time::Date)> = self.sessions.iter().map(|s| (s.number, s.held_on)).collect();
        let acknowledged: Vec<(&str, OffsetDateTime)> =
            self.acknowledgements.iter().map(|a| (a.key.as_str(), a.at)).collect();
        let seen: Vec<&str> = self.seen.iter().map(String::as_str).collect();
        let input = TriageInput {
            episode: self.episode_key(),
            sessions: &sessions,
            acknowledged: &acknowledged,
            seen: &seen,
            today,
        };
        triage(&self.overview.overview, &input)
    }

    /// Keys of the open signals the reader has not been shown yet: what showing the client's page marks as seen.
    pub fn unseen_keys(&self, today: time::Date) -> Vec<String> {
        let episode = self.episode_key();
        self.triage(today)
            .open()
            .filter(|s| s.state == alliance_core::triage::SignalState::New)
            .map(|s| signal_key(episode, s.signal))
            .collect()
    }

    pub fn acknowledgement_of(&self, signal: &Signal) -> Option<&Acknowledgement> {
        let key = signal_key(self.episode_key(), signal);
        self.acknowledgements.iter().find(|a| a.key == key)
    }

    /// Whether `key` names one of the signals the client has now.
    pub fn has_signal(&self, key: &str) -> bool {
        self.signal(key).is_some()
    }

    /// The signal the client has now that `key` names.
    pub fn signal(&self, key: &str) -> Option<&Signal> {
        self.overview.overview.signals.iter().find(|s| signal_key(self.episode_key(), s) == key)
    }
}

/// Whether a therapist's own reflection may be shown: always to the therapist, to a supervisor only when the
/// therapist took the session to supervision. The private note never leaves the therapist.
pub fn reflection_visible(own: bool, flags: &ResponseFlags) -> bool {
    own || flags.has("supervision")
}

/// The observations of one episode of care, as the overview reads them.
pub fn observations(points: &[&ScorePoint], episode: Option<EpisodeId>) -> Vec<Observation> {
    points
        .iter()
        .filter(|p| Some(p.episode) == episode)
        .map(|p| Observation {
            session: p.session_number,
            instrument: p.instrument.clone(),
            respondent: match p.rater {
                Rater::Client => Respondent::Client,
                Rater::Therapist => Respondent::Therapist,
            },
            scale: p.scale.clone(),
            value: p.value,
            concern: p.concern,
            flags: p.flags.clone(),
        })
        .collect()
}

/// Each reflection of `episode` that predicts the client's check, beside the check when it came (issue 18).
pub fn prediction_pairs(points: &[&ScorePoint], episode: Option<EpisodeId>) -> Vec<PredictionPair> {
    let of_episode = || points.iter().filter(|p| Some(p.episode) == episode);
    let mut pairs: Vec<PredictionPair> = Vec::new();
    for p in of_episode().filter(|p| p.rater == Rater::Therapist && p.instrument == THERAPIST_REFLECTION) {
        if pairs.iter().any(|x| x.session == p.session_number) {
            continue; // one reflection per session, a row per scale
        }
        let predicted_strain = if p.flags.has("predicts-strain") {
            Some(true)
        } else {
            p.flags.has("predicts-no-strain").then_some(false)
        };
        let predicted_rating = of_episode()
            .find(|q| {
                q.session_number == p.session_number
                    && q.rater == Rater::Therapist
                    && q.instrument == THERAPIST_REFLECTION
                    && q.scale == "predicted-alliance"
            })
            .and_then(|q| q.value);
        if predicted_rating.is_none() && predicted_strain.is_none() {
            continue;
        }
        let check = of_episode().find(|q| {
            q.session_number == p.session_number && q.rater == Rater::Client && q.instrument == RELATIONSHIP_CHECK
        });
        let client_rating = of_episode()
            .find(|q| {
                q.session_number == p.session_number
                    && q.rater == Rater::Client
                    && q.instrument == RELATIONSHIP_CHECK
                    && q.scale == "alliance"
            })
            .and_then(|q| q.value)
            .map(alliance_core::recognition::per_item);
        let before_check = match (p.completed_at, check.and_then(|c| c.completed_at)) {
            (Some(reflected), Some(answered)) => reflected < answered,
            // No check yet: whatever comes later comes after the prediction.
            (_, None) => true,
            (None, Some(_)) => false,
        };
        pairs.push(PredictionPair {
            session: p.session_number,
            predicted_rating,
            predicted_strain,
            client_rating,
            client_strain: check.map(|c| c.flags.has("rupture-reported")),
            before_check,
        });
    }
    pairs.sort_by_key(|p| p.session);
    pairs
}

/// The client's own answers of `episode` by session (see [`EpisodeOverview::client_checks`]).
pub fn session_checks(points: &[&ScorePoint], episode: Option<EpisodeId>) -> Vec<SessionCheck> {
    let mut checks: Vec<SessionCheck> = Vec::new();
    let mut of_episode: Vec<&&ScorePoint> =
        points.iter().filter(|p| Some(p.episode) == episode && p.rater == Rater::Client).collect();
    of_episode.sort_by_key(|p| p.session_number);
    for p in of_episode {
        let alliance = (p.instrument == RELATIONSHIP_CHECK && p.scale == "alliance").then_some(p.value).flatten();
        match checks.last_mut() {
            Some(last) if last.session == p.session_number => last.alliance = last.alliance.or(alliance),
            _ => checks.push(SessionCheck { session: p.session_number, alliance }),
        }
    }
    checks
}

impl App {
    /// Overviews for many clients at once: those kept from earlier requests where the client's data, the practice
    /// model and the day are unchanged, the others computed from four bulk queries. `own` says whether the reader
    /// is the clients' own therapist (who sees every reflection) or a supervisor (who sees only those shared for
    /// supervision).
    pub async fn overviews(
        &self,
        clients: &[Client],
        own: bool,
        now: OffsetDateTime,
    ) -> Result<HashMap<ClientId, ClientStatus>, AppError> {
        let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
        // Acknowledgements are read fresh on every view, beside the overviews (kept or computed).
        let (overviews, acknowledged) = tokio::try_join!(self.episode_overviews(clients, own, now), async {
            self.store.acknowledgements(&ids).await.map_err(AppError::from)
        })?;
        let mut acks: HashMap<ClientId, Vec<Acknowledgement>> = HashMap::new();
        for ack in acknowledged {
            acks.entry(ack.client).or_default().push(ack);
        }
        Ok(overviews
            .into_iter()
            .map(|(id, overview)| {
                let acknowledgements = acks.remove(&id).unwrap_or_default();
                (id, ClientStatus { overview, acknowledgements, seen: Vec::new() })
            })
            .collect())
    }

    /// The practice's open signals by kind (every kind, zeros included), over every therapist's clients, as their
    /// own therapist sees them: the census behind the metrics.
    pub async fn open_signals_by_kind(&self, now: OffsetDateTime) -> Result<Vec<(&'static str, u64)>, AppError> {
        let therapists: Vec<UserId> =
            self.store.users().await?.into_iter().filter(|u| u.role == Role::Therapist).map(|u| u.id).collect();
        let clients = self.store.clients_of(&therapists).await?;
        let statuses = self.overviews(&clients, true, now).await?;
        let mut counts: Vec<(&'static str, u64)> = SignalKind::ALL.iter().map(|k| (k.name(), 0)).collect();
        for status in statuses.values() {
            for signal in status.open_signals() {
                if let Some(count) = counts.iter_mut().find(|(name, _)| *name == signal.kind.name()) {
                    count.1 += 1;
                }
            }
        }
        Ok(counts)
    }

    /// [`App::overviews`] as `reader` sees them: with the signals already shown to them marked seen, so that
    /// triage calls the others new (docs/TRIAGE.md#lifecycle).
    pub async fn overviews_for(
        &self,
        reader: UserId,
        clients: &[Client],
        own: bool,
        now: OffsetDateTime,
    ) -> Result<HashMap<ClientId, ClientStatus>, AppError> {
        let mut statuses = self.overviews(clients, own, now).await?;
        let keys: Vec<(ClientId, String)> = statuses
            .iter()
            .flat_map(|(id, status)| {
                let episode = status.episode_key();
                status.overview.overview.signals.iter().map(move |s| (*id, signal_key(episode, s)))
            })
            .collect();
        let asked: Vec<(ClientId, &str)> = keys.iter().map(|(id, key)| (*id, key.as_str())).collect();
        let answers = self.store.seen_by(reader, &asked).await?;
        for ((id, key), seen) in keys.iter().zip(answers) {
            if let (true, Some(status)) = (seen, statuses.get_mut(id)) {
                status.seen.push(key.clone());
            }
        }
        Ok(statuses)
    }

    /// The clients' overviews: kept ones while their revision, the practice model and the day are unchanged, the
    /// others computed (and kept).
    async fn episode_overviews(
        &self,
        clients: &[Client],
        own: bool,
        now: OffsetDateTime,
    ) -> Result<HashMap<ClientId, Arc<EpisodeOverview>>, AppError> {
        let practice = self.practice();
        let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
        // Read before the data an overview is computed from, so that what is kept is at least as new as its revision.
        let revisions: HashMap<ClientId, i64> = self.store.client_revisions(&ids).await?.into_iter().collect();
        let seen = |client: &Client| {
            revisions.get(&client.id).map(|&revision| Seen { revision, practice: &practice, day: now.date() })
        };
        let mut overviews: HashMap<ClientId, Arc<EpisodeOverview>> = HashMap::new();
        let mut missing: Vec<&Client> = Vec::new();
        for client in clients {
            match seen(client).and_then(|seen| self.overviews.get(client, own, seen)) {
                Some(kept) => {
                    overviews.insert(client.id, kept);
                }
                None => missing.push(client),
            }
        }
        if !missing.is_empty() {
            let missing_ids: Vec<ClientId> = missing.iter().map(|c| c.id).collect();
            for (id, fresh) in self.compute(&missing_ids, own, &practice, now).await? {
                if let Some((client, seen)) = missing.iter().find(|c| c.id == id).and_then(|c| Some((*c, seen(c)?))) {
                    self.overviews.put(client, own, seen, fresh.clone());
                }
                overviews.insert(id, fresh);
            }
        }
        Ok(overviews)
    }

    async fn compute(
        &self,
        clients: &[ClientId],
        own: bool,
        practice: &PracticeModel,
        now: OffsetDateTime,
    ) -> Result<Vec<(ClientId, Arc<EpisodeOverview>)>, AppError> {
        let points = self.store.score_points(clients).await?;
        let sessions = self.store.sessions_of(clients).await?;
        let stopped: Vec<ClientId> = self.store.stopped_asking(clients).await?.into_iter().map(|(c, _)| c).collect();
        let current = self.current_episodes(clients).await?;
        let mut by_client: HashMap<ClientId, Vec<&ScorePoint>> = HashMap::new();
        for p in points.iter().filter(|p| p.rater == Rater::Client || reflection_visible(own, &p.flags)) {
            by_client.entry(p.client).or_default().push(p);
        }
        let mut sessions_by: HashMap<ClientId, Vec<TherapySession>> = HashMap::new();
        for s in sessions {
            sessions_by.entry(s.client).or_default().push(s);
        }
        // A check can still arrive while a session's link is valid.
        let pending_since = now.date() - self.link_lifetime;
        let mut result = Vec::with_capacity(clients.len());
        for id in clients {
            let points = by_client.remove(id).unwrap_or_default();
            let own_sessions = sessions_by.remove(id).unwrap_or_default();
            let episode = current.get(id).map(|e| e.id);
            let sessions: Vec<TherapySession> =
                own_sessions.into_iter().filter(|s| Some(s.episode) == episode).collect();
            let infos: Vec<SessionInfo> = sessions
                .iter()
                .map(|s| SessionInfo {
                    number: s.number,
                    attended: s.attended,
                    check_pending: s.held_on >= pending_since,
                })
                .collect();
            let mut overview = overview(&self.catalog, practice, &observations(&points, episode), &infos);
            // The client's own choice not to be asked, told to the therapist as a signal of its own.
            if stopped.contains(id) {
                let latest = sessions.iter().map(|s| s.number).max();
                overview.signals.push(alliance_signals::signal::stopped_asking_signal(latest));
                alliance_signals::signal::order_signals(&mut overview.signals);
            }
            let client_checks = session_checks(&points, episode);
            let predictions = prediction_pairs(&points, episode);
            result.push((*id, Arc::new(EpisodeOverview { overview, episode, sessions, client_checks, predictions })));
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(
        episode: i64,
        session: u32,
        instrument: &str,
        rater: Rater,
        scale: &str,
        value: Option<f64>,
    ) -> ScorePoint {
        ScorePoint {
            client: ClientId(1),
            episode: EpisodeId(episode),
            session_number: session,
            held_on: time::macros::date!(2026 - 01 - 01),
            instrument: instrument.into(),
            rater,
            scale: scale.into(),
            value,
            concern: None,
            flags: ResponseFlags::default(),
            completed_at: None,
        }
    }

    /// Which sessions the client answered and their alliance then: the episode's own, the client's own, in
    /// session order, a missing alliance kept missing and another questionnaire's "alliance" scale ignored.
    #[test]
    fn session_checks_are_the_clients_own_answers_of_the_episode() {
        let points = [
            point(7, 3, RELATIONSHIP_CHECK, Rater::Client, "alliance", Some(21.0)),
            point(7, 1, "phq-9", Rater::Client, "total", Some(14.0)),
            point(7, 1, RELATIONSHIP_CHECK, Rater::Client, "alliance", Some(24.0)),
            point(7, 2, "phq-9", Rater::Client, "total", Some(12.0)),
            point(7, 4, RELATIONSHIP_CHECK, Rater::Client, "alliance", None),
            point(7, 5, "therapist-reflection", Rater::Therapist, "alliance", Some(28.0)),
            point(7, 6, "wai-sr", Rater::Client, "alliance", Some(3.0)),
            point(6, 9, RELATIONSHIP_CHECK, Rater::Client, "alliance", Some(30.0)),
        ];
        let refs: Vec<&ScorePoint> = points.iter().collect();
        let check = |session, alliance| SessionCheck { session, alliance };
        assert_eq!(
            session_checks(&refs, Some(EpisodeId(7))),
            vec![check(1, Some(24.0)), check(2, None), check(3, Some(21.0)), check(4, None), check(6, None)]
        );
        assert_eq!(session_checks(&refs, None), vec![]);
    }

    /// The prediction-versus-rating pairs: the reflection's prediction beside the client's check of the same
    /// session, a prediction saved after the check marked as not blind, a session without prediction left out.
    #[test]
    fn predictions_are_paired_with_the_clients_check_of_the_same_session() {
        let at = |hour| Some(time::macros::datetime!(2026-12-01 00:00 UTC) + time::Duration::hours(hour));
        let flagged = |mut p: ScorePoint, flags: &[&str], hour| {
            p.flags.indicators = flags.iter().map(|f| (*f).to_owned()).collect();
            p.completed_at = at(hour);
            p
        };
        let points = [
            flagged(
                point(7, 2, THERAPIST_REFLECTION, Rater::Therapist, "alliance", Some(24.0)),
                &["predicts-strain"],
                1,
            ),
            flagged(
                point(7, 2, THERAPIST_REFLECTION, Rater::Therapist, "predicted-alliance", Some(4.0)),
                &["predicts-strain"],
                1,
            ),
            flagged(point(7, 2, RELATIONSHIP_CHECK, Rater::Client, "alliance", Some(21.0)), &["rupture-reported"], 2),
            // Session 3: the reflection was saved after the check arrived.
            flagged(
                point(7, 3, THERAPIST_REFLECTION, Rater::Therapist, "predicted-alliance", Some(5.0)),
                &["predicts-no-strain"],
                9,
            ),
            flagged(point(7, 3, RELATIONSHIP_CHECK, Rater::Client, "alliance", Some(30.0)), &[], 8),
            // Session 4: a reflection without a prediction.
            flagged(point(7, 4, THERAPIST_REFLECTION, Rater::Therapist, "alliance", Some(20.0)), &[], 1),
            // Session 5: a prediction, no check yet.
            flagged(point(7, 5, THERAPIST_REFLECTION, Rater::Therapist, "predicted-alliance", Some(3.0)), &[], 1),
        ];
        let refs: Vec<&ScorePoint> = points.iter().collect();
        let pairs = prediction_pairs(&refs, Some(EpisodeId(7)));
        let seen: Vec<_> = pairs
            .iter()
            .map(|p| {
                (p.session, p.predicted_rating, p.predicted_strain, p.client_rating, p.client_strain, p.before_check)
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (2, Some(4.0), Some(true), Some(3.5), Some(true), true),
                (3, Some(5.0), Some(false), Some(5.0), Some(false), false),
                (5, Some(3.0), None, None, None, true),
            ]
        );
    }
}
