//! `Store::practice_input` gives exactly the series the practice model used to derive from `score_points`.

use std::collections::BTreeMap;

use alliance_core::domain::Role;
use alliance_core::scoring::{ResponseFlags, ScaleScore};
use alliance_store::*;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

use crate::conformance::{ev, therapist};

const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

/// The old path, kept as the oracle: every client of a therapist account, all their score points, each client's
/// current episode (the one opened last), and of it the client's own PHQ-9 totals and relationship-check alliance
/// scores.
async fn from_score_points(store: &dyn Store) -> Vec<PracticeSeries> {
    let therapists: Vec<UserId> =
        store.users().await.unwrap().into_iter().filter(|u| u.role == Role::Therapist).map(|u| u.id).collect();
    let clients = store.clients_of(&therapists).await.unwrap();
    let ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
    let points = store.score_points(&ids).await.unwrap();
    let mut latest: BTreeMap<ClientId, EpisodeId> = BTreeMap::new();
    for client in &ids {
        for episode in store.episodes(*client).await.unwrap() {
            let e = latest.entry(*client).or_insert(episode.id);
            *e = (*e).max(episode.id);
        }
    }
    let mut series: BTreeMap<ClientId, PracticeSeries> = BTreeMap::new();
    for p in points.iter().filter(|p| p.rater == Rater::Client && latest.get(&p.client) == Some(&p.episode)) {
        let Some(value) = p.value else { continue };
        let outcome = p.instrument == "phq9" && p.scale == "total";
        let alliance = p.instrument == "relationship-check" && p.scale == "alliance";
        if !(outcome || alliance) {
            continue;
        }
        let therapist = clients.iter().find(|c| c.id == p.client).unwrap().therapist;
        let s = series.entry(p.client).or_insert_with(|| PracticeSeries {
            client: p.client,
            therapist,
            episode: p.episode,
            outcome: Vec::new(),
            alliance: Vec::new(),
        });
        if outcome {
            s.outcome.push((p.session_number, value));
        } else {
            s.alliance.push(value);
        }
    }
    series.into_values().collect()
}

fn scored(admin: Option<AdministrationId>, scales: &[(&str, Option<f64>)]) -> NewResponse {
    NewResponse {
        administration: admin,
        answers: crate::answers("{}"),
        flags: ResponseFlags::default(),
        scores: scales
            .iter()
            .map(|(scale, value)| ScaleScore {
                scale: (*scale).into(),
                value: *value,
                answered: 1,
                missing: 0,
                prorated: false,
                band: None,
                concern: None,
            })
            .collect(),
    }
}

struct Practice<'a> {
    store: &'a dyn Store,
    links: u32,
}

impl Practice<'_> {
    async fn client(&self, therapist: UserId) -> ClientId {
        let client = NewClient { therapist, pseudonym: "Practice Wren".into(), contact: None };
        self.store.create_client(client, ev(), NOW).await.unwrap()
    }

    async fn episode(&self, client: ClientId, started_on: Date) -> EpisodeId {
        let therapist = self.store.client(client).await.unwrap().unwrap().therapist;
        let episode = NewEpisode { client, therapist, started_on, measures: vec!["phq9".into(), "gad7".into()] };
        self.store.open_episode(episode, ev(), NOW).await.unwrap()
    }

    /// A session with the client's answers: (instrument, scales) in the order asked.
    async fn session(&mut self, episode: EpisodeId, held_on: Date, client: Answers) -> SessionId {
        let session = self.store.record_session(NewSession { episode, held_on, attended: true }, ev(), NOW).await;
        let session = session.unwrap().id;
        if client.is_empty() {
            return session;
        }
        self.links += 1;
        let token_hash = format!("practice-input-{}", self.links).into_bytes();
        let instruments = client.iter().map(|(id, _)| InstrumentRef { id: (*id).into(), version: 1 }).collect();
        let link =
            NewLink { session, token_hash: token_hash.clone(), expires_at: NOW + Duration::hours(1), instruments };
        self.store.create_link(link, ev(), NOW).await.unwrap();
        let view = self.store.link_by_token(&token_hash, NOW).await.unwrap().unwrap();
        let answers =
            view.administrations.iter().zip(&client).map(|(a, (_, scales))| scored(Some(a.id), scales)).collect();
        self.store.submit_link(&token_hash, answers, ev(), NOW).await.unwrap().unwrap();
        session
    }

    async fn therapist_check(&self, session: SessionId, alliance: f64) {
        let instrument = InstrumentRef { id: "relationship-check".into(), version: 1 };
        let response = scored(None, &[("alliance", Some(alliance)), ("bond", Some(1.0))]);
        self.store.save_therapist_response(session, instrument, response, ev(), NOW).await.unwrap();
    }
}

