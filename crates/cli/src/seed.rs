//! Loads a synthetic practice into a store through the same path real data takes: links are created and
//! submitted, reflections saved, every answer scored by the instrument definitions.

use alliance_core::catalog::{BARRIER_CHECK, Catalog, GAD7, PHQ9, RELATIONSHIP_CHECK, THERAPIST_REFLECTION};
use alliance_core::domain::{NewPassword, Role};
use alliance_core::schedule::Schedule;
use alliance_core::scoring::{Answers, score};
use alliance_core::simulate::SimPractice;
use alliance_store::prelude::*;
use alliance_store::{InstrumentRef, NewClient, NewEpisode, NewLink, NewResponse, NewSession, NewUser, UserId};
use anyhow::{Context, anyhow};

use crate::seed_partnership::DemoPartnership;
use crate::{seed_supervision, seed_support};
use time::{Date, Duration, OffsetDateTime, Time};

pub struct Account {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

pub struct Seeded {
    pub accounts: Vec<Account>,
    /// An unanswered link for the latest session of one client, to try the client's check.
    pub sample_token: Option<String>,
    pub clients: usize,
    pub sessions: usize,
    /// Questions per check, (median as scheduled, median with every questionnaire at every session).
    pub questions: (f64, f64),
}

const THERAPIST_NAMES: [&str; 5] = ["Taylor Reed", "Jordan Lee", "Morgan Diaz", "Casey Brandt", "Riley Okafor"];

fn response(catalog: &Catalog, id: &str, answers: &Answers) -> anyhow::Result<NewResponse> {
    let ins = catalog.get(id).ok_or_else(|| anyhow!("instrument {id} missing"))?;
    let scores = score(ins, answers).with_context(|| format!("synthetic answers for {id}"))?;
    Ok(NewResponse { administration: None, answers: answers.clone(), flags: scores.flags, scores: scores.scales })
}

fn instrument(catalog: &Catalog, id: &str) -> anyhow::Result<InstrumentRef> {
    let ins = catalog.get(id).ok_or_else(|| anyhow!("instrument {id} missing"))?;
    Ok(InstrumentRef { id: ins.id.clone(), version: ins.version })
}

async fn account(
    store: &dyn Store,
    email: &str,
    name: &str,
    role: Role,
    now: OffsetDateTime,
) -> anyhow::Result<(UserId, Account)> {
    let password = NewPassword::generate(&mut rand::rng()).expose().to_owned();
    let hash = alliance_web::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
    let id = store
        .create_user(
            NewUser {
                email: email.into(),
                display_name: name.into(),
                role,
                password_hash: hash,
                must_change_password: false,
            },
            loaded(now, "account"),
            now,
        )
        .await?;
    Ok((id, Account { email: email.into(), name: name.into(), role, password }))
}

/// The audit entry of a demo write: done by Alliance itself, for the demo.
fn loaded(at: OffsetDateTime, kind: &'static str) -> alliance_store::AuditEvent {
    alliance_store::AuditEvent::system(at, "create", kind, "demo practice")
}

fn submitted(at: OffsetDateTime) -> alliance_store::AuditEvent {
    alliance_store::AuditEvent {
        at,
        actor: None,
        actor_role: None,
        action: "client-submitted",
        object_kind: "session",
        object_id: None,
        purpose: "care",
        address: None,
    }
}

pub async fn seed(
    store: &dyn Store,
    catalog: &Catalog,
    practice: &SimPractice,
    now: OffsetDateTime,
    schedule: &Schedule,
) -> anyhow::Result<Seeded> {
    let today: Date = now.date();
    let mut accounts = Vec::new();
    let (_, admin) = account(store, "admin@demo.invalid", "Practice Administrator", Role::Administrator, now).await?;
    accounts.push(admin);
    let (supervisor, sup) = account(store, "supervisor@demo.invalid", "Sam Supervisor", Role::Supervisor, now).await?;
    accounts.push(sup);
    let (_, researcher) = account(store, "researcher@demo.invalid", "Rae Researcher", Role::Researcher, now).await?;
    accounts.push(researcher);
    let mut therapists = Vec::new();
    for (i, _) in practice.therapists.iter().enumerate() {
        let name = THERAPIST_NAMES[i % THERAPIST_NAMES.len()];
        let (id, acc) = account(store, &format!("therapist{}@demo.invalid", i + 1), name, Role::Therapist, now).await?;
        store.add_supervision(supervisor, id, loaded(now, "supervision")).await?;
        therapists.push(id);
        accounts.push(acc);
    }
    let measures: Vec<String> = [RELATIONSHIP_CHECK, PHQ9, GAD7].map(String::from).to_vec();
    // Questions a check asks: the items always shown (not the follow-ups, asked after a particular answer).
    let questions_of = |ids: &[&String]| -> usize {
        ids.iter()
            .filter_map(|id| catalog.get(id))
            .map(|i| i.items.iter().filter(|it| it.shown_if.is_none()).count())
            .sum()
    };
    let every: Vec<&String> = measures.iter().collect();
    let (mut asked, mut unscheduled) = (Vec::new(), Vec::new());
    let reflection = instrument(catalog, THERAPIST_REFLECTION)?;
    let mut sample_token = None;
    let mut sessions = 0;
    let mut courses: Vec<seed_supervision::Course> = Vec::new();
    for (index, sim) in practice.clients.iter().enumerate() {
        let therapist = *therapists.get(sim.therapist).ok_or_else(|| anyhow!("therapist index out of range"))?;
        let client = store
            .create_client(
                NewClient { therapist, pseudonym: sim.pseudonym.clone(), contact: None },
                loaded(now, "client"),
                now,
            )
            .await?;
        let first_day = sim.sessions.first().map_or(0, |s| s.days_ago);
        let episode = store
            .open_episode(
                NewEpisode {
                    client,
                    therapist,
                    started_on: today - Duration::days(first_day),
                    measures: vec![PHQ9.into(), GAD7.into()],
                },
                loaded(now, "episode"),
                now,
            )
            .await?;
        let mut partnership = None;
        let mut course = seed_supervision::Course { client, therapist, sessions: Vec::new() };
        let barrier_at = seed_support::barrier_session(sim);
        let mut strains = 0;
        for (position, s) in sim.sessions.iter().enumerate() {
            let held_on = today - Duration::days(s.days_ago);
            let at = held_on.with_time(Time::from_hms(17, 0, 0)?).assume_utc();
            let session = store
                .record_session(NewSession { episode, held_on, attended: true }, loaded(at, "session"), at)
                .await?;
            let partnership = match &mut partnership {
                Some(p) => p,
                None => partnership.insert(DemoPartnership::begin(store, episode, index, at).await?),
            };
            sessions += 1;
            course.sessions.push((session.id, held_on));
            let token = alliance_web::new_token();
            let hash = alliance_web::hash_token(&token);
            let due = schedule.due(&measures, session.number);
            asked.push(questions_of(&due) as f64);
            unscheduled.push(questions_of(&every) as f64);
            let mut instruments: Vec<InstrumentRef> =
                due.iter().map(|id| instrument(catalog, id)).collect::<anyhow::Result<_>>()?;
            let barrier = (barrier_at == Some(position)).then(|| seed_support::barrier_answers(index, sim, s));
            if barrier.is_some() {
                seed_support::request_barrier(store, episode, therapist, at - Duration::hours(1)).await?;
                instruments.push(instrument(catalog, BARRIER_CHECK)?);
            }
            let previous = position.checked_sub(1).and_then(|p| sim.sessions.get(p));
            if let Some((previous, Some(check))) = previous.map(|p| (p, &p.check)) {
                seed_support::repair_after(store, episode, therapist, (previous.number, check), &mut strains, at)
                    .await?;
            }
            let link = NewLink {
                session: session.id,
                token_hash: hash.clone(),
                expires_at: at + alliance_core::domain::DEFAULT_LINK_LIFETIME,
                instruments,
            };
            store.create_link(link, loaded(at, "link"), at).await?;
            let is_last = position + 1 == sim.sessions.len();
            // Leave the very latest session of the first client still in care open, so a newcomer can answer
            // it (earlier clients may have ended or dropped out).
            if sample_token.is_none() && is_last && s.days_ago < 3 {
                sample_token = Some(token);
            } else if let Some(check) = &s.check {
                let view = store.link_by_token(&hash, at).await?.ok_or_else(|| anyhow!("link vanished"))?;
                let mut responses = Vec::new();
                for admin in &view.administrations {
                    let answers = match (admin.instrument.id.as_str(), &barrier) {
                        (RELATIONSHIP_CHECK, _) => check,
                        (PHQ9, _) => &s.phq9,
                        (BARRIER_CHECK, Some(barrier)) => barrier,
                        _ => &s.gad7,
                    };
                    let mut r = response(catalog, &admin.instrument.id, answers)?;
                    r.administration = Some(admin.id);
                    responses.push(r);
                }
                let phq = responses
                    .iter()
                    .zip(&view.administrations)
                    .find(|(_, a)| a.instrument.id == PHQ9)
                    .and_then(|(r, _)| r.scores.iter().find(|x| x.scale == "total").and_then(|x| x.value));
                let extras = partnership.extras(phq, position);
                store
                    .submit_check(&hash, responses, extras, submitted(at), at + Duration::minutes(20))
                    .await?
                    .map_err(|e| anyhow!("link {e:?}"))?;
            }
            partnership.after_session(store, &session, client, at).await?;
            store
                .save_therapist_response(
                    session.id,
                    reflection.clone(),
                    response(catalog, THERAPIST_REFLECTION, &seed_support::with_prediction(&s.reflection))?,
                    loaded(at, "reflection"),
                    at,
                )
                .await?;
        }
        courses.push(course);
    }
    seed_supervision::seed(store, supervisor, &courses, today, now).await?;
    crate::seed_transcripts::seed(store, &courses, now).await?;
    let questions = (median(&mut asked), median(&mut unscheduled));
    Ok(Seeded { accounts, sample_token, clients: practice.clients.len(), sessions, questions })
}

/// The median of the values (0 for none).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// A diligent therapist's past (issue 13, item 4): every signal about a session more than two weeks old was
/// acknowledged two days after that session, risk included; those of the last two weeks are still open, as on a
/// Monday morning, and those older than three days have been seen (so only the newest read as new). Returns how
/// many were acknowledged.
pub async fn acknowledge_past(state: &alliance_web::AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let therapists: Vec<UserId> =
        state.store.users().await?.iter().filter(|u| u.role == Role::Therapist).map(|u| u.id).collect();
    let clients = state.store.clients_of(&therapists).await?;
    let statuses = state.app.overviews(&clients, true, now).await?;
    let open_since = now.date() - Duration::days(14);
    let seen_before = now.date() - Duration::days(3);
    let mut acknowledged = 0;
    for client in &clients {
        let Some(status) = statuses.get(&client.id) else { continue };
        for signal in &status.overview.signals {
            let held = status.sessions.iter().find(|s| Some(s.number) == signal.session).map(|s| s.held_on);
            let Some(held) = held.filter(|d| *d < seen_before) else { continue };
            if signal.severity < alliance_signals::signal::Severity::Notice {
                continue;
            }
            let at = (held + Duration::days(2)).with_time(Time::from_hms(9, 0, 0)?).assume_utc();
            let key = alliance_core::overview::signal_key(status.episode_key(), signal);
            if held < open_since {
                state.store.acknowledge(client.id, &key, client.therapist, loaded(at, "acknowledgement"), at).await?;
                acknowledged += 1;
            } else {
                // Open, but the therapist has looked since: only the last days' signals are new on Monday morning.
                state.store.mark_seen(client.id, std::slice::from_ref(&key), client.therapist, at.min(now)).await?;
            }
        }
    }
    Ok(acknowledged)
}

/// A figure as the demo prints it: no trailing ".0".
pub fn number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 { format!("{}", value.round() as i64) } else { format!("{value:.1}") }
}
