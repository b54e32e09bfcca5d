//! The demo practice's partnership (issue 16): each client agrees two goals in their first session and a task in
//! every session; each check rates the goals and reports on the task of the session before. The ratings follow
//! the client's PHQ-9 (progress on goals rises as symptoms fall), so the demo's goal charts tell the same story
//! as its outcome charts.

use alliance_core::partnership::{EventKind, EventNoteText, GoalRating, GoalText, ProposedBy, TaskDone, TaskText};
use alliance_store::prelude::*;
use alliance_store::{AuditEvent, CheckExtras, EpisodeId, GoalId, NewEventNote, NewTaskReport, TaskId, TherapySession};
use anyhow::anyhow;
use time::OffsetDateTime;

const GOALS: [(&str, &str); 4] = [
    ("To sleep through most nights", "To go back to work part-time"),
    ("To feel less on edge with people", "To enjoy cooking again"),
    ("To get out of bed before nine", "To call my sister every week"),
    ("To stop avoiding the supermarket", "To argue less at home"),
];
const TASKS: [&str; 4] = [
    "A twenty-minute walk on three days",
    "Write down one thing that went well each evening",
    "Notice when I start to avoid, and stay a minute longer",
    "Go to bed at the same time every night",
];

fn demo(at: OffsetDateTime, kind: &'static str) -> AuditEvent {
    AuditEvent::system(at, "create", kind, "demo practice")
}

/// One demo client's goals and the task waiting for the next check.
pub struct DemoPartnership {
    client: usize,
    goals: Vec<GoalId>,
    waiting: Option<TaskId>,
    first_phq: Option<f64>,
    last_phq: Option<f64>,
    /// The client's first answered check records their consent.
    consented: bool,
}

impl DemoPartnership {
    /// The two goals agreed in the first session.
    pub async fn begin(
        store: &dyn Store,
        episode: EpisodeId,
        client: usize,
        at: OffsetDateTime,
    ) -> anyhow::Result<Self> {
        let (a, b) = GOALS[client % GOALS.len()];
        let mut goals = Vec::new();
        for text in [a, b] {
            let text = GoalText::parse(text).map_err(|e| anyhow!("demo goal: {e}"))?;
            goals.push(store.add_goal(episode, &text, ProposedBy::Therapist, None, demo(at, "goal"), at).await?);
        }
        Ok(Self { client, goals, waiting: None, first_phq: None, last_phq: None, consented: false })
    }

    /// What the check of the session at `position` carries: the goals rated from the PHQ-9 total, and the report on
    /// the task agreed the session before.
    pub fn extras(&mut self, phq: Option<f64>, position: usize) -> CheckExtras {
        // A check without the PHQ-9 (not due) rates the goals as the last one that had it.
        let phq = phq.or(self.last_phq).unwrap_or(0.0);
        self.last_phq = Some(phq);
        let first = *self.first_phq.get_or_insert(phq);
        let relief = if first > 0.0 { 1.0 - phq / first } else { 0.0 };
        let base = (3.0 + 7.0 * relief).round().clamp(0.0, 10.0) as u8;
        let ratings = [base, base.saturating_sub(1) + (position % 2) as u8];
        let goal_ratings = self
            .goals
            .iter()
            .zip(ratings)
            .filter_map(|(goal, r)| Some((*goal, GoalRating::parse(&r.min(10).to_string()).ok()?)))
            .collect();
        let task_reports = self
            .waiting
            .take()
            .map(|task| {
                let done = [TaskDone::Yes, TaskDone::Partly, TaskDone::No][(self.client + position) % 3];
                let obstacle = (done == TaskDone::No).then(|| "Hard to find the time this week".to_owned());
                NewTaskReport { task, done, obstacle }
            })
            .into_iter()
            .collect();
        // Every demo client agreed to the current text; one in five declined the research use.
        let consent = (!std::mem::replace(&mut self.consented, true)).then_some(alliance_store::NewConsent {
            version: alliance_core::partnership::CONSENT_VERSION,
            research: self.client % 5 != 4,
        });
        CheckExtras { goal_ratings, task_reports, consent }
    }

    /// The task agreed in this session, reported on at the next check; and, for every fourth client, a note of a
    /// medication change at their third session.
    pub async fn after_session(
        &mut self,
        store: &dyn Store,
        session: &TherapySession,
        client_id: alliance_store::ClientId,
        at: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let text = TaskText::parse(TASKS[(self.client + session.number as usize) % TASKS.len()])
            .map_err(|e| anyhow!("demo task: {e}"))?;
        self.waiting = Some(store.add_task(session.id, &text, None, demo(at, "task"), at).await?);
        if self.client.is_multiple_of(4) && session.number == 3 {
            let text = EventNoteText::parse("Started an antidepressant (prescribed by the GP)")
                .map_err(|e| anyhow!("demo note: {e}"))?;
            let note = NewEventNote { on: session.held_on, kind: EventKind::Medication, text };
            store.add_event_note(client_id, &note, None, demo(at, "event-note"), at).await?;
        }
        Ok(())
    }
}
