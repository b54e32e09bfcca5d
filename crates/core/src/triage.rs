//! Triage: which client needs the therapist first, and in what state each of their signals is. Pure: the day is
//! passed in. The model and its reasons are in docs/TRIAGE.md; the constants here are **project defaults** set
//! there.

use alliance_signals::signal::{Severity, Signal, SignalKind};
use time::{Date, OffsetDateTime};

use crate::overview::{ClientOverview, outcome_rank, signal_key};

/// An open signal other than risk counts one severity lower once this many sessions have passed since it was
/// raised without it being acknowledged or resolved: it is still listed, but today's news comes first.
pub const STALE_AFTER_SESSIONS: u32 = 4;
/// A rupture is resolved by later answers once this many client checks after it read at or above the alliance
/// cut-off and the latest is not falling.
pub const RUPTURE_RESOLVED_AFTER_CHECKS: u32 = 2;

/// Where a signal is in its lifecycle (docs/TRIAGE.md#lifecycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalState {
    /// Open, and not yet shown to this reader on the client's page.
    New,
    /// Open, and shown to this reader already.
    Open,
    /// A person acknowledged it (with an action, for risk).
    Acknowledged,
    /// Later answers show it has passed (a rupture repaired, the alliance recovered). Never for risk.
    ResolvedByData,
    /// Purely informative (improvement, recovery): never asks for attention.
    Informative,
}

impl SignalState {
    pub fn is_open(self) -> bool {
        matches!(self, SignalState::New | SignalState::Open)
    }
}

/// One signal as triage sees it.
#[derive(Debug, Clone)]
pub struct TriagedSignal<'a> {
    pub signal: &'a Signal,
    pub state: SignalState,
    /// The severity it ranks with: lowered one step once stale (never for risk).
    pub weight: Severity,
    /// Days between the session it is about and today, when the session's date is known.
    pub age_days: Option<i64>,
}

/// What a client's triage is computed from, besides the overview.
pub struct TriageInput<'a> {
    pub episode: i64,
    /// Session number and date of each session of the episode.
    pub sessions: &'a [(u32, Date)],
    /// Keys of acknowledged signals with when they were acknowledged.
    pub acknowledged: &'a [(&'a str, OffsetDateTime)],
    /// Keys of the signals the reader has been shown on the client's page ("seen"): the others are new to them.
    pub seen: &'a [&'a str],
    pub today: Date,
}

/// A client's triage: their signals with states, the most pressing first, and the caseload sort key.
#[derive(Debug, Clone)]
pub struct Triage<'a> {
    pub signals: Vec<TriagedSignal<'a>>,
    pub key: TriageKey,
}

impl<'a> Triage<'a> {
    pub fn open(&self) -> impl Iterator<Item = &TriagedSignal<'a>> {
        self.signals.iter().filter(|s| s.state.is_open())
    }

    /// Whether an item-9 answer is waiting for a person.
    pub fn open_risk(&self) -> bool {
        self.open().any(|s| s.signal.kind == SignalKind::Risk)
    }
}

/// Caseload order, smallest first (docs/TRIAGE.md#ranking): open risk; then the heaviest open signal; something the
/// reader has not yet seen before what they have; the worse clinical state; the newer signal; the falling alliance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TriageKey {
    pub tier: u8,
    pub nothing_new: bool,
    pub clinical_state: u8,
    pub newest_age_days: i64,
    /// The alliance trend in tenths of a point (falling is smaller, so first); 0 when unknown.
    pub alliance_trend: i64,
}

fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::Urgent,
        Severity::Urgent => Severity::Warning,
        Severity::Warning => Severity::Notice,
        Severity::Notice | Severity::Info => Severity::Info,
    }
}

/// Whether later answers have resolved this signal by themselves. Risk never is: it always needs a person.
fn resolved_by_data(overview: &ClientOverview, signal: &Signal) -> bool {
    let Some(alliance) = &overview.alliance else { return false };
    let recovered = !alliance.below_cutoff && alliance.trend.is_none_or(|t| t > -1.0);
    match signal.kind {
        SignalKind::Rupture => {
            let onset = signal.session.unwrap_or(0);
            recovered && alliance.latest_session >= onset + RUPTURE_RESOLVED_AFTER_CHECKS
        }
        SignalKind::LowAlliance => recovered && alliance.latest_session > signal.session.unwrap_or(0),
        _ => false,
    }
}

/// Triage of one client (docs/TRIAGE.md).
pub fn triage<'a>(overview: &'a ClientOverview, input: &TriageInput<'_>) -> Triage<'a> {
    let latest_session = input.sessions.iter().map(|s| s.0).max().unwrap_or(0);
    let date_of = |session: Option<u32>| {
        let n = session?;
        input.sessions.iter().find(|s| s.0 == n).map(|s| s.1)
    };
    let mut signals: Vec<TriagedSignal<'a>> = overview
        .signals
        .iter()
        .map(|signal| {
            let age_days = date_of(signal.session).map(|d| (input.today - d).whole_days());
            let key = signal_key(input.episode, signal);
            let acknowledged = input.acknowledged.iter().any(|(k, _)| *k == key);
            let state = if signal.severity < Severity::Notice {
                SignalState::Informative
            } else if acknowledged {
                SignalState::Acknowledged
            } else if signal.kind != SignalKind::Risk && resolved_by_data(overview, signal) {
                SignalState::ResolvedByData
            } else if !input.seen.contains(&key.as_str()) {
                SignalState::New
            } else {
                SignalState::Open
            };
            let stale = latest_session >= signal.session.unwrap_or(latest_session) + STALE_AFTER_SESSIONS;
            let weight =
                if signal.kind != SignalKind::Risk && stale { lower(signal.severity) } else { signal.severity };
            TriagedSignal { signal, state, weight, age_days }
        })
        .collect();
    // Open first; among them risk, then weight, then newest.
    signals.sort_by_key(|s| {
        (
            !s.state.is_open(),
            s.signal.kind != SignalKind::Risk,
            std::cmp::Reverse(s.weight),
            s.age_days.unwrap_or(i64::MAX),
        )
    });
    let open: Vec<&TriagedSignal> = signals.iter().filter(|s| s.state.is_open()).collect();
    let tier = if open.iter().any(|s| s.signal.kind == SignalKind::Risk) {
        0
    } else {
        match open.iter().map(|s| s.weight).max() {
            Some(Severity::Critical | Severity::Urgent) => 1,
            Some(Severity::Warning) => 2,
            Some(Severity::Notice) => 3,
            _ => 4,
        }
    };
    let key = TriageKey {
        tier,
        nothing_new: !open.iter().any(|s| s.state == SignalState::New),
        clinical_state: overview.outcome().map_or(4, |o| outcome_rank(o).0),
        newest_age_days: open.iter().filter_map(|s| s.age_days).min().unwrap_or(i64::MAX),
        alliance_trend: overview.alliance.as_ref().and_then(|a| a.trend).map_or(0, |t| (t * 10.0).round() as i64),
    };
    Triage { signals, key }
}
