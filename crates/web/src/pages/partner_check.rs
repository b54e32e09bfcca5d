//! The check's goal and task questions (issue 16), as form sections shaped like a questionnaire's, so they look
//! and behave the same on the phone.

use alliance_app::{CheckPartner, PartnerForm, goal_field, obstacle_field, task_field};
use alliance_core::partnership::{GoalRating, Obstacle, TaskDone};

use super::questionnaire::{ItemView, OptionView, SectionView};

fn item(name: String, text: String, kind: &'static str, form: &PartnerForm, error: &str) -> ItemView {
    ItemView {
        error: form.has_error(&name).then(|| error.to_owned()),
        value: if kind == "text" { form.value(&name).to_owned() } else { String::new() },
        name,
        followup: None,
        text,
        kind,
        options: Vec::new(),
        required: kind == "radio",
        min: String::new(),
        max: String::new(),
        step: String::new(),
    }
}

fn options(values: impl Iterator<Item = (String, String)>, given: &str) -> Vec<OptionView> {
    values.map(|(value, label)| OptionView { checked: value == given, value, label }).collect()
}

/// The sections for the goals and tasks a check asks about; none when it asks about neither.
pub fn sections(partner: &CheckPartner, form: &PartnerForm) -> Vec<SectionView> {
    let tr = crate::language::current();
    let mut sections = Vec::new();
    if !partner.tasks.is_empty() {
        let mut items = Vec::new();
        for task in &partner.tasks {
            let name = task_field(task);
            let mut done = item(name.clone(), task.text.clone(), "radio", form, &tr.t("check-choose-one"));
            let words = TaskDone::ALL.iter().map(|d| (d.as_str().to_owned(), tr.t(task_done_message(*d))));
            done.options = options(words, form.value(&name));
            items.push(done);
            let mut obstacle =
                item(obstacle_field(task), tr.t("check-task-obstacle"), "text", form, &tr.t("check-shorter"));
            obstacle.max = Obstacle::MAX.to_string();
            items.push(obstacle);
        }
        sections.push(SectionView {
            part: String::new(),
            title: tr.t("check-tasks-title"),
            instructions: Some(tr.t("check-tasks-instructions")),
            why: Some(tr.t("check-tasks-why")),
            not_validated: false,
            translation_not_validated: false,
            lang: None,
            items,
        });
    }
    if !partner.goals.is_empty() {
        let items = partner
            .goals
            .iter()
            .map(|goal| {
                let name = goal_field(goal);
                let mut rating = item(name.clone(), goal.text.clone(), "radio", form, &tr.t("check-choose-goal"));
                let scale = (0..=GoalRating::MAX).map(|n| (n.to_string(), n.to_string()));
                rating.options = options(scale, form.value(&name));
                rating
            })
            .collect();
        sections.push(SectionView {
            part: String::new(),
            title: tr.t("check-goals-title"),
            instructions: Some(tr.t("check-goals-instructions")),
            why: Some(tr.t("check-goals-why")),
            not_validated: false,
            translation_not_validated: false,
            lang: None,
            items,
        });
    }
    sections
}

/// The message for what a client says of a task.
pub fn task_done_message(done: TaskDone) -> &'static str {
    match done {
        TaskDone::Yes => "task-done-yes",
        TaskDone::Partly => "task-done-partly",
        TaskDone::No => "task-done-no",
    }
}
