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
    "Acknowledge your own part in what went wrong, where you see one, without defending yourself.",
    "Take the client's objection seriously and say that it makes sense from where they stand.",
    "Agree together on a different task or goal, or explain once why you proposed the task; do not \
     press the rationale while the relationship is strained (pressing it has gone with poorer outcomes).",
    "Invite the client to say more about what is not working for them.",
];

const UNKNOWN_KIND: &[&str] = &[
    "Ask the client how the last session felt, and listen for pulling back or pushing back.",
    "Invite the client to say what they think and feel about you or the therapy.",
    "If something went wrong, acknowledge your own part where you see one, and agree together how to go on.",
];

const UNREPAIRED: &[&str] = &["Consider taking this rupture to supervision."];

const OFF_TRACK: &[&str] = &[
    "Check the alliance: ask how the client experiences working with you.",
    "Check motivation: what does the client want from therapy now?",
    "Check social support: who helps the client, and has that changed?",
    "Check the goals: are you still working on what matters to the client?",
    "Check life events since the last sessions (loss, conflict, work, health, medication).",
    "Review the formulation together: does it still explain what keeps the difficulties going?",
    "Consider a medication or referral review (the client's doctor, a psychiatrist, a more intensive service).",
    "Show the client the chart of their scores and talk about it together.",
    "Re-check risk: ask directly about thoughts of death or self-harm, whatever item 9 said before.",
];

const DISCREPANCY: &[&str] = &[
    "Ask the client for feedback on the last sessions; they may see the work differently from you.",
    "Look back at the session for signs of pulling back or pushing back.",
    "Consider discussing the difference in supervision.",
];

const LOW_ALLIANCE: &[&str] = &[
    "Treat the threshold as provisional: look at the client's own scores over time, not the line alone.",
    "Ask the client how the work together feels to them, and what would make it more useful.",
    "Check that you still agree on the goals and on how you are working towards them.",
    "Consider taking the case to supervision.",
];

const DISENGAGEMENT: &[&str] = &[
    "Contact the client to ask how they are and whether the appointments still suit them.",
    "Ask whether the questionnaires feel useful or burdensome, and adjust the schedule.",
];

const STOPPED_ASKING: &[&str] = &[
    "Talk with the client about it at the next session: what made the questions unwelcome, and whether fewer \
     of them (the episode's schedule), or none for a while, would suit them better.",
    "Respect the choice: the therapy goes on as before, and the client can start being asked again themselves.",
];

const DISENGAGEMENT_AFTER_RISK: &[&str] = &[
    "Contact the client today: they said they had thoughts of death or self-harm in a recent session and \
     have not been seen or heard from since.",
    "Re-check risk when you reach them (thoughts of death or self-harm, plans and means), and follow the \
     practice's risk protocol if you cannot reach them.",
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

/// The not-on-track check: alliance, motivation, social support, goals and life events; the
/// formulation, a medication or referral review, the chart shown to the client, and risk.
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

/// Missed sessions or checks soon after a positive PHQ-9 item 9 (docs/SCIENCE.md#risk).
pub fn disengagement_after_risk_actions() -> Vec<SuggestedAction> {
    let mut actions = unvalidated(DISENGAGEMENT_AFTER_RISK);
    actions.extend(unvalidated(DISENGAGEMENT));
    actions
}

/// The client asked not to be asked for checks.
pub fn stopped_asking_actions() -> Vec<SuggestedAction> {
    unvalidated(STOPPED_ASKING)
}

pub fn risk_actions() -> Vec<SuggestedAction> {
    unvalidated(RISK)
}
