//! The demo practice's clinical support (issue 18), derived from the generated practice without drawing any
//! more random numbers (so the practice itself is unchanged):
//! - each reflection predicts the client's check from the therapist's own view: the rating as their alliance
//!   mean per item, a strain when they noticed one;
//! - each client planted as not on track is asked the barrier check at their second-last session, answered from
//!   their state then;
//! - after every other strain a client reports, the therapist records a repair matched to its kind at the next
//!   session.

use alliance_core::scoring::{Answer, Answers};
use alliance_core::simulate::{SimClient, SimSession};
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, BarrierReason, EpisodeId, NewRepairAttempt, UserId};
use time::OffsetDateTime;

fn demo(at: OffsetDateTime, kind: &'static str) -> AuditEvent {
    AuditEvent::system(at, "create", kind, "demo practice")
}

fn value(answers: &Answers, id: &str) -> Option<f64> {
    match answers.get(id) {
        Some(Answer::Value(v)) => Some(*v),
        _ => None,
    }
}

fn choice<'a>(answers: &'a Answers, id: &str) -> Option<&'a str> {
    match answers.get(id) {
        Some(Answer::Choice(c)) => Some(c.as_str()),
        _ => None,
    }
}

/// The reflection with the therapist's prediction of the client's check added.
pub fn with_prediction(reflection: &Answers) -> Answers {
    let mut answers = reflection.clone();
    let items = ["goals-1", "goals-2", "tasks-1", "tasks-2", "bond-1", "bond-2"];
    let own: Vec<f64> = items.iter().filter_map(|id| value(reflection, id)).collect();
    if !own.is_empty() {
        let mean = own.iter().sum::<f64>() / own.len() as f64;
        answers.insert("predicted-alliance".into(), Answer::Value(mean.round().clamp(1.0, 5.0)));
    }
    let strain = if choice(reflection, "rupture") == Some("yes") { "yes" } else { "no" };
    answers.insert("predicted-strain".into(), Answer::Choice(strain.into()));
    answers
}

/// The session (index) at which a client planted as not on track is asked the barrier check.
pub fn barrier_session(sim: &SimClient) -> Option<usize> {
    (sim.not_on_track && sim.sessions.len() >= 3).then(|| sim.sessions.len() - 2)
}

/// Asks the barrier check for the episode, as the therapist would on seeing the client off track.
pub async fn request_barrier(
    store: &dyn Store,
    episode: EpisodeId,
    therapist: UserId,
    at: OffsetDateTime,
) -> anyhow::Result<()> {
    store.request_barrier_check(episode, BarrierReason::NotOnTrack, therapist, demo(at, "barrier-check"), at).await?;
    Ok(())
}

/// A not-on-track client's barrier answers: the relationship as their check rates it, readiness lower the more
/// their symptoms have worsened, support by their position in the practice, and a hard event for every other one.
pub fn barrier_answers(index: usize, sim: &SimClient, session: &SimSession) -> Answers {
    let check_mean = session
        .check
        .as_ref()
        .map(|c| {
            let v: Vec<f64> = ["goals-1", "tasks-1", "bond-1"].iter().filter_map(|id| value(c, id)).collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        })
        .unwrap_or(4.0);
    let alliance = check_mean.round().clamp(1.0, 5.0);
    let worse = session.number > 1 && sim.log_slope > 0.0;
    let motivation = if worse { 3.0 } else { 4.0 };
    let support = if index.is_multiple_of(3) { 2.0 } else { 4.0 };
    let mut a = Answers::new();
    for (id, v) in [
        ("alliance-1", alliance),
        ("alliance-2", (alliance + 1.0).min(5.0)),
        ("motivation-1", motivation),
        ("motivation-2", motivation + 1.0),
        ("support-1", support),
        ("support-2", support + 1.0),
    ] {
        a.insert(id.into(), Answer::Value(v));
    }
    if index.is_multiple_of(2) {
        a.insert("life-event".into(), Answer::Choice("yes".into()));
        a.insert("life-event-kind".into(), Answer::Choices(vec!["work-money".into()]));
        a.insert("life-event-impact".into(), Answer::Value(3.0));
    } else {
        a.insert("life-event".into(), Answer::Choice("no".into()));
    }
    a
}

/// After a strain the client reported at `reported` (every other one, counted in `strains`), the repair tried at
/// the next session, matched to the strain's kind.
pub async fn repair_after(
    store: &dyn Store,
    episode: EpisodeId,
    therapist: UserId,
    reported: (u32, &Answers),
    strains: &mut usize,
    at: OffsetDateTime,
) -> anyhow::Result<()> {
    let (session, check) = reported;
    if choice(check, "rupture") != Some("yes") {
        return Ok(());
    }
    *strains += 1;
    if (*strains).is_multiple_of(2) {
        return Ok(());
    }
    let strategy = match check.get("rupture-kind") {
        Some(Answer::Choices(kinds)) if kinds.iter().any(|k| k == "confrontation") => "acknowledge-part",
        Some(Answer::Choices(kinds)) if kinds.iter().any(|k| k == "withdrawal") => "name-withdrawal",
        _ => "metacommunicate",
    };
    let attempt = NewRepairAttempt {
        episode,
        rupture_session: session,
        tried_session: session + 1,
        strategy: strategy.into(),
        note: None,
    };
    store.record_repair_attempt(&attempt, therapist, demo(at, "repair-attempt"), at).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_demo_prediction_follows_the_therapists_own_view() {
        let mut reflection = Answers::new();
        for (id, v) in [("goals-1", 4.0), ("goals-2", 5.0), ("tasks-1", 4.0), ("tasks-2", 4.0), ("bond-1", 5.0)] {
            reflection.insert(id.into(), Answer::Value(v));
        }
        reflection.insert("rupture".into(), Answer::Choice("yes".into()));
        let predicted = with_prediction(&reflection);
        assert_eq!(predicted.get("predicted-alliance"), Some(&Answer::Value(4.0)), "mean 4.4, rounded");
        assert_eq!(predicted.get("predicted-strain"), Some(&Answer::Choice("yes".into())));
        reflection.insert("rupture".into(), Answer::Choice("no".into()));
        assert_eq!(with_prediction(&reflection).get("predicted-strain"), Some(&Answer::Choice("no".into())));
    }
}
