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
        followup: false,
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
    let mut sections = Vec::new();
    if !partner.tasks.is_empty() {
        let mut items = Vec::new();
        for task in &partner.tasks {
            let name = task_field(task);
            let mut done = item(name.clone(), task.text.clone(), "radio", form, "Please choose one of the answers.");
            let words = TaskDone::ALL.iter().map(|d| (d.as_str().to_owned(), d.label().to_owned()));
            done.options = options(words, form.value(&name));
            items.push(done);
            let mut obstacle = item(
                obstacle_field(task),
                "What got in the way, if anything?".into(),
                "text",
                form,
                "Please keep this shorter.",
            );
            obstacle.max = Obstacle::MAX.to_string();
            items.push(obstacle);
        }
        sections.push(SectionView {
            part: String::new(),
            title: "What you agreed to try".into(),
            instructions: Some("Did you do what you and your therapist agreed on last time?".into()),
            why: Some(
                "Trying things between sessions is part of the work you do together. Whatever the answer, it \
                 helps your therapist plan the next steps with you."
                    .into(),
            ),
            not_validated: false,
            items,
        });
    }
    if !partner.goals.is_empty() {
        let items = partner
            .goals
            .iter()
            .map(|goal| {
                let name = goal_field(goal);
                let mut rating =
                    item(name.clone(), goal.text.clone(), "radio", form, "Please choose a number from 0 to 10.");
                let scale = (0..=GoalRating::MAX).map(|n| (n.to_string(), n.to_string()));
                rating.options = options(scale, form.value(&name));
                rating
            })
            .collect();
        sections.push(SectionView {
            part: String::new(),
            title: "Your goals".into(),
            instructions: Some(
                "How close are you to each goal you agreed with your therapist? 0 means not at all, 10 means you \
                 have reached it."
                    .into(),
            ),
            why: Some("Your goals are in your own words. Your ratings show you both how things are moving.".into()),
            not_validated: false,
            items,
        });
    }
    sections
}
