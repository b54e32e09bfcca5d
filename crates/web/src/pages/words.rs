//! The staff pages' words for values other crates name in English: a client's course, a reliable change, a risk
//! action, a signal's kind. Each maps to a message with a literal id, so that the message checks find it.

use alliance_core::overview::Track;
use alliance_signals::change::ChangeCategory;
use alliance_signals::rupture::RuptureRule;
use alliance_signals::signal::SignalKind;
use alliance_store::RiskActionKind;

use crate::language::current;

/// Where a client's course is against the expected one: "on track".
pub fn track(t: Track) -> String {
    current().t(match t {
        Track::White => "client-track-white",
        Track::Green => "client-track-green",
        Track::Yellow => "client-track-yellow",
        Track::Red => "client-track-red",
    })
}

/// A reliable change category: "reliably improved".
pub fn change(c: ChangeCategory) -> String {
    current().t(match c {
        ChangeCategory::Recovered => "client-change-recovered",
        ChangeCategory::ReliablyImproved => "client-change-improved",
        ChangeCategory::Unchanged => "client-change-unchanged",
        ChangeCategory::ReliablyDeteriorated => "client-change-deteriorated",
        ChangeCategory::Harmed => "client-change-harmed",
    })
}

/// What was done about a risk signal: "Contacted the client".
pub fn risk_action(k: RiskActionKind) -> String {
    current().t(match k {
        RiskActionKind::ContactedClient => "client-risk-contacted",
        RiskActionKind::SafetyPlanReviewed => "client-risk-safety-plan",
        RiskActionKind::Referred => "client-risk-referred",
        RiskActionKind::NotNeeded => "client-risk-not-needed",
    })
}

/// A signal's full title, as the client page shows it.
pub fn signal_title(kind: SignalKind) -> String {
    current().t(match kind {
        SignalKind::Risk => "client-signal-risk",
        SignalKind::Rupture => "client-signal-rupture",
        SignalKind::LowAlliance => "client-signal-low-alliance",
        SignalKind::NotOnTrack => "client-signal-not-on-track",
        SignalKind::Deterioration => "client-signal-deterioration",
        SignalKind::Discrepancy => "client-signal-discrepancy",
        SignalKind::Disengagement => "client-signal-disengagement",
        SignalKind::DropoutRisk => "client-signal-dropout-risk",
        SignalKind::StoppedAsking => "client-signal-stopped-asking",
        SignalKind::Improvement => "client-signal-improvement",
        SignalKind::Recovery => "client-signal-recovery",
    })
}

/// A signal's short name for the caseload line.
pub fn signal_badge(kind: SignalKind) -> String {
    current().t(match kind {
        SignalKind::Risk => "caseload-badge-risk",
        SignalKind::Rupture => "caseload-badge-rupture",
        SignalKind::LowAlliance => "caseload-badge-low-alliance",
        SignalKind::NotOnTrack => "caseload-badge-off-track",
        SignalKind::Deterioration => "caseload-badge-worse",
        SignalKind::Discrepancy => "caseload-badge-views-differ",
        SignalKind::Disengagement => "caseload-badge-missing",
        SignalKind::DropoutRisk => "caseload-badge-dropout-risk",
        SignalKind::StoppedAsking => "caseload-badge-not-asked",
        SignalKind::Improvement => "caseload-badge-improved",
        SignalKind::Recovery => "caseload-badge-recovered",
    })
}

/// The rules that found a rupture, as English wrote them: "dip+sudden loss".
pub fn rupture_rules(rules: &[RuptureRule]) -> String {
    let tr = current();
    let words: Vec<String> = rules
        .iter()
        .map(|r| {
            tr.t(match r {
                RuptureRule::Dip => "chart-rupture-dip",
                RuptureRule::SuddenLoss => "chart-rupture-sudden-loss",
                RuptureRule::BelowCutoff => "chart-rupture-below-cutoff",
                RuptureRule::Reported => "chart-rupture-reported",
            })
        })
        .collect();
    words.join("+")
}

/// The printed export's words for the codes its data keeps (the JSON export keeps the codes).
pub fn export_code(code: &str) -> &'static str {
    match code {
        "proposed" => "partner-goal-proposed",
        "agreed" => "partner-goal-agreed",
        "achieved" => "partner-goal-achieved",
        "dropped" => "partner-goal-dropped",
        "revised" => "export-revised",
        "client" => "export-by-client",
        "therapist" => "export-by-therapist",
        "yes" => "export-done-yes",
        "partly" => "export-done-partly",
        "no" => "export-done-no",
        "Medication change" => "partner-kind-medication",
        "Life event" => "partner-kind-life-event",
        "Break in therapy" => "partner-kind-break",
        _ => "partner-kind-other",
    }
}

/// A score as the reader's language writes it: no trailing `.0`, one decimal otherwise ("4.5", "4,5").
pub fn number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 { format!("{}", value.round() as i64) } else { current().number(value, 1) }
}
