//! Signals as the pages show them: severity, explanation, evidence, what to do, and who acknowledged them. Which
//! signals a client has is the application's to say (`alliance_app::App::overviews`); this is only their words.

use alliance_core::overview::signal_key;
use alliance_signals::signal::{Severity, Signal, SignalKind};
use alliance_store::{Acknowledgement, RiskAction, RiskActionKind};

use super::{number, show_day, show_time};
use crate::LocalZone;

/// A time as the risk form sends it and shows it (`datetime-local`: a wall-clock time in the reader's zone).
const FORM_TIME: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");

/// The moment a time from the risk form's `datetime-local` field names on the reader's clock.
pub fn parse_form_time(text: &str, zone: &LocalZone) -> Option<time::OffsetDateTime> {
    zone.moment(time::PrimitiveDateTime::parse(text.trim(), FORM_TIME).ok()?)
}

/// A moment as the risk form's field shows it, on the reader's clock.
pub fn form_time(t: time::OffsetDateTime, zone: &LocalZone) -> String {
    zone.local(t).format(FORM_TIME).unwrap_or_default()
}

/// The choices of the risk acknowledgement form: (value, words).
pub fn risk_choices() -> Vec<(&'static str, &'static str)> {
    RiskActionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect()
}

/// One recorded action on a risk signal, in words: "Contacted the client on 5 Dec 2026, 15:05 CET (recorded by
/// Dr A on 5 Dec 2026): note".
fn risk_action_text(a: &RiskAction, zone: &LocalZone) -> String {
    let mut text = format!(
        "{} on {} (recorded by {} on {})",
        a.kind.label(),
        show_time(a.acted_at, zone),
        a.user_name,
        show_day(a.recorded_at, zone)
    );
    if !a.note.is_empty() {
        text.push_str(": ");
        text.push_str(&a.note);
    }
    text
}

pub struct SignalView {
    pub key: String,
    pub level: &'static str,
    pub title: &'static str,
    pub explanation: String,
    pub evidence: String,
    pub actions: Vec<String>,
    pub acknowledged: Option<String>,
    /// A risk signal: acknowledged only with the action taken.
    pub risk: bool,
    /// What was done about a risk signal, oldest first.
    pub risk_actions: Vec<String>,
    /// Open and not shown to this reader before this page (docs/TRIAGE.md#lifecycle).
    pub new: bool,
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
        SignalKind::StoppedAsking => "Asked not to be asked",
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

pub fn view(
    signal: &Signal,
    episode: i64,
    ack: Option<&Acknowledgement>,
    risk_actions: &[RiskAction],
    new: bool,
    zone: &LocalZone,
) -> SignalView {
    let key = signal_key(episode, signal);
    SignalView {
        new,
        risk: signal.kind == SignalKind::Risk,
        risk_actions: risk_actions.iter().filter(|a| a.key == key).map(|a| risk_action_text(a, zone)).collect(),
        key,
        level: level(signal.severity),
        title: title(signal.kind),
        explanation: crate::language::current().text(&signal.text),
        evidence: signal
            .evidence
            .iter()
            // A reported rupture may come with a score above the earlier level: no "drop" to show then.
            .filter(|e| !(e.name == "magnitude" && e.value <= 0.0))
            .map(|e| format!("{} {}", evidence_label(&e.name), number(e.value)))
            .collect::<Vec<_>>()
            .join(" · "),
        actions: signal.actions.iter().map(|a| crate::language::current().t(&a.message)).collect(),
        acknowledged: ack.map(|a| format!("Acknowledged by {} on {}", a.user_name, show_day(a.at, zone))),
    }
}
