//! What a client's check asks besides questionnaires (issue 16): a rating of each agreed goal of the episode, and
//! whether each task agreed in an earlier session was done. Their fields are named `goal-ID` and `task-ID`
//! (`task-ID-obstacle` for what got in the way), apart from the questionnaires' `INSTRUMENT.ITEM`.

use std::collections::HashMap;

use alliance_core::partnership::{CONSENT_VERSION, GoalRating, GoalStatus, Obstacle, TaskDone};
use alliance_store::{CheckExtras, Goal, LinkView, NewConsent, NewTaskReport, Task};

use crate::{App, AppError};

/// The goals and tasks a check asks about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckPartner {
    /// The episode's agreed goals, oldest first.
    pub goals: Vec<Goal>,
    /// Tasks agreed in an earlier session of the episode and not reported on yet.
    pub tasks: Vec<Task>,
    /// The client has not been shown the current consent text yet: the check shows it in full, asks about the
    /// research use, and records the consent with the answers.
    pub consent_due: bool,
    /// The client's therapist has a supervisor (the consent text says who sees the answers).
    pub supervised: bool,
}

impl CheckPartner {
    pub fn is_empty(&self) -> bool {
        self.goals.is_empty() && self.tasks.is_empty()
    }
}

/// The partnership fields as given, for showing the form again, and which of them need fixing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartnerForm {
    pub values: HashMap<String, String>,
    pub errors: Vec<String>,
}

impl PartnerForm {
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e == field)
    }
}

pub fn goal_field(goal: &Goal) -> String {
    format!("goal-{}", goal.id)
}

pub fn task_field(task: &Task) -> String {
    format!("task-{}", task.id)
}

pub fn obstacle_field(task: &Task) -> String {
    format!("task-{}-obstacle", task.id)
}

/// Whether a field belongs to the partnership part of the form.
pub fn is_partner_field(name: &str) -> bool {
    name.starts_with("goal-") || name.starts_with("task-") || name == CONSENT_FIELD
}

/// The check's research question: `yes` or `no`, shown with the consent text.
pub const CONSENT_FIELD: &str = "consent-research";

/// Reads the partnership fields: every agreed goal rated 0 to 10, every task due answered yes, partly or no, and
/// what got in the way at most [`Obstacle::MAX`] characters. A field naming another goal or task is refused
/// outright (`UnknownField`: no form of ours sends it).
pub fn read_partner(
    partner: &CheckPartner,
    fields: &[(&str, &str)],
) -> Result<Result<CheckExtras, PartnerForm>, AppError> {
    let mut known: Vec<String> = partner.goals.iter().map(goal_field).collect();
    known.push(CONSENT_FIELD.to_owned());
    for task in &partner.tasks {
        known.push(task_field(task));
        known.push(obstacle_field(task));
    }
    let mut form = PartnerForm::default();
    for (name, value) in fields.iter().filter(|(name, _)| is_partner_field(name)) {
        if !known.iter().any(|k| k == name) {
            return Err(AppError::UnknownField);
        }
        if form.values.insert((*name).to_owned(), (*value).to_owned()).is_some() {
            return Err(AppError::UnknownField);
        }
    }
    let mut extras = CheckExtras::default();
    for goal in &partner.goals {
        let field = goal_field(goal);
        match GoalRating::parse(form.value(&field)) {
            Ok(rating) => extras.goal_ratings.push((goal.id, rating)),
            Err(_) => form.errors.push(field),
        }
    }
    for task in &partner.tasks {
        let field = task_field(task);
        let done = TaskDone::parse(form.value(&field));
        let obstacle_field = obstacle_field(task);
        let raw = form.value(&obstacle_field);
        let obstacle = if raw.trim().is_empty() { Ok(None) } else { Obstacle::parse(raw).map(Some) };
        match (done, obstacle) {
            (Ok(done), Ok(obstacle)) => extras.task_reports.push(NewTaskReport {
                task: task.id,
                done,
                obstacle: obstacle.map(|o| o.as_str().to_owned()),
            }),
            (done, obstacle) => {
                if done.is_err() {
                    form.errors.push(field);
                }
                if obstacle.is_err() {
                    form.errors.push(obstacle_field);
                }
            }
        }
    }
    // Research use is opt-in: anything but an explicit yes is a no.
    let research = match form.value(CONSENT_FIELD) {
        "yes" => Some(true),
        "no" | "" => Some(false),
        _ => None,
    };
    match research {
        None => form.errors.push(CONSENT_FIELD.to_owned()),
        Some(research) if partner.consent_due || !form.value(CONSENT_FIELD).is_empty() => {
            extras.consent = Some(NewConsent { version: CONSENT_VERSION, research });
        }
        Some(_) => {}
    }
    Ok(if form.errors.is_empty() { Ok(extras) } else { Err(form) })
}

impl App {
    /// The goals and tasks the check of this link asks about: the agreed goals of its session's episode, and the
    /// tasks agreed in earlier sessions of it that have no report yet. Nothing when the session is gone.
    pub async fn check_partner(&self, link: &LinkView) -> Result<CheckPartner, AppError> {
        let Some(session) = self.store.session(link.session).await? else { return Ok(CheckPartner::default()) };
        let episodes = [session.episode];
        let client = [session.client];
        let (goals, tasks, sessions, consents, therapist) = tokio::try_join!(
            self.store.goals_of(&episodes),
            self.store.tasks_of(&episodes),
            self.store.sessions(session.episode),
            self.store.consents_of(&client),
            self.store.client(session.client),
        )?;
        let consent_due = consents.last().is_none_or(|c| c.version < CONSENT_VERSION);
        let supervised = match therapist {
            Some(c) => !self.store.supervisors_of(c.therapist).await?.is_empty(),
            None => false,
        };
        let number_of: HashMap<_, _> = sessions.iter().map(|s| (s.id, s.number)).collect();
        let goals = goals.into_iter().filter(|g| g.status == GoalStatus::Agreed).collect();
        // A task is for until the next session: the check asks about those of the latest earlier session that
        // agreed any, not about tasks of long ago whose check was skipped.
        let earlier = |t: &Task| number_of.get(&t.session).copied().filter(|n| *n < session.number);
        let latest = tasks.iter().filter_map(earlier).max();
        let tasks =
            tasks.into_iter().filter(|t| t.report.is_none() && latest.is_some() && earlier(t) == latest).collect();
        Ok(CheckPartner { goals, tasks, consent_due, supervised })
    }
}
