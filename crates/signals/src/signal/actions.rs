//! Suggested actions. The rupture-repair suggestions paraphrase resolution strategies named in
//! the rupture literature (3RS; Safran & Muran), whose wording there is unverified
//! (docs/SCIENCE.md#suggested-actions): the texts here are this project's own plain wording and
//! are NOT validated guidance. Every action carries `validated: false` so the interface can say so. The words
//! are in the message files (`crates/i18n/locales/*/signals.ftl`), one id per action.

use serde::{Deserialize, Serialize};

use crate::rupture::RuptureKind;

/// A suggestion shown with a signal: its message (`message`, written in the reader's language by the page) and
/// its English words (`text`, for reports and logs), from the same message file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedAction {
    #[serde(default)]
    pub message: String,
    pub text: String,
    /// Whether the wording has been validated; false for everything this crate ships.
    pub validated: bool,
}

fn unvalidated(messages: &[&str]) -> Vec<SuggestedAction> {
    messages
        .iter()
        .map(|id| SuggestedAction {
            message: (*id).to_owned(),
            text: alliance_i18n::Text::new(id).english(),
            validated: false,
        })
        .collect()
}

const WITHDRAWAL: &[&str] = &[
    "action-withdrawal-name",
    "action-withdrawal-invite",
    "action-withdrawal-misunderstood",
    "action-withdrawal-pattern",
];

const CONFRONTATION: &[&str] = &[
    "action-confrontation-own-part",
    "action-confrontation-objection",
    "action-confrontation-task",
    "action-confrontation-more",
];

const UNKNOWN_KIND: &[&str] = &["action-rupture-ask", "action-rupture-invite", "action-rupture-own-part"];

const UNREPAIRED: &[&str] = &["action-unrepaired-supervision"];

const OFF_TRACK: &[&str] = &[
    "action-off-track-alliance",
    "action-off-track-motivation",
    "action-off-track-support",
    "action-off-track-goals",
    "action-off-track-life-events",
    "action-off-track-formulation",
    "action-off-track-referral",
    "action-off-track-chart",
    "action-off-track-risk",
];

const DISCREPANCY: &[&str] =
    &["action-discrepancy-feedback", "action-discrepancy-look-back", "action-discrepancy-supervision"];

const LOW_ALLIANCE: &[&str] = &[
    "action-low-alliance-provisional",
    "action-low-alliance-ask",
    "action-low-alliance-goals",
    "action-low-alliance-supervision",
];

const DISENGAGEMENT: &[&str] = &["action-disengagement-contact", "action-disengagement-schedule"];

const DROPOUT_RISK: &[&str] = &["action-dropout-ask", "action-dropout-missed", "action-dropout-alliance"];

const STOPPED_ASKING: &[&str] = &["action-stopped-talk", "action-stopped-respect"];

const DISENGAGEMENT_AFTER_RISK: &[&str] = &["action-after-risk-contact", "action-after-risk-recheck"];

const RISK: &[&str] = &["action-risk-protocol", "action-risk-ask"];

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

/// The early warning of dropout (issue 18).
pub fn dropout_actions() -> Vec<SuggestedAction> {
    unvalidated(DROPOUT_RISK)
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