/// The client's questionnaires of a session: (instrument, [(scale, value)]) in the order asked.
type Answers = Vec<(&'static str, Vec<(&'static str, Option<f64>)>)>;

/// Both the client's checks of a session, with the relationship check's alliance and other scales.
fn both(alliance: Option<f64>, phq9: Option<f64>) -> Answers {
    vec![
        ("relationship-check", vec![("goals", Some(3.0)), ("alliance", alliance), ("bond", Some(4.0))]),
        ("phq9", vec![("total", phq9)]),
    ]
}

pub async fn practice_input_matches_score_points(store: &dyn Store) {
    let t1 = therapist(store, "practice-1@example.org").await;
    let t2 = therapist(store, "practice-2@example.org").await;
    let supervisor = NewUser {
        email: "practice-s@example.org".into(),
        display_name: "S".into(),
        role: Role::Supervisor,
        password_hash: "h".into(),
        must_change_password: false,
    };
    let supervisor = store.create_user(supervisor, ev(), NOW).await.unwrap();
    let mut p = Practice { store, links: 0 };

    // Two episodes: the later one counts. Its second session is dated before its first, and sessions are in
    // date order. The therapist's own checks and the GAD-7 are left out, and so is a missing value.
    let two = p.client(t1).await;
    let first = p.episode(two, date!(2026 - 01 - 05)).await;
    for week in 0..4 {
        let s = p.session(first, date!(2026 - 01 - 05) + Duration::weeks(week), both(Some(20.0), Some(15.0))).await;
        p.therapist_check(s, 25.0).await;
    }
    let later = p.episode(two, date!(2026 - 06 - 01)).await;
    let s1 = p.session(later, date!(2026 - 06 - 08), both(Some(21.0), Some(18.0))).await;
    p.therapist_check(s1, 26.0).await;
    p.session(later, date!(2026 - 06 - 01), both(Some(22.0), None)).await;
    let third = vec![("gad7", vec![("total", Some(9.0))]), ("phq9", vec![("total", Some(12.0))])];
    p.session(later, date!(2026 - 06 - 15), third).await;

    // A new episode without scores yet: the client is in it now, and it gives nothing yet.
    let waiting = p.client(t1).await;
    let scored_episode = p.episode(waiting, date!(2026 - 02 - 02)).await;
    p.session(scored_episode, date!(2026 - 02 - 02), both(Some(19.0), Some(20.0))).await;
    let unscored = p.episode(waiting, date!(2026 - 09 - 01)).await;
    p.session(unscored, date!(2026 - 09 - 01), vec![]).await;

    // A latest episode with only the therapist's check: nothing of the client's counts.
    let therapist_only = p.client(t2).await;
    let old = p.episode(therapist_only, date!(2026 - 01 - 05)).await;
    p.session(old, date!(2026 - 01 - 05), both(Some(20.0), Some(10.0))).await;
    let new = p.episode(therapist_only, date!(2026 - 05 - 04)).await;
    let s = p.session(new, date!(2026 - 05 - 04), vec![]).await;
    p.therapist_check(s, 28.0).await;

    // The relationship check only.
    let alliance_only = p.client(t2).await;
    let e = p.episode(alliance_only, date!(2026 - 03 - 02)).await;
    let check = || vec![("relationship-check", vec![("alliance", Some(17.0))])];
    p.session(e, date!(2026 - 03 - 02), check()).await;
    p.session(e, date!(2026 - 03 - 09), check()).await;

    // A client of a supervisor's account does not count.
    let elsewhere = p.client(supervisor).await;
    let e = p.episode(elsewhere, date!(2026 - 03 - 02)).await;
    p.session(e, date!(2026 - 03 - 02), both(Some(20.0), Some(10.0))).await;

    let input = store.practice_input().await.unwrap();
    assert_eq!(input, from_score_points(store).await, "the same series as the old path, for the whole store");
    let of = |client: ClientId| input.iter().find(|s| s.client == client).cloned();
    let expected = PracticeSeries {
        client: two,
        therapist: t1,
        episode: later,
        outcome: vec![(1, 18.0), (3, 12.0)],
        alliance: vec![22.0, 21.0],
    };
    assert_eq!(of(two), Some(expected), "the later episode, in date order, the client's own scores only");
    assert_eq!(of(waiting), None, "the current episode has no scores yet: {scored_episode:?} is over");
    assert_eq!(of(therapist_only), None);
    let alliance_series = of(alliance_only).unwrap();
    assert_eq!((alliance_series.outcome.len(), alliance_series.alliance), (0, vec![17.0, 17.0]));
    assert_eq!(of(elsewhere), None);
    assert!(input.windows(2).all(|w| w[0].client < w[1].client), "by client");
}
