//! Signals as the pages show them: severity, explanation, evidence, what to do, and who acknowledged them. Which
//! signals a client has is the application's to say (`alliance_app::App::overviews`); this is only their words.

use alliance_core::overview::signal_key;
use alliance_signals::signal::{Severity, Signal, SignalKind};
use alliance_store::Acknowledgement;

use super::{number, show_date};

pub struct SignalView {
    pub key: String,
    pub level: &'static str,
    pub title: &'static str,
    pub explanation: String,
    pub evidence: String,
    pub actions: Vec<String>,
    pub acknowledged: Option<String>,
}

pub fn title(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::Risk => "Risk",
        SignalKind::Rupture => "Rupture",
        SignalKind::LowAlliance => "Low alliance",
        SignalKind::NotOnTrack => "Not on track",
        SignalKind::Deterioration => "Reliable deterioration",
        SignalKind::Discrepancy => "Different views of the alliance",
        SignalKind::Disengagement => "Disengagement",
        SignalKind::Improvement => "Reliable improvement",
        SignalKind::Recovery => "Recovery",
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Urgent => "urgent",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
        Severity::Info => "info",
    }
}

/// Plain names for the numbers behind a signal.
fn evidence_label(name: &str) -> String {
    match name {
        "phq9_item9" => "PHQ-9 item 9".into(),
        "onset_session" => "session".into(),
        "pre_rupture_level" => "level before".into(),
        "lowest_score" => "lowest".into(),
        "magnitude" => "drop".into(),
        // Until repair for a repaired rupture, so far for an open one: "sessions so far" was untrue for the first.
        "length_sessions" => "length in sessions".into(),
        "repair_session" => "repaired in session".into(),
        "therapist_rating" => "therapist".into(),
        "client_rating" => "client".into(),
        "observed" => "score".into(),
        "boundary" => "edge of the usual range".into(),
        "cutoff" => "concern threshold".into(),
        "pre" => "first".into(),
        "post" => "latest".into(),
        "rci" => "reliable change index".into(),
        "missed_sessions_in_a_row" => "missed sessions in a row".into(),
        "missed_measures_in_a_row" => "sessions without a check in a row".into(),
        other => other.replace('_', " "),
    }
}

pub fn view(signal: &Signal, episode: i64, ack: Option<&Acknowledgement>) -> SignalView {
    SignalView {
        key: signal_key(episode, signal),
        level: level(signal.severity),
        title: title(signal.kind),
        explanation: signal.explanation.clone(),
        evidence: signal
            .evidence
            .iter()
            // A reported rupture may come with a score above the earlier level: no "drop" to show then.
            .filter(|e| !(e.name == "magnitude" && e.value <= 0.0))
            .map(|e| format!("{} {}", evidence_label(&e.name), number(e.value)))
            .collect::<Vec<_>>()
            .join(" · "),
        actions: signal.actions.iter().map(|a| a.text.clone()).collect(),
        acknowledged: ack.map(|a| format!("Acknowledged by {} on {}", a.user_name, show_date(a.at.date()))),
    }
}
