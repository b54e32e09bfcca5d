//! Signals: what the therapist sees, each with its evidence, a plain explanation and
//! suggested actions. Builders live in [`builders`], action texts in [`actions`].
//!
//! Risk signals are always [`Severity::Critical`], always sort first and are never dropped by
//! anything in this crate.

pub mod actions;
pub mod builders;

use serde::{Deserialize, Serialize};

pub use actions::SuggestedAction;
pub use builders::{
    LOW_ALLIANCE_CLEAR_AFTER, SessionRecord, change_signal, discrepancy_signal, disengagement_signal, dropout_signal,
    escalate_disengagement_after_risk, low_alliance_episode_signal, low_alliance_signal, measure_change_signal,
    not_on_track_signal, risk_signal, rupture_signal, rupture_signal_as_of, stopped_asking_signal,
};

/// How urgently a signal needs attention (ordered: `Info < ... < Critical`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Info,
    Notice,
    Warning,
    Urgent,
    Critical,
}

/// What a signal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignalKind {
    Risk,
    Rupture,
    /// The alliance is below the instrument's cut-off, whether or not a rupture was detected.
    LowAlliance,
    NotOnTrack,
    Deterioration,
    Discrepancy,
    Disengagement,
    /// The early warning of dropout (issue 18): a transparent score at or above its alert threshold.
    DropoutRisk,
    /// The client asked not to be asked for checks (issue 16): no link is made until they start again.
    StoppedAsking,
    Improvement,
    Recovery,
}

impl SignalKind {
    /// Every kind, in the order of [`SignalKind::name`]'s table.
    pub const ALL: [SignalKind; 11] = [
        SignalKind::Risk,
        SignalKind::Rupture,
        SignalKind::LowAlliance,
        SignalKind::NotOnTrack,
        SignalKind::Deterioration,
        SignalKind::Discrepancy,
        SignalKind::Disengagement,
        SignalKind::DropoutRisk,
        SignalKind::StoppedAsking,
        SignalKind::Improvement,
        SignalKind::Recovery,
    ];

    /// A stable machine name (metrics labels, exports): lowercase with underscores.
    pub fn name(self) -> &'static str {
        match self {
            SignalKind::Risk => "risk",
            SignalKind::Rupture => "rupture",
            SignalKind::LowAlliance => "low_alliance",
            SignalKind::NotOnTrack => "not_on_track",
            SignalKind::Deterioration => "deterioration",
            SignalKind::Discrepancy => "discrepancy",
            SignalKind::Disengagement => "disengagement",
            SignalKind::DropoutRisk => "dropout_risk",
            SignalKind::StoppedAsking => "stopped_asking",
            SignalKind::Improvement => "improvement",
            SignalKind::Recovery => "recovery",
        }
    }

    /// Tie-break among equal severities: safety first, then the relationship, then outcome.
    fn rank(self) -> u8 {
        match self {
            SignalKind::Risk => 0,
            SignalKind::Rupture => 1,
            SignalKind::LowAlliance => 2,
            SignalKind::Deterioration => 3,
            SignalKind::NotOnTrack => 4,
            SignalKind::Discrepancy => 5,
            SignalKind::Disengagement => 6,
            SignalKind::DropoutRisk => 7,
            SignalKind::StoppedAsking => 8,
            SignalKind::Recovery => 9,
            SignalKind::Improvement => 10,
        }
    }
}

/// A number that triggered a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub name: String,
    pub value: f64,
}

impl Evidence {
    pub fn new(name: &str, value: f64) -> Self {
        Evidence { name: name.to_owned(), value }
    }
}

/// One signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub kind: SignalKind,
    pub severity: Severity,
    /// The session the signal is about, when there is one.
    pub session: Option<u32>,
    pub evidence: Vec<Evidence>,
    /// The explanation as a message with its arguments, which a page writes in its reader's language
    /// ([`Signal::explanation`] gives the English, for reports, logs and the command line).
    pub text: alliance_i18n::Text,
    pub actions: Vec<SuggestedAction>,
    /// The outcome measure a change or course signal is about (e.g. `gad7`), when there are several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
}

impl Signal {
    /// The explanation in English.
    pub fn explanation(&self) -> String {
        self.text.english()
    }

    /// Sets the explanation.
    pub fn set_text(&mut self, text: alliance_i18n::Text) {
        self.text = text;
    }

    /// Adds a sentence after the explanation.
    pub fn then(&mut self, more: alliance_i18n::Text) {
        let first = std::mem::take(&mut self.text);
        self.set_text(alliance_i18n::Text::new("signal-then").text("first", first).text("second", more));
    }

    /// Names the measure the signal is about before its explanation ("PHQ-9: ...").
    pub fn name_measure(&mut self, name: &str) {
        let explanation = std::mem::take(&mut self.text);
        self.set_text(
            alliance_i18n::Text::new("signal-for-measure").plain("measure", name).text("explanation", explanation),
        );
    }

    /// Sort key: risk first, then severity (high first), then kind, then latest session.
    fn priority(&self) -> (bool, std::cmp::Reverse<Severity>, u8, std::cmp::Reverse<u32>) {
        (
            self.kind != SignalKind::Risk,
            std::cmp::Reverse(self.severity),
            self.kind.rank(),
            std::cmp::Reverse(self.session.unwrap_or(0)),
        )
    }
}

/// Order one client's signals: risk first, then by severity, kind and recency.
pub fn order_signals(signals: &mut [Signal]) {
    signals.sort_by_key(Signal::priority);
}

/// Order a caseload: clients with a risk signal first, then by their most severe signal, then
/// by how many signals they have at that severity; each client's signals ordered as
/// [`order_signals`]. Ties keep the given order. Nothing is removed.
pub fn order_caseload<Id>(mut clients: Vec<(Id, Vec<Signal>)>) -> Vec<(Id, Vec<Signal>)> {
    for (_, signals) in &mut clients {
        order_signals(signals);
    }
    clients.sort_by_key(|(_, signals)| {
        let has_risk = signals.iter().any(|s| s.kind == SignalKind::Risk);
        let top = signals.iter().map(|s| s.severity).max();
        let at_top = signals.iter().filter(|s| Some(s.severity) == top).count();
        (!has_risk, std::cmp::Reverse(top), std::cmp::Reverse(at_top))
    });
    clients
}
