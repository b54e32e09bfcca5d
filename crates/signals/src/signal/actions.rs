//! Suggested actions. The rupture-repair suggestions paraphrase resolution strategies named in
//! the rupture literature (3RS; Safran & Muran), whose wording there is unverified
//! (docs/SCIENCE.md#suggested-actions): the texts here are this project's own plain wording and
//! are NOT validated guidance. Every action carries `validated: false` so the interface can say so.

use serde::{Deserialize, Serialize};

use crate::rupture::RuptureKind;

/// A suggestion shown with a signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedAction {
    pub text: String,
    /// Whether the wording has been validated; false for everything this crate ships.
    pub validated: bool,
}

fn unvalidated(texts: &[&str]) -> Vec<SuggestedAction> {
    texts.iter().map(|t| SuggestedAction { text: (*t).to_owned(), validated: false }).collect()
}

const WITHDRAWAL: &[&str] = &[
    "Gently name what you noticed (shorter answers, changing the subject, agreeing too readily) \
     and ask what was going on for the client.",
    "Invite the client to say what they think and feel about you or the therapy, and make it \
     safe to say something critical.",
    "Check whether something you said or proposed was misunderstood, and clear it up.",
    "If the client finds it useful, look together at whether pulling back like this happens in \
     other relationships too.",
];

const CONFRONTATION: &[&str] = &[
    "Acknowledge your own part in what went wrong, without defending yourself.",
    "Take the client's objection seriously and say that it makes sense from where they stand.",
    "Explain why you proposed the task, or agree together on a different task or goal.",
    "Invite the client to say more about what is not working for them.",
];

const UNKNOWN_KIND: &[&str] = &[
    "Ask the client how the last session felt, and listen for pulling back or pushing back.",
    "Invite the client to say what they think and feel about you or the therapy.",
    "If something went wrong, acknowledge your part and agree together how to go on.",
];

const UNREPAIRED: &[&str] = &["Consider taking this rupture to supervision."];

const OFF_TRACK: &[&str] = &[
    "Check the alliance: ask how the client experiences working with you.",
    "Check motivation: what does the client want from therapy now?",
    "Check social support: who helps the client, and has that changed?",
    "Check the goals: are you still working on what matters to the client?",
    "Check life events since the last sessions (loss, conflict, work, health, medication).",
];

const DISCREPANCY: &[&str] = &[
    "Ask the client for feedback on the last sessions; they may see the work differently from you.",
    "Look back at the session for signs of pulling back or pushing back.",
    "Consider discussing the difference in supervision.",
];

const LOW_ALLIANCE: &[&str] = &[
    "Ask the client how the work together feels to them, and what would make it more useful.",
    "Check that you still agree on the goals and on how you are working towards them.",
    "Consider taking the case to supervision.",
];

const DISENGAGEMENT: &[&str] = &[
    "Contact the client to ask how they are and whether the appointments still suit them.",
    "Ask whether the questionnaires feel useful or burdensome, and adjust the schedule.",
];

const RISK: &[&str] = &[
    "Follow the practice's risk protocol now.",
    "Ask the client directly about thoughts of death or self-harm, plans and means.",
];

/// Repair suggestions for a rupture of the given kind (unknown kind: general ones).
pub fn repair_actions(kind: Option<RuptureKind>, unrepaired: bool) -> Vec<SuggestedAction> {
    let mut actions = unvalidated(match kind {
        Some(RuptureKind::Withdrawal) => WITHDRAWAL,
        Some(RuptureKind::Confrontation) => CONFRONTATION,
        None => UNKNOWN_KIND,
    });
    if unrepaired {
        actions.extend(unvalidated(UNREPAIRED));
    }
    actions
}

/// The not-on-track check: alliance, motivation, social support, goals and life events.
pub fn off_track_actions() -> Vec<SuggestedAction> {
    unvalidated(OFF_TRACK)
}

pub fn discrepancy_actions() -> Vec<SuggestedAction> {
    unvalidated(DISCREPANCY)
}

pub fn low_alliance_actions() -> Vec<SuggestedAction> {
    unvalidated(LOW_ALLIANCE)
}

pub fn disengagement_actions() -> Vec<SuggestedAction> {
    unvalidated(DISENGAGEMENT)
}

pub fn risk_actions() -> Vec<SuggestedAction> {
    unvalidated(RISK)
}
